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

import difflib
import json
import re
import typing
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError
from pydantic.alias_generators import to_camel

from components.errors import ArgsError, shown
from components.limits import Range
from components.limits import aws as aws_limits
from components.limits import azure as azure_limits
from stacks.messages import fields_of, problem_lines, with_value

NAMESPACE = "testbed"
SCENARIO_KEY = f"{NAMESPACE}:scenario"
PROVIDER_KEYS: Mapping[str, frozenset[str]] = {
    aws_limits.PROVIDER_NAMESPACE: aws_limits.PROVIDER_CONFIG_KEYS,
    azure_limits.PROVIDER_NAMESPACE: azure_limits.PROVIDER_CONFIG_KEYS,
}
"""Provider namespaces whose keys are checked: a typo there (`aws:regoin`) is an error, not an ignored key."""

Loc = tuple[str | int, ...]
M = TypeVar("M", bound="StackModel")


class StackModel(BaseModel):
    """Base of every config model: frozen, camelCase keys, unknown keys rejected, strict types
    (no true for a number, no 5 for a text: YAML's types are kept, engine strings of top-level
    keys are converted by `scalar_value`)."""

    model_config = ConfigDict(
        strict=True,
        extra="forbid",
        frozen=True,
        alias_generator=to_camel,
        populate_by_name=False,
        validate_default=True,
        use_attribute_docstrings=True,
    )


def within(limit: Range, default: int | None = None, **kwargs: Any) -> Any:
    """A config field bounded by a cloud limit (components/limits): the bounds are written there only."""
    return Field(default, ge=limit.low, le=limit.high, **kwargs)


def checked_by(problem_of: Callable[[Any], str | None], *, empty_ok: bool = False) -> AfterValidator:
    """A field checked by a component's rule (`Annotated[str, checked_by(group_name_problem)]`): its problem,
    if any, is the field's one-line error. null (and, with `empty_ok`, "") is left to the field's type."""

    def check(value: Any) -> Any:
        if value is None or (empty_ok and not value):
            return value
        if problem := problem_of(value):
            raise ValueError(problem)
        return value

    return AfterValidator(check)


def cluster_name_or_stack(value: str | None, stack: str, problem_of: Callable[[str], str | None]) -> str:
    """`clusterName` as both clouds read it: unset names the cluster after the stack, "" is refused, and the
    cloud's own naming rule (`problem_of`) judges the result."""
    if value == "":
        raise ValueError("'': a name; leave the key out to name the cluster after the stack")
    name = value if value is not None else stack
    if problem := problem_of(name):
        raise ValueError(problem)
    return name


class SpecDefaults:
    """Stack-side defaults for fields a component spec leaves to its user (a component does not pick a size; a
    test bed does): `Annotated[NodeGroupSpec, SpecDefaults(instance_type="t3.medium")]` fills them in before
    validation and shows them in the JSON Schema."""

    def __init__(self, **defaults: Any):
        self.defaults = {to_camel(name): value for name, value in defaults.items()}

    def _fill(self, value: Any) -> Any:
        return {**self.defaults, **value} if isinstance(value, dict) else value

    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> Any:
        from pydantic_core import core_schema

        return core_schema.no_info_before_validator_function(self._fill, handler(source))

    def __get_pydantic_json_schema__(self, schema: Any, handler: Any) -> Any:
        json_schema = handler(schema)
        target = handler.resolve_ref_schema(json_schema)
        for key, value in self.defaults.items():
            target["properties"][key]["default"] = value
        required = [key for key in target.get("required", []) if key not in self.defaults]
        if required:
            target["required"] = required
        else:
            target.pop("required", None)
        return json_schema


class ConfigProblems(ValueError):
    """Raised by cross-field validators: problems located by key path relative to the model."""

    def __init__(self, problems: Iterable[tuple[Loc, str]]):
        self.problems = list(problems)
        super().__init__("; ".join(message for _, message in self.problems))


def with_problems(err: ValidationError, problems: list[tuple[Loc, str]]) -> ValidationError:
    """`err` (a field's own errors, from a wrap validator's handler) with `problems` of that field added, so
    that one stack-file run says both; `err` itself when there are none."""
    if not problems:
        return err
    details: list[Any] = [{key: e[key] for key in ("type", "loc", "input", "ctx") if key in e} for e in err.errors()]
    details.append({"type": "value_error", "loc": (), "input": None, "ctx": {"error": ConfigProblems(problems)}})
    return ValidationError.from_exception_data(err.title, details)


