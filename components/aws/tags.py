"""AWS resource tag rules (components/limits/aws.py), shared by the stack config and the components."""

from __future__ import annotations

from collections.abc import Mapping

from ..errors import shown
from ..limits import aws as limits


def tag_problems(tags: Mapping[str, str], *, room: int = limits.TAGS_PER_RESOURCE) -> list[tuple[str, str]]:
    """(tag key, what is wrong) for every tag AWS would refuse; at most `room` tags in all."""
    problems: list[tuple[str, str]] = []
    if len(tags) > room:
        problems.append(("", f"{len(tags)} tags: at most {room} (AWS allows {limits.TAGS_PER_RESOURCE} per resource)"))
    for key, value in tags.items():
        if len(key) not in range(limits.TAG_KEY_LENGTH.low, limits.TAG_KEY_LENGTH.high + 1):
            problems.append((key, f"key {shown(key)}: {limits.TAG_KEY_LENGTH} long"))
        elif key.lower().startswith(limits.TAG_RESERVED_PREFIX):
            problems.append((key, f"key {shown(key)}: not starting with {limits.TAG_RESERVED_PREFIX} (AWS's own)"))
        elif not limits.TAG_TEXT.match(key) or key != key.strip():
            problems.append((key, f"key {shown(key)}: letters, digits, spaces and _ . : / = + - @, no edge blanks"))
        if not isinstance(value, str):
            problems.append((key, f"value {shown(value)}: text"))
        elif len(value) > limits.TAG_VALUE_LENGTH.high:
            problems.append((key, f"value {shown(value)}: at most {limits.TAG_VALUE_LENGTH.high} characters"))
        elif not limits.TAG_TEXT.match(value):
            problems.append((key, f"value {shown(value)}: letters, digits, spaces and _ . : / = + - @"))
    return problems
