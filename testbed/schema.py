"""JSON Schemas for the stack files, generated from the scenario config models.

Each `stacks/Pulumi.<stack>.yaml` names its schema in a first-line comment
(`# yaml-language-server: $schema=schema/<scenario>.schema.json`), so editors check keys and
values as you type. tests/test_schema.py keeps the committed schemas current.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from stacks import SCENARIOS, scenario_module
from stacks.config import NAMESPACE, SCENARIO_KEY, config_key

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "stacks" / "schema"
# Namespaces a stack file may also use: the providers' own settings and Pulumi's.
OTHER_NAMESPACES = r"^(aws|azure-native|kubernetes|tls|eks|pulumi):"


def stack_file_schema(scenario: str) -> dict[str, Any]:
    """Schema of a stack file for `scenario`: its `config:` keys are the model's fields."""
    model = scenario_module(scenario).Config
    model_schema = model.model_json_schema(by_alias=True, mode="validation")
    definitions = model_schema.pop("$defs", {})
    properties = {
        SCENARIO_KEY: {"const": scenario, "description": "The scenario this stack builds (default: the stack name)."}
    }
    required = []
    for name, field in model.model_fields.items():
        alias = field.alias or name
        key = config_key(model, name)
        properties[key] = model_schema["properties"][alias]
        if alias in model_schema.get("required", []):
            required.append(key)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://testbed.invalid/schema/{scenario}.schema.json",
        "title": f"Pulumi stack file for the {scenario} scenario",
        "description": (model.__doc__ or "").strip(),
        "type": "object",
        "properties": {
            "config": {
                "type": "object",
                "properties": properties,
                "required": required,
                "patternProperties": {OTHER_NAMESPACES: {}},
                "additionalProperties": False,
            }
        },
        "$defs": definitions,
    }


def render(scenario: str) -> str:
    return json.dumps(stack_file_schema(scenario), indent=2, sort_keys=True) + "\n"


def write_all(check: bool = False) -> list[Path]:
    """Write every scenario's schema; with `check`, write nothing and return the stale ones."""
    stale = []
    for scenario in sorted(SCENARIOS):
        path = SCHEMA_DIR / f"{scenario}.schema.json"
        text = render(scenario)
        if not path.exists() or path.read_text() != text:
            stale.append(path)
            if not check:
                SCHEMA_DIR.mkdir(parents=True, exist_ok=True)
                path.write_text(text)
    return stale


__all__ = ["NAMESPACE", "render", "stack_file_schema", "write_all"]
