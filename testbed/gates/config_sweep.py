"""Bad-input sweep: for every key of a stack's config, generated invalid values (wrong type,
out of range, not in the enum, not matching the pattern, empty where not allowed, unknown key,
null, true for a number, a quoted number, CR/LF/NUL in text, too many or reserved tags, a typo
of a provider key) must each be rejected with one clear line naming that key (short, no
validator internals), and never with a traceback; so must a broken stack file (YAML syntax, a
list for a file or for `config:`, a key given twice, a null value).

The invalid values are derived from the scenario's JSON Schema (the same one editors use), so
every new knob is swept without anyone writing a case for it.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from components.specs import camel
from stacks import scenario_module
from stacks.config import NAMESPACE, SCENARIO_KEY, ConfigError, config_key, load_config, program_value
from stacks.messages import unclear_line
from testbed.gates import Result, Stack
from testbed.stackfile import parse_stack_text, stack_file

GATE = "config-sweep"
SOURCE = "the scenario's config model (one line per bad value, naming the key)"
UNKNOWN_KEY = "noSuchKey"
UNSAFE_TEXT = {"CR LF in text": "\r\nX-Injected: 1", "NUL in text": "\0"}
TOO_MANY_TAGS = 51


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


def invalid_values(
    schema: dict, definitions: dict, current: Any, reserved_tag: str | None = None
) -> Iterator[tuple[str, Any]]:
    """(what is wrong, value) pairs that `schema` must reject; `reserved_tag`: a tag key the cloud reserves."""
    schema, nullable = _resolve(schema, definitions)
    kind = schema.get("type")
    if not nullable and kind in ("integer", "boolean", "string", "array", "object"):
        yield "null", None
    if "enum" in schema or "const" in schema:
        yield "not an allowed value", "no-such-value"
    if kind == "integer":
        yield "wrong type", "not-a-number"
        yield "true for a number", True
        yield "quoted number", str(schema.get("minimum", 1))
        yield "fraction", 1.5
        if "minimum" in schema:
            yield "below the minimum", schema["minimum"] - 1
        if "maximum" in schema:
            yield "above the maximum", schema["maximum"] + 1
    elif kind == "boolean":
        yield "wrong type", "maybe"
    elif kind == "string":
        yield "wrong type", {"a": 1}
        for name, text in UNSAFE_TEXT.items():
            yield name, f"{current if isinstance(current, str) else 'a'}{text}"
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
        if schema.get("title") == "Tags":
            yield "too many tags", {f"tag{i}": "v" for i in range(TOO_MANY_TAGS)}
            if reserved_tag is not None:
                yield "reserved tag prefix", {reserved_tag: "v"}
        if "properties" in schema and schema.get("additionalProperties") is False:
            yield "unknown key", {**(current if isinstance(current, dict) else {}), UNKNOWN_KEY: 1}


def _plain(value: Any) -> Any:
    """A config default as its stack-file keys: a model by alias, a component spec by camelCase field."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {camel(f.name): getattr(value, f.name) for f in dataclasses.fields(value)}
    return value.model_dump(by_alias=True)


def cases(model, raw: dict[str, str]) -> Iterator[tuple[str, str, str, Any]]:
    """(config key, key path shown in errors, what is wrong, new raw config) for every generated bad value."""
    document = model.model_json_schema(by_alias=True)
    definitions = document.get("$defs", {})
    aws = any(config_key(model, name).startswith("aws:") for name in model.model_fields)
    reserved_tag = "aws:owner" if aws else None  # AWS reserves the aws: prefix
    for name, field in model.model_fields.items():
        key = config_key(model, name)
        alias = field.alias or name
        current = program_value(raw[key]) if key in raw else field.get_default(call_default_factory=True)
        current = json.loads(json.dumps(current, default=_plain))
        for path, schema, value in _walk(document["properties"][alias], definitions, current, ()):
            for problem, bad in invalid_values(schema, definitions, value, reserved_tag):
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
    for name in model.model_fields:
        key = config_key(model, name)
        namespace, _, rest = key.partition(":")
        if namespace != NAMESPACE and key in raw:
            typo = f"{namespace}:{rest[:1]}{rest[2:3]}{rest[1:2]}{rest[3:]}"  # two letters swapped: aws:rgeion
            yield typo, typo, "provider key typo", {**{k: v for k, v in raw.items() if k != key}, typo: raw[key]}


FILE_BREAKAGES: dict[str, Any] = {
    "unclosed flow list": lambda text: text + "\n  testbed:broken: [a, b\n",
    "tab indentation": lambda text: text.replace("\n  ", "\n\t", 1),
    "file is a list": lambda text: "- " + text.replace("\n", "\n  "),
    "config is a list": lambda text: text.replace("config:\n  ", "config:\n  - ", 1),
    "duplicate key": lambda text: text + _first_line(text),
    "null value": lambda text: text + "\n  testbed:nullKey: null\n",
}
"""Ways a stack file's text breaks, each of which must be one line, never a traceback."""


def _first_line(text: str) -> str:
    """The first `config:` entry of a stack file, once more (a duplicate key)."""
    lines = text.split("\n")
    start = next(i for i, line in enumerate(lines) if line.startswith("config:"))
    return "\n" + next(line for line in lines[start + 1 :] if line.startswith("  ") and ":" in line) + "\n"


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
                if not any(line.startswith((f"{shown}:", f"{shown}.", f"{shown}[")) for line in err.lines):
                    yield stack.finding(
                        GATE, shown, problem, f"rejected, but no line names the key: {err.lines}", SOURCE
                    )
                elif unclear := [why for line in err.lines if (why := unclear_line(line))]:
                    yield stack.finding(GATE, shown, problem, f"rejected, but {unclear[0]}", SOURCE)
            except Exception as err:
                yield stack.finding(GATE, shown, problem, f"raised {type(err).__name__}: {err}", SOURCE)
            else:
                yield stack.finding(GATE, shown, problem, f"accepted {raw.get(key)!r}"[:200], SOURCE)
        yield from _file_findings(stack)


def _file_findings(stack: Stack) -> Iterable[Result]:
    """Each way of breaking the stack file's text is one clear line (ConfigError), never a traceback."""
    path = stack_file(stack.name)
    if not path.is_file():
        return
    text = path.read_text()
    for problem, breakage in FILE_BREAKAGES.items():
        try:
            parse_stack_text(breakage(text), str(path))
        except ConfigError as err:
            if len(err.lines) != 1 or unclear_line(err.lines[0]):
                yield stack.finding(
                    GATE, path.name, problem, f"rejected, but not in one clear line: {err.lines}", SOURCE
                )
        except Exception as err:
            yield stack.finding(GATE, path.name, problem, f"raised {type(err).__name__}: {err}", SOURCE)
        else:
            yield stack.finding(GATE, path.name, problem, "accepted", SOURCE)
