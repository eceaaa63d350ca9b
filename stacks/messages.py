"""pydantic's validation errors as plain one-line problems: `<key>: <value>: <what is allowed>`.

No pydantic internals reach a user: error types become words ("a whole number", "at most 5"),
union-member tags (`constrained-int`, `literal['traffic-port']`) are dropped from key paths and
the members' allowed values joined with "or", patterns are described in words, and values are
cut (components.errors.shown).
"""

from __future__ import annotations

import dataclasses
import functools
import re
import types
import typing
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from pydantic import BaseModel, TypeAdapter

from components.errors import shown
from components.specs import camel

Loc = tuple[str | int, ...]

LINE_LIMIT = 300
"""A problem line longer than this repeats too much (a value is cut at 60 characters)."""
INTERNALS = re.compile(
    r"Input should|pydantic|constrained-|literal\[|function-after|valid dictionary|String should|should match pattern"
    r"|\^\[|Traceback|type="
)
"""Words of pydantic, regular expressions and Python that must not reach a user."""

NULL_ALLOWED = "a value (null is not one; leave the key out for its default)"

PATTERN_WORDS: Mapping[str, str] = {
    r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$": (
        "a Kubernetes name: 1-63 lowercase letters, digits and '-', starting and ending with a letter or digit"
    ),
    r"^/[A-Za-z0-9._~/-]*$": "a path starting with '/', of letters, digits and . _ ~ / -",
    r"^/[A-Za-z0-9._~-]+(/[A-Za-z0-9._~-]+)*$": (
        "a path like /test: '/'-separated parts of letters, digits and . _ ~ -, no trailing '/'"
    ),
    r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$": (
        "a DNS name like www.example.com: lowercase letters, digits, '-' and at least one '.'"
    ),
    r"^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$": (
        "a DNS name like www.example.com or *.example.com: lowercase letters, digits, '-' and '.'"
    ),
}
"""Every `pattern=` a config field uses -> the same rule in words (a test checks none is missing)."""

_TYPE_WORDS: Mapping[str, str] = {
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "string_type": "text (quote it if it looks like a number or true/false)",
    "dict_type": "a mapping of key: value",
    "model_type": "a mapping of key: value",
    "model_attributes_type": "a mapping of key: value",
    "dataclass_type": "a mapping of key: value",
    "list_type": "a list",
    "tuple_type": "a list",
    "set_type": "a list",
    "none_required": "null",
    "finite_number": "a finite number",
}

_BOUND_WORDS: Mapping[str, str] = {
    "greater_than_equal": "at least {ge}",
    "greater_than": "more than {gt}",
    "less_than_equal": "at most {le}",
    "less_than": "less than {lt}",
    "too_short": "at least {min_length} item(s)",
    "too_long": "at most {max_length} item(s)",
    "string_too_long": "at most {max_length} characters",
}
"""Error types whose words name their bound: the template, filled from the error's `ctx`."""


def unclear_line(line: str) -> str | None:
    """Why a problem line is not clear (too long, validator internals), or None."""
    if len(line) > LINE_LIMIT:
        return f"a line of {len(line)} characters (at most {LINE_LIMIT})"
    if match := INTERNALS.search(line):
        return f"internals ({match.group(0)!r}) in: {line[:120]}"
    return None


def problem_lines(model: type[BaseModel], errors: Sequence[dict[str, Any]], key_of: Callable[[Loc], str]) -> list[str]:
    """One line per problem location, union members' allowed values merged; `key_of` names a location."""
    merged: dict[Loc, tuple[Any, list[str]]] = {}
    own: set[Loc] = set()
    for error in errors:
        loc = clean_loc(model, tuple(error["loc"]))
        value = error.get("input")
        allowed = NULL_ALLOWED if value is None else allowed_words(error)
        if error["type"] in ("value_error", "assertion_error") and value is not None:
            own.add(loc)  # our validators' messages, which may name the value themselves
        _, words = merged.setdefault(loc, (value, []))
        if allowed not in words:
            words.append(allowed)
    lines = []
    for loc, (value, words) in merged.items():
        allowed = " or ".join(words)
        lines.append(f"{key_of(loc)}: {with_value(value, allowed) if loc in own else f'{shown(value)}: {allowed}'}")
    return lines


