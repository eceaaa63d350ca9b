"""Bad-input sweep: for every key of a stack's config, generated invalid values (wrong type,
out of range, not in the enum, not matching the pattern, empty where not allowed, unknown key)
must each be rejected with one line naming that key, and never with a traceback.

The invalid values are derived from the scenario's JSON Schema (the same one editors use), so
every new knob is swept without anyone writing a case for it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from stacks import scenario_module
from stacks.config import NAMESPACE, SCENARIO_KEY, ConfigError, config_key, load_config, program_value
from testbed.gates import Result, Stack

GATE = "config-sweep"
SOURCE = "the scenario's config model (one line per bad value, naming the key)"
UNKNOWN_KEY = "noSuchKey"


def _resolve(schema: dict, definitions: dict) -> tuple[dict, bool]:
    """The schema behind $ref and Optional (anyOf with null); whether null is allowed."""
    nullable = False
    while True:
        if "$ref" in schema:
            schema = definitions[schema["$ref"].rsplit("/", 1)[-1]]
        elif "anyOf" in schema:
            branches = [b for b in schema["anyOf"] if b.get("type") != "null"]
            nullable = nullable or len(branches) < len(schema["anyOf"])
            schema = branches[0] if len(branches) == 1 else {"anyOf": branches}
            if "anyOf" in schema:
                return schema, nullable
        else:
            return schema, nullable


def invalid_values(schema: dict, definitions: dict, current: Any) -> Iterator[tuple[str, Any]]:
    """(what is wrong, value) pairs that `schema` must reject."""
    schema, _ = _resolve(schema, definitions)
    kind = schema.get("type")
    if "enum" in schema or "const" in schema:
        yield "not an allowed value", "no-such-value"
    if kind == "integer":
        yield "wrong type", "not-a-number"
        yield "fraction", 1.5
        if "minimum" in schema:
            yield "below the minimum", schema["minimum"] - 1
        if "maximum" in schema:
            yield "above the maximum", schema["maximum"] + 1
    elif kind == "boolean":
        yield "wrong type", "maybe"
    elif kind == "string":
        yield "wrong type", {"a": 1}
        if "pattern" in schema:
            yield "does not match the pattern", "!! not valid !!"
        if "pattern" in schema or schema.get("minLength", 0) > 0:
            yield "empty", ""
    elif kind == "array":
        yield "wrong type", {"a": 1}
        if schema.get("minItems", 0) > 0:
            yield "empty", []
    elif kind == "object":
        yield "wrong type", ["not", "a", "mapping"]
        if "properties" in schema and schema.get("additionalProperties") is False:
            yield "unknown key", {**(current if isinstance(current, dict) else {}), UNKNOWN_KEY: 1}


def cases(model, raw: dict[str, str]) -> Iterator[tuple[str, str, str, Any]]:
    """(config key, key path shown in errors, what is wrong, new raw config) for every generated bad value."""
    document = model.model_json_schema(by_alias=True)
    definitions = document.get("$defs", {})
    for name, field in model.model_fields.items():
        key = config_key(model, name)
        alias = field.alias or name
        current = program_value(raw[key]) if key in raw else field.get_default(call_default_factory=True)
        current = json.loads(json.dumps(current, default=lambda o: o.model_dump(by_alias=True)))
        for path, schema, value in _walk(document["properties"][alias], definitions, current, ()):
            for problem, bad in invalid_values(schema, definitions, value):
                shown = key + "".join(f".{p}" for p in path)
                if problem == "unknown key":
                    shown += f".{UNKNOWN_KEY}"
                yield key, shown, problem, {**raw, key: _encode(_replace(current, path, bad))}
    yield (
        f"{NAMESPACE}:{UNKNOWN_KEY}",
        f"{NAMESPACE}:{UNKNOWN_KEY}",
        "unknown key",
        {**raw, f"{NAMESPACE}:{UNKNOWN_KEY}": "1"},
    )


def _walk(schema: dict, definitions: dict, current: Any, path: tuple) -> Iterator[tuple[tuple, dict, Any]]:
    """(path, schema, current value) for a key and everything nested in it."""
    yield path, schema, current
    resolved, _ = _resolve(schema, definitions)
    if resolved.get("type") != "object" or not isinstance(current, dict):
        return
    for child, child_schema in (resolved.get("properties") or {}).items():
        yield from _walk(child_schema, definitions, current.get(child), (*path, child))
    values = resolved.get("additionalProperties")
    if isinstance(values, dict) and values:
        for child, value in current.items():
            if child not in (resolved.get("properties") or {}):
                yield from _walk(values, definitions, value, (*path, child))


def _replace(current: Any, path: tuple, value: Any) -> Any:
    if not path:
        return value
    base = dict(current) if isinstance(current, dict) else {}
    base[path[0]] = _replace(base.get(path[0]), path[1:], value)
    return base


def _encode(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def config_sweep_gate(stacks: Sequence[Stack]) -> Iterable[Result]:
    for stack in stacks:
        scenario = stack.raw_config.get(SCENARIO_KEY) or stack.name
        model = scenario_module(scenario).Config
        for key, shown, problem, raw in cases(model, stack.raw_config):
            try:
                load_config(model, raw, stack=stack.name)
            except ConfigError as err:
                if not any(line.startswith(f"{shown}:") or line.startswith(f"{shown}.") for line in err.lines):
                    yield stack.finding(
                        GATE, shown, problem, f"rejected, but no line names the key: {err.lines}", SOURCE
                    )
            except Exception as err:
                yield stack.finding(GATE, shown, problem, f"raised {type(err).__name__}: {err}", SOURCE)
            else:
                yield stack.finding(GATE, shown, problem, f"accepted {raw[key]!r}", SOURCE)
