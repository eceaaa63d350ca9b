"""Stack files (`stacks/Pulumi.<stack>.yaml`) read the way the Pulumi engine reads them."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from stacks.config import engine_value

STACKS_DIR = Path(__file__).resolve().parent.parent / "stacks"


def stack_file(stack: str) -> Path:
    return STACKS_DIR / f"Pulumi.{stack}.yaml"


def known_stacks() -> list[str]:
    """Stacks that have a file under stacks/."""
    return sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in STACKS_DIR.glob("Pulumi.*.yaml"))


def read_stack_config(stack: str) -> dict[str, str]:
    """The `config:` of a stack file as the engine passes it to the program (strings, JSON for objects).

    `secure:` values cannot be decrypted without the stack's secrets provider; they are
    replaced by a placeholder so that the rest of the stack can still be planned.
    """
    document = yaml.safe_load(stack_file(stack).read_text()) or {}
    config = document.get("config") or {}
    return {
        key: "[secure value: not decrypted offline]"
        if isinstance(value, dict) and set(value) == {"secure"}
        else engine_value(value)
        for key, value in config.items()
    }


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
