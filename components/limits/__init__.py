"""How a cloud limit is written: an inclusive range of whole numbers, with where it comes from.

Each limit is written once, in components/limits/aws.py or components/limits/azure.py (plain data,
importable without the cloud SDKs), and read
by the stack-config fields (stacks/*.py), the components' validation and the annotation
builders alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


def is_int(value: object) -> bool:
    """A whole number, and not a bool (True is an int to Python, not to a cloud API)."""
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True)
class Range:
    """An inclusive range of whole numbers, as the cloud documents it."""

    low: int
    high: int
    unit: str = ""

    def __str__(self) -> str:
        separator = " to " if self.low < 0 else "-"
        return f"{self.low}{separator}{self.high}{self.unit}"

    def __contains__(self, value: object) -> bool:
        return is_int(value) and self.low <= value <= self.high  # type: ignore[operator]

    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> Any:
        """pydantic's hook (its protocol, no import): `Annotated[int, RANGE]` in a component spec gives a stack
        config the same bounds, messages and JSON-Schema minimum/maximum as `within(RANGE)`."""
        return {**handler(source), "ge": self.low, "le": self.high}

    def problem(self, value: object) -> str | None:
        """Why `value` is not in the range (naming the value and the range), or None."""
        if not is_int(value):
            return f"{value!r} is not a whole number; allowed: {self}"
        if value not in self:
            return f"{value} is outside the allowed range {self}"
        return None


PORT = Range(1, 65535)
"""A TCP or UDP port, and so a Kubernetes Service port or containerPort (RFC 793, RFC 768)."""
DNS_NAME_LENGTH = 253
"""A DNS name, and so an HTTP Host header without its port (RFC 1035 2.3.4, RFC 9110 7.2)."""
