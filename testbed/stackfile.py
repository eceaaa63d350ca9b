"""Stack files (`stacks/Pulumi.<stack>.yaml`) read the way the Pulumi engine reads them.

The engine's YAML reading rejects a duplicate key (where PyYAML would keep the last one) and a
stack file that is not a mapping with a `config:` mapping; so does this, with one line per
problem (ConfigError), never a traceback.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from components.errors import shown
from stacks.config import ConfigError, engine_value

STACKS_DIR = Path(__file__).resolve().parent.parent / "stacks"
STACKS_DIR_ENV = "TESTBED_STACKS_DIR"
"""Read stack files from this folder instead of stacks/ (tests; a platform team's own stacks)."""
SECURE_PLACEHOLDER = "[secure value: not decrypted offline]"


def stacks_dir() -> Path:
    return Path(os.environ[STACKS_DIR_ENV]) if os.environ.get(STACKS_DIR_ENV) else STACKS_DIR


def stack_file(stack: str) -> Path:
    return stacks_dir() / f"Pulumi.{stack}.yaml"


def known_stacks() -> list[str]:
    """Stacks that have a file in the stacks folder."""
    return sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in stacks_dir().glob("Pulumi.*.yaml"))


class _UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader that refuses a key given twice in one mapping, as the Pulumi engine does."""


def _mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    loader.flatten_mapping(node)
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            hash(key)
        except TypeError:
            raise yaml.constructor.ConstructorError(
                None, None, "a key that is a list or mapping", key_node.start_mark
            ) from None
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {shown(key)} (first on line {seen[key] + 1})", key_node.start_mark
            )
        seen[key] = key_node.start_mark.line
    return loader.construct_mapping(node, deep=True)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)


def parse_yaml(text: str, where: str) -> Any:
    """`text` as YAML, duplicate keys refused; ConfigError (`<where>: line L column C: <problem>`) otherwise."""
    try:
        return yaml.load(text, Loader=_UniqueKeyLoader)  # a SafeLoader subclass
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        at = f"line {mark.line + 1} column {mark.column + 1}: " if mark else ""
        problem = (err.problem or err.context or "not valid YAML").strip()
        raise ConfigError([f"{where}: {at}{problem}: valid YAML with each key once"]) from None
    except yaml.YAMLError as err:
        raise ConfigError([f"{where}: {shown(str(err))}: valid YAML"]) from None


def parse_stack_text(text: str, where: str) -> dict[str, str]:
    """The `config:` of a stack file's text as the engine passes it to the program (strings, JSON for
    objects). `secure:` values cannot be decrypted offline: a placeholder stands in for them."""
    document = parse_yaml(text, where)
    if document is None:
        return {}
    if not isinstance(document, dict):
        raise ConfigError([f"{where}: {shown(document)}: a mapping with a `config:` mapping of namespace:key: value"])
    config = document.get("config")
    if config is None:
        return {}
    if not isinstance(config, dict):
        raise ConfigError([f"{where}: config: {shown(config)}: a mapping of namespace:key: value"])
    problems = []
    values: dict[str, str] = {}
    for key, value in config.items():
        if not isinstance(key, str) or ":" not in key.strip(":") or key != key.strip():
            problems.append(f"{where}: config key {shown(key)}: namespace:key, e.g. testbed:clusterName")
        elif value is None:
            problems.append(f"{key}: null: a value (leave the key out for its default)")
        elif isinstance(value, dict) and set(value) == {"secure"}:
            values[key] = SECURE_PLACEHOLDER
        else:
            values[key] = engine_value(value)
    if problems:
        raise ConfigError(problems)
    return values


def read_stack_config(stack: str) -> dict[str, str]:
    """The `config:` of stack `stack`'s file (see parse_stack_text)."""
    path = stack_file(stack)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        raise ConfigError([f"{display_path(path)}: byte {err.start} is not UTF-8: a UTF-8 text file"]) from None
    except OSError as err:
        raise ConfigError([f"{display_path(path)}: {err.strerror or err}: a readable stack file"]) from None
    return parse_stack_text(text, display_path(path))


def apply_override(config: Mapping[str, str], setting: str) -> dict[str, str]:
    """`config` with `-c namespace:key=value` applied: the value is YAML (`{natGateways: one-per-az}`),
    empty text for an empty value; the key may be a path (testbed:nlb.tcpIdleTimeoutSeconds, see
    with_override). ConfigError, one line, for a malformed setting, YAML or a null value."""
    key, equals, text = setting.partition("=")
    if not equals or ":" not in key.strip(":") or key != key.strip():
        raise ConfigError([f"--config {shown(setting)}: namespace:key=value, e.g. testbed:clusterName=demo"])
    value = parse_yaml(text, f"--config {key}") if text else ""
    if value is None:
        raise ConfigError([f"{key}: null: a value (leave the key out for its default)"])
    try:
        return with_override(config, key, value)
    except ValueError as err:
        raise ConfigError([f"--config {shown(setting)}: {shown(str(err), 120)[1:-1]}"]) from None


def display_path(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def with_override(config: Mapping[str, str], key: str, value: Any) -> dict[str, str]:
    """`config` with `key` set to `value` (a YAML value), as `-c KEY=VALUE` and `pulumi config set --path`.

    A dotted key (`testbed:nlb.tcpIdleTimeoutSeconds`) sets one field inside the object the
    top-level key holds, keeping its other fields. ValueError when that key holds no object.
    """
    top, dot, path = key.partition(".")
    if not dot:
        return {**config, key: engine_value(value)}
    raw = config.get(top)
    try:
        document = json.loads(raw) if raw else {}
    except json.JSONDecodeError:
        document = None
    if not isinstance(document, dict):
        raise ValueError(f"{top} holds {raw!r}, not an object: set {top} itself")
    node = document
    *parents, leaf = path.split(".")
    for part in parents:
        child = node.get(part)
        if child is None:
            child = node[part] = {}
        if not isinstance(child, dict):
            raise ValueError(f"{top}.{part} holds {child!r}, not an object")
        node = child
    node[leaf] = value
    return {**config, top: engine_value(document)}
