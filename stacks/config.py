"""Typed stack config: how `stacks/Pulumi.<stack>.yaml` becomes one frozen, validated object.

Every scenario declares a pydantic model (fields snake_case in Python, camelCase in YAML).
A field is read from the stack config key `testbed:<camelName>`, or from the full key given
as its alias when that has a namespace (`aws:region`). Unknown `testbed:` keys are errors.
A bad value is reported as one line per problem: the key, the value, what is allowed.

The same code runs under `pulumi up` (config from the engine) and `python -m testbed plan`
(config from the stack file, converted the way the engine converts it), so both report the
same errors.
"""

from __future__ import annotations

import json
import typing
from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic.alias_generators import to_camel

NAMESPACE = "testbed"
SCENARIO_KEY = f"{NAMESPACE}:scenario"

Loc = tuple[str | int, ...]
M = TypeVar("M", bound="StackModel")


class StackModel(BaseModel):
    """Base of every config model: frozen, camelCase keys, unknown keys rejected."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        alias_generator=to_camel,
        populate_by_name=False,
        validate_default=True,
        use_attribute_docstrings=True,
    )


class ConfigProblems(ValueError):
    """Raised by cross-field validators: problems located by key path relative to the model."""

    def __init__(self, problems: Iterable[tuple[Loc, str]]):
        self.problems = list(problems)
        super().__init__("; ".join(message for _, message in self.problems))


def raise_problems(problems: list[tuple[Loc, str]]) -> None:
    """Raise ConfigProblems when `problems` is not empty."""
    if problems:
        raise ConfigProblems(problems)


class ConfigError(Exception):
    """The stack config is invalid: `lines` holds one line per problem."""

    def __init__(self, lines: list[str]):
        self.lines = lines
        super().__init__("\n".join(lines))


def engine_value(value: Any) -> str:
    """A stack-file YAML value as the Pulumi engine hands it to the program: a string,
    with objects and lists as JSON."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    return str(value)


def program_value(raw: str) -> Any:
    """A config string as the model reads it: JSON for objects and lists, else the string
    (pydantic turns "5" into 5 and "true" into True where the field asks for it)."""
    text = raw.strip() if isinstance(raw, str) else raw
    if isinstance(text, str) and text[:1] in ("{", "["):
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            return raw
    return raw


def config_key(model: type[StackModel], field_name: str) -> str:
    """The stack config key of a top-level field."""
    alias = model.model_fields[field_name].alias or field_name
    return alias if ":" in alias else f"{NAMESPACE}:{alias}"


def load_config(model: type[M], raw: Mapping[str, str], *, stack: str) -> M:
    """Validate the stack's config (`namespace:key` -> engine string) into `model`.

    Raises ConfigError naming every bad key.
    """
    keys = {config_key(model, name): name for name in model.model_fields}
    data: dict[str, Any] = {}
    problems: list[str] = []
    for key, value in sorted(raw.items()):
        if key in keys:
            data[model.model_fields[keys[key]].alias or keys[key]] = program_value(value)
        elif key.startswith(f"{NAMESPACE}:") and key != SCENARIO_KEY:
            problems.append(f"{key}: unknown key; known keys: {', '.join(sorted(keys))}")
    try:
        config = model.model_validate(data, context={"stack": stack})
    except ValidationError as err:
        problems.extend(_lines(model, err))
        raise ConfigError(problems) from None
    if problems:
        raise ConfigError(problems)
    return config


def _lines(model: type[StackModel], err: ValidationError) -> list[str]:
    lines = []
    for error in err.errors(include_url=False):
        loc = tuple(error["loc"])
        cause = (error.get("ctx") or {}).get("error")
        if isinstance(cause, ConfigProblems):
            for sub_loc, message in cause.problems:
                lines.append(f"{_key(model, loc + sub_loc)}: {message}")
            continue
        lines.append(f"{_key(model, loc)}: {_message(model, loc, error)}")
    return list(dict.fromkeys(lines))


def _key(model: type[StackModel], loc: Loc) -> str:
    """'testbed:nodeGroups.infra.minSize' for loc ('nodeGroups', 'infra', 'minSize')."""
    if not loc:
        return f"{NAMESPACE}:*"
    head, *rest = loc
    head = str(head)
    key = head if ":" in head else f"{NAMESPACE}:{head}"
    for part in rest:
        key += f"[{part}]" if isinstance(part, int) else f".{part}"
    return key


def _message(model: type[StackModel], loc: Loc, error: dict[str, Any]) -> str:
    kind = error["type"]
    if kind == "missing":
        field = _field_at(model, loc)
        hint = f" ({field.description})" if field is not None and field.description else ""
        return f"missing; this key has no default and must be set{hint}"
    if kind == "extra_forbidden":
        known = _known_keys(model, loc[:-1])
        return f"unknown key; known keys: {', '.join(known)}" if known else "unknown key"
    message = error["msg"]
    for prefix in ("Value error, ", "Assertion failed, "):
        message = message.removeprefix(prefix)
    if kind.startswith(("literal_", "enum")):
        message = message.replace("Input should be", "must be one of").replace(" or ", ", ")
    else:
        message = message.replace("Input should be", "must be")
    value = error.get("input")
    if kind == "value_error" or isinstance(value, (dict, list)) or value is None:
        return message  # our own validators name the value themselves
    return f"{value!r}: {message}"


def _field_at(model: type[BaseModel], loc: Loc) -> Any:
    """The pydantic FieldInfo at `loc`, or None."""
    parent = _model_at(model, loc[:-1])
    if parent is None:
        return None
    by_alias = {f.alias or n: f for n, f in parent.model_fields.items()}
    return by_alias.get(str(loc[-1]))


def _known_keys(model: type[BaseModel], loc: Loc) -> list[str]:
    """Keys a nested model at `loc` accepts (for 'unknown key' messages)."""
    current = _model_at(model, loc)
    return sorted(f.alias or n for n, f in current.model_fields.items()) if current is not None else []


def _model_at(model: type[BaseModel], loc: Loc) -> type[BaseModel] | None:
    """The model class that validates the mapping at `loc`."""
    current: Any = model
    for part in loc:
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return None
        by_alias = {f.alias or n: f for n, f in current.model_fields.items()}
        field = by_alias.get(str(part))
        if field is None:
            # a mapping key or list index: step into the mapping's value type
            continue
        current = _model_in(field.annotation)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return current
    return None


def _model_in(annotation: Any) -> Any:
    """The BaseModel class inside an annotation like `Model | None` or `dict[str, Model]`."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in reversed(typing.get_args(annotation)):
        found = _model_in(arg)
        if found is not None:
            return found
    return None
