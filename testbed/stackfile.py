"""Stack files (`stacks/Pulumi.<stack>.yaml`) read the way the Pulumi engine reads them."""

from __future__ import annotations

from pathlib import Path

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
