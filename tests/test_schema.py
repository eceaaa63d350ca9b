"""The stack-file JSON Schemas: current, valid for every stack file, and able to reject."""

from __future__ import annotations

import json

import jsonschema
import pytest
import yaml
from pydantic import BaseModel

from stacks import SCENARIOS, scenario_module
from testbed import schema
from testbed.stackfile import STACKS_DIR, known_stacks


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_committed_schema_is_current(scenario):
    committed = (schema.SCHEMA_DIR / f"{scenario}.schema.json").read_text()
    assert committed == schema.render(scenario), "run: python -m testbed schema"


@pytest.mark.parametrize("stack", known_stacks())
def test_every_stack_file_names_and_passes_its_schema(stack):
    text = (STACKS_DIR / f"Pulumi.{stack}.yaml").read_text()
    document = yaml.safe_load(text)
    scenario = document["config"].get("testbed:scenario", stack)
    assert text.splitlines()[0] == f"# yaml-language-server: $schema=schema/{scenario}.schema.json"
    jsonschema.Draft202012Validator(json.loads(schema.render(scenario))).validate(document)


def test_schema_rejects_unknown_keys_and_bad_values():
    validator = jsonschema.Draft202012Validator(json.loads(schema.render("eks-base")))
    document = yaml.safe_load((STACKS_DIR / "Pulumi.eks-base.yaml").read_text())
    for key, value in (
        ("testbed:nodeGroup", {}),
        ("testbed:network", {"natGateways": "double"}),
        ("testbed:cluster", {"corednsReplicas": 0}),
    ):
        bad = {"config": {**document["config"], key: value}}
        assert list(validator.iter_errors(bad)), key
    missing_region = {"config": {k: v for k, v in document["config"].items() if k != "aws:region"}}
    assert any("aws:region" in e.message for e in validator.iter_errors(missing_region))


def _models(model: type[BaseModel], seen: set) -> list[type[BaseModel]]:
    if model in seen:
        return []
    seen.add(model)
    found = [model]
    for field in model.model_fields.values():
        for candidate in _nested(field.annotation):
            found += _models(candidate, seen)
    return found


def _nested(annotation) -> list[type[BaseModel]]:
    import typing

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in typing.get_args(annotation) for m in _nested(arg)]


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_every_config_field_is_documented(scenario):
    for model in _models(scenario_module(scenario).Config, set()):
        for name, field in model.model_fields.items():
            assert field.description, f"{model.__name__}.{name} has no description"