def failed_keys(err: ValidationError) -> set[str]:
    """The keys of a spec that `err` refuses: where pydantic did, and the fields its `__post_init__` named."""
    keys = set()
    for error in err.errors(include_url=False):
        cause = (error.get("ctx") or {}).get("error")
        if isinstance(cause, ArgsError):
            keys.update(to_camel(name.partition(".")[0]) for name, _ in cause.problems)
        elif error["loc"]:
            keys.add(str(error["loc"][0]))
    return keys


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

    Raises ConfigError naming every bad key, one line per problem.
    """
    keys = {config_key(model, name): name for name in model.model_fields}
    data: dict[str, Any] = {}
    problems: list[str] = []
    unsafe: set[str] = set()
    for key, value in sorted(raw.items()):
        namespace = key.partition(":")[0]
        if key in keys:
            field = model.model_fields[keys[key]]
            data[field.alias or keys[key]] = scalar_value(program_value(value), field.annotation)
            for path, text in _unsafe_strings(data[field.alias or keys[key]], key):
                problems.append(f"{path}: {shown(text)}: {UNSAFE_ALLOWED}")
                unsafe.add(path)
        elif key == SCENARIO_KEY:
            continue
        elif namespace == NAMESPACE:
            problems.append(f"{key}: unknown key; {_suggest(key, keys)}known keys: {_grouped(keys)}")
        elif namespace in PROVIDER_KEYS and key.partition(":")[2] not in PROVIDER_KEYS[namespace]:
            known = sorted(f"{namespace}:{k}" for k in PROVIDER_KEYS[namespace])
            problems.append(f"{key}: not a key the {namespace} provider reads; {_suggest(key, known)}see its docs")
    try:
        config = model.model_validate(data, context={"stack": stack})
    except ValidationError as err:
        problems.extend(line for line in _lines(model, err) if line.partition(": ")[0] not in unsafe)
        raise ConfigError(problems) from None
    if problems:
        raise ConfigError(problems)
    return config


UNSAFE_ALLOWED = "text without control characters (CR, LF, NUL, tab ...): it would reach headers and environments"


def _unsafe_strings(value: Any, key: str) -> list[tuple[str, str]]:
    """(key path, text) of every string in `value` holding a control character."""
    if isinstance(value, str):
        return [(key, value)] if any(ord(c) < 0x20 or ord(c) == 0x7F for c in value) else []
    if isinstance(value, dict):
        found = []
        for child, item in value.items():
            path = f"{key}.{_cut(str(child))}"
            found += [(path, str(child))] if _unsafe_strings(str(child), "") else []
            found += _unsafe_strings(item, path)
        return found
    if isinstance(value, list):
        return [found for i, item in enumerate(value) for found in _unsafe_strings(item, f"{key}[{i}]")]
    return []


def _grouped(keys: Iterable[str]) -> str:
    """'aws:region; testbed: availabilityZones, cluster' for those full keys: each namespace named once."""
    by_namespace: dict[str, list[str]] = {}
    for key in sorted(keys):
        namespace, _, name = key.partition(":")
        by_namespace.setdefault(namespace, []).append(name)
    return "; ".join(f"{namespace}: {', '.join(names)}" for namespace, names in sorted(by_namespace.items()))


def _suggest(key: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(key, list(known), n=1, cutoff=0.8)
    return f"did you mean {close[0]}? " if close else ""


def scalar_value(value: Any, annotation: Any) -> Any:
    """A top-level engine string as the type the field asks for, the way the Pulumi SDK's
    `get_int`/`get_bool`/`get_float` read it; anything else unchanged (the strict model then
    says what is wrong). Nested values come as JSON and keep their YAML types."""
    if not isinstance(value, str):
        return value
    kinds = {a for a in (typing.get_args(annotation) or (annotation,)) if a is not type(None)}
    if kinds & {int, float} and re.fullmatch(r"[+-]?\d+", value):
        return int(value)
    if float in kinds and re.fullmatch(r"[+-]?(\d+\.\d*|\.\d+|\d+)([eE][+-]?\d+)?", value):
        return float(value)
    if bool in kinds and value in ("true", "false"):
        return value == "true"
    return value


def _lines(model: type[StackModel], err: ValidationError) -> list[str]:
    lines = []
    plain = []
    for error in err.errors(include_url=False):
        loc = tuple(error["loc"])
        cause = (error.get("ctx") or {}).get("error")
        if isinstance(cause, ConfigProblems):
            for sub_loc, message in cause.problems:
                lines.append(f"{_key(model, loc + sub_loc)}: {message}")
        elif isinstance(cause, ArgsError):
            lines.extend(_spec_lines(model, loc, error.get("input"), cause))
        elif error["type"] == "missing":
            field = _field_at(model, loc)
            hint = f" ({field.description})" if field is not None and field.description else ""
            lines.append(f"{_key(model, loc)}: missing; this key has no default and must be set{hint}")
        elif error["type"] in ("extra_forbidden", "unexpected_keyword_argument"):
            known = _known_keys(model, loc[:-1])
            listed = f"; {_suggest(str(loc[-1]), known)}known keys: {', '.join(known)}" if known else ""
            lines.append(f"{_key(model, loc)}: unknown key{listed}")
        else:
            plain.append(error)
    lines.extend(problem_lines(model, plain, lambda loc: _key(model, loc)))
    return list(dict.fromkeys(lines))


def _spec_lines(model: type[StackModel], loc: Loc, given: Any, err: ArgsError) -> list[str]:
    """A component spec's own problems (its `__post_init__` raised ArgsError) as config lines: a field
    `labels.role` is the key path `labels.role` under the spec's key."""
    lines = []
    for name, reason in err.problems:
        head, _, rest = name.partition(".")
        key = _key(model, loc + (to_camel(head),) + ((rest,) if rest else ()))
        value = given.get(to_camel(head)) if isinstance(given, dict) and not rest else None
        lines.append(f"{key}: {with_value(value, reason) if value is not None else reason}")
    return lines


