"""Helpers every fake provider module shares."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Context:
    """What a fake may know of the stack: its config (`namespace:key` -> string)."""

    config: Mapping[str, str]

    @property
    def aws_region(self) -> str:
        return self.config.get("aws:region", "ap-northeast-2")


ResourceHandler = Callable[[Context, str, dict[str, Any], str], tuple[str, dict[str, Any]]]
InvokeHandler = Callable[[Context, dict[str, Any]], dict[str, Any]]


def digest(*parts: str, length: int = 17) -> str:
    """A stable hex string for `parts`."""
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:length]


def uuid(seed: str) -> str:
    """A stable UUID-shaped string for `seed`."""
    h = digest("uuid", seed, length=32)
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def fake_pem(kind: str, seed: str) -> str:
    """A PEM-shaped block that says it is fake."""
    body = base64.b64encode(f"testbed mock {kind} {seed}".encode()).decode()
    return f"-----BEGIN {kind}-----\n{body}\n-----END {kind}-----\n"


def auto_name(name: str, inputs: Mapping[str, Any]) -> str:
    """Pulumi auto-names cloud resources '<resource name>-<7 hex>' unless a name is given."""
    return inputs.get("name") or f"{name}-{digest('autoname', name, length=7)}"
