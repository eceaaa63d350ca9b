"""Rules for text: names a cloud accepts in one spelling, and text that ends up in HTTP headers and container
environments. Plain functions, no Pulumi."""

from __future__ import annotations

import re
import zoneinfo
from dataclasses import dataclass
from functools import cache

from .errors import shown
from .limits import DNS_NAME_LENGTH


@dataclass(frozen=True)
class Spelling:
    """A name or value accepted in one spelling: its pattern, and why a value that does not match is refused.

    Called with a value, it answers with that value (quoted) and `reason`, or None, like the other checks."""

    pattern: re.Pattern[str]
    reason: str
    """What follows the quoted value in the message: `" is not <what>"` or `": allowed: <what>"`."""

    def __call__(self, value: str) -> str | None:
        return None if self.pattern.match(value) else f"{value!r}{self.reason}"


_HOST = re.compile(
    r"^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?(:\d{1,5})?$"
)


def host_header_problem(value: str) -> str | None:
    """Why `value` cannot be an HTTP Host header (a DNS name, optionally with :port), or None."""
    name = value.rsplit(":", 1)[0] if ":" in value else value
    if len(name) > DNS_NAME_LENGTH or not _HOST.match(value):
        return (
            f"{shown(value)}: a host name like example.com or example.com:8080 (at most {DNS_NAME_LENGTH} characters)"
        )
    return None


@cache
def _time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def time_zone_problem(value: str) -> str | None:
    """Why `value` is not an IANA time zone (Asia/Seoul, UTC), or None. Without a time zone database
    on this machine (no tzdata), any Area/City-shaped name is taken."""
    zones = _time_zones()
    if value in zones or (not zones and re.fullmatch(r"[A-Za-z_]+(/[A-Za-z0-9_+-]+)*", value)):
        return None
    return f"{shown(value)}: an IANA time zone like Asia/Seoul, Europe/Berlin or UTC"
