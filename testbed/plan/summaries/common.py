"""What the summaries share: the summary type and picking values by dotted path."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

Summary = Callable[[dict[str, Any]], Iterable[tuple[str, Any]]]
"""Inputs of one resource -> (label, value) lines of the tree; empty values are not printed."""


def pick(*paths: str) -> Summary:
    def summary(inputs: dict[str, Any]) -> Iterable[tuple[str, Any]]:
        for path in paths:
            label, _, path = path.rpartition("=") if "=" in path else (path.split(".")[-1], "", path)
            value = get(inputs, path)
            if value not in (None, [], {}, ""):
                yield label, value

    return summary


def get(data: Any, path: str) -> Any:
    for part in path.split("."):
        if isinstance(data, dict):
            data = data.get(part)
        elif isinstance(data, list) and part.isdigit() and int(part) < len(data):
            data = data[int(part)]
        else:
            return None
    return data