def with_value(value: Any, message: str) -> str:
    """`<value>: <message>`, or the message alone where it names the value itself (cut to size there)."""
    if isinstance(value, (dict, list)):
        return message  # our validators say which item is wrong
    if shown(value) in message:
        return message
    if (text := repr(value)) in message:
        return message.replace(text, shown(value))
    if (text := str(value)) and text in message:
        return message if len(text) <= len(shown(value)) else message.replace(text, shown(value))
    return f"{shown(value)}: {message}"


def allowed_words(error: dict[str, Any]) -> str:
    """What is allowed, in words, for one pydantic error."""
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind in _TYPE_WORDS:
        return _TYPE_WORDS[kind]
    if kind in _BOUND_WORDS:
        return _BOUND_WORDS[kind].format_map(defaultdict(lambda: None, ctx))
    if kind == "string_too_short":
        return "not empty" if ctx.get("min_length") == 1 else f"at least {ctx.get('min_length')} characters"
    if kind == "string_pattern_mismatch":
        return PATTERN_WORDS.get(str(ctx.get("pattern")), "text of the documented form (see the key's description)")
    if kind in ("literal_error", "enum"):
        expected = str(ctx.get("expected", "")).replace("'", "").replace(" or ", ", ")
        return f"one of {expected}"
    if kind in ("value_error", "assertion_error"):
        return str(error["msg"]).removeprefix("Value error, ").removeprefix("Assertion failed, ")
    if kind == "missing":
        return "missing; this key has no default and must be set"
    if kind == "extra_forbidden":
        return "unknown key"
    return "a value of another kind (see the key's description)"


@dataclasses.dataclass(frozen=True)
class _Field:
    """What the messages need of a field of a model or of a component spec."""

    annotation: Any
    description: str | None


def fields_of(cls: Any) -> dict[str, _Field] | None:
    """A config model's or a component spec's fields by stack-file key, or None for any other type."""
    if isinstance(cls, type) and issubclass(cls, BaseModel):
        return {f.alias or n: _Field(f.annotation, f.description) for n, f in cls.model_fields.items()}
    if isinstance(cls, type) and dataclasses.is_dataclass(cls) and hasattr(cls, "__pydantic_config__"):
        return _spec_fields(cls)
    return None


@functools.cache
def _spec_fields(cls: type) -> dict[str, _Field]:
    hints = typing.get_type_hints(cls, include_extras=True)
    properties = TypeAdapter(cls).json_schema(by_alias=True).get("properties", {})
    return {
        camel(f.name): _Field(hints[f.name], properties.get(camel(f.name), {}).get("description"))
        for f in dataclasses.fields(cls)
    }


def clean_loc(model: type[BaseModel], loc: Loc) -> Loc:
    """`loc` without pydantic's union-member tags: only field names, mapping keys and list indexes."""
    out: list[str | int] = []
    annotation: Any = model
    for part in loc:
        annotation = _strip_optional(annotation)
        if (fields := fields_of(annotation)) is not None:
            out.append(part)
            annotation = fields[str(part)].annotation if str(part) in fields else None
            continue
        origin = typing.get_origin(annotation)
        args = typing.get_args(annotation)
        if origin in (dict, Mapping) and len(args) == 2:
            out.append(part)
            annotation = args[1]
        elif origin in (list, tuple, Sequence) and args:
            out.append(part)
            annotation = args[0]
        elif origin in (typing.Union, types.UnionType):
            members = {getattr(a, "__name__", ""): a for a in args}
            annotation = members.get(str(part))  # a model member's tag is its class name; any other tag: a scalar
        elif annotation is None and isinstance(part, str) and ("[" in part or part in _SCALAR_TAGS):
            continue
        else:
            out.append(part)
            annotation = None
    return tuple(out)


_SCALAR_TAGS = frozenset(
    {"int", "str", "float", "bool", "none", "constrained-int", "constrained-str", "constrained-float"}
)


def _strip_optional(annotation: Any) -> Any:
    """`X` for `X | None` and `Annotated[X, ...]`; anything else unchanged."""
    if typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        members = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(members) == 1:
            return _strip_optional(members[0])
    return annotation