def _key(model: type[StackModel], loc: Loc) -> str:
    """'testbed:nodeGroups.infra.minSize' for loc ('nodeGroups', 'infra', 'minSize')."""
    if not loc:
        return f"{NAMESPACE}:*"
    head, *rest = loc
    head = str(head)
    key = head if ":" in head else f"{NAMESPACE}:{head}"
    for part in rest:
        if part == "[key]":
            continue  # pydantic's tag of a mapping key's own error: the path ends at that key
        key += f"[{part}]" if isinstance(part, int) else f".{_cut(str(part))}"
    return key


def _cut(part: str, limit: int = 40) -> str:
    """A mapping key in a key path, cut like a value (a 200-character tag key is named, not repeated); an empty
    key, or one with blanks or control characters, quoted as Python would, so the line stays one line."""
    if not part or not part.isprintable() or part.strip() != part:
        part = repr(part)
    return part if len(part) <= limit else f"{part[: limit - 3]}..."


def _field_at(model: type[BaseModel], loc: Loc) -> Any:
    """The field at `loc` (its annotation and description), or None."""
    parent = _model_at(model, loc[:-1])
    if parent is None:
        return None
    return (fields_of(parent) or {}).get(str(loc[-1]))


def _known_keys(model: type[BaseModel], loc: Loc) -> list[str]:
    """Keys a nested model or spec at `loc` accepts (for 'unknown key' messages)."""
    current = _model_at(model, loc)
    return sorted(fields_of(current) or {}) if current is not None else []


def _model_at(model: type[BaseModel], loc: Loc) -> Any:
    """The model (or component spec) class that validates the mapping at `loc`."""
    current: Any = model
    for part in loc:
        fields = fields_of(current)
        if fields is None:
            return None
        field = fields.get(str(part))
        if field is None:
            # a mapping key or list index: step into the mapping's value type
            continue
        current = _model_in(field.annotation)
    return current if fields_of(current) is not None else None


def _model_in(annotation: Any) -> Any:
    """The model or spec class inside an annotation like `Model | None`, `dict[str, Model]`, `Annotated[Spec, ...]`."""
    if fields_of(annotation) is not None:
        return annotation
    for arg in reversed(typing.get_args(annotation)):
        found = _model_in(arg)
        if found is not None:
            return found
    return None
