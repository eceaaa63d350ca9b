"""EKS add-on configuration values against the add-on's configuration schema (part of aws-api).

EKS validates `configurationValues` against the schema `aws eks describe-addon-configuration`
returns for the add-on *version*; the schema has `additionalProperties: false`, so a misspelled
key fails CreateAddon. AWS publishes these schemas nowhere but that API, and the copies that ship
in testbed/reference are of older versions. So a schema error is a finding only where the shipped
schema is of the version the stack pins; otherwise it is a note naming both versions (a newer
add-on may accept the key).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

import jsonschema

from testbed import reference
from testbed.engine import Resource
from testbed.gates import Result, Stack, subject

GATE = "aws-api"
ADDON = "aws:eks/addon:Addon"


def version_key(version: str) -> tuple[int, ...]:
    """'v1.11.1-eksbuild.8' -> (1, 11, 1, 8), for picking the newest shipped schema."""
    return tuple(int(n) for n in re.findall(r"\d+", version))


def schema_problems(values: Any, schema: dict[str, Any]) -> list[tuple[str, str]]:
    """(field, message) for every way `values` breaks the add-on's configuration schema."""
    validator = jsonschema.Draft7Validator(schema)
    problems = []
    for error in sorted(validator.iter_errors(values), key=lambda e: [str(p) for p in e.path]):
        path = "".join(f".{p}" for p in error.path)
        problems.append((f"configurationValues{path}", error.message))
    return problems


def addon_configuration(stack: Stack, resource: Resource, inputs: dict[str, Any]) -> Iterable[Result]:
    """Findings (schema of the pinned version) or one note (another version's schema) for an add-on."""
    if resource.type != ADDON or not inputs.get("configurationValues"):
        return
    name = str(inputs.get("addonName"))
    schemas = reference.addon_schemas(name)
    if not schemas:
        yield stack.note(GATE, f"{resource.name}: no configuration schema of add-on {name!r} ships; keys not checked")
        return
    try:
        values = json.loads(inputs["configurationValues"])
    except json.JSONDecodeError as err:
        yield stack.finding(GATE, subject(resource), "configurationValues", f"not JSON: {err}", "EKS CreateAddon")
        return
    pinned = inputs.get("addonVersion")
    version = pinned if pinned in schemas else max(schemas, key=version_key)
    problems = schema_problems(values, schemas[version])
    source = f"{name} {version} configuration schema (aws eks describe-addon-configuration)"
    if version == pinned:
        for field, message in problems:
            yield stack.finding(GATE, subject(resource), field, message, source)
        return
    ours = pinned or "no version (EKS installs its default for the cluster)"
    said = "; ".join(f"{field}: {message}" for field, message in problems) or "no differences"
    yield stack.note(
        GATE,
        f"{resource.name}: {name} configuration checked against the schema of {version} only, as notes: we pin "
        f"{ours} and no schema of that version ships ({said})",
    )
