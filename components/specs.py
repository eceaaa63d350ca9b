"""What makes a component's spec also a stack-config model: camelCase keys, unknown keys refused, strict types.

A spec is a frozen, keyword-only stdlib dataclass deriving from `Spec`. pydantic (used by the stack configs,
never imported here) validates such a dataclass from a mapping of camelCase keys: `__pydantic_config__` is
read as plain data, and each field's docstring becomes its JSON-Schema description. The spec's own rules
run in `__post_init__` (raising ArgsError), so they run once, whether a program builds the spec in Python
or a stack file describes it.
"""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar


def camel(name: str) -> str:
    """'desired_size' -> 'desiredSize': a spec field's key in a stack file."""
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _factory_defaults(schema: dict[str, Any], cls: type) -> None:
    """Show `field(default_factory=dict)` and the like as `"default": {}` in the JSON Schema, as a model's `= {}`."""
    properties = schema.get("properties", {})
    for spec_field in dataclasses.fields(cls):
        factory = spec_field.default_factory
        if factory in (dict, list, tuple) and camel(spec_field.name) in properties:
            properties[camel(spec_field.name)].setdefault("default", factory())  # type: ignore[misc]


class Spec:
    """Base of component specs a stack config embeds (a dataclass deriving from it is validated by pydantic
    from a mapping with camelCase keys, unknown keys refused, no silent coercion: no true for a number)."""

    __pydantic_config__: ClassVar[dict[str, Any]] = {
        "extra": "forbid",
        "alias_generator": camel,
        "populate_by_name": False,
        "strict": True,
        "use_attribute_docstrings": True,
        "json_schema_extra": _factory_defaults,
    }

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> Any:
        """pydantic's hook (its protocol, no import): strict fields, yet the spec itself may come as a mapping
        (strict alone would take only an instance of the dataclass)."""
        schema = handler(source)
        return {**schema, "strict": False} if schema.get("type") == "dataclass" else schema
