"""Kubernetes version support calendars (EKS, AKS): which phase a version is in on a given day.

Plain data and functions, no Pulumi: the calendars themselves are data, one shape for every
service, in support_calendars.json (dates, the service's rule, the source and notes per version),
loaded by `load_calendar` next to the versions they describe (components/aws/versions.py,
components/azure/versions.py).
A day is always passed in, so that a caller decides what "today" is (a plan uses the real date,
golden plans a pinned one).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from pathlib import Path

_MINOR = re.compile(r"^(\d+)\.(\d+)(?:\.\d+)?$")
CALENDARS_FILE = Path(__file__).resolve().parent / "support_calendars.json"
"""Every service's calendar: key ("eks", "aks") -> service, extended_name, rule, source, notes, windows."""


@dataclass(frozen=True, kw_only=True)
class SupportWindow:
    """One Kubernetes minor version's life on a managed service: released, end of standard
    support, end of extended support (EKS extended support, AKS LTS). Ends are the last
    supported day."""

    release: date
    standard_end: date
    extended_end: date

    def __post_init__(self) -> None:
        if not self.release < self.standard_end <= self.extended_end:
            raise ValueError(f"{self}: needs release < standard_end <= extended_end")


class SupportPhase(StrEnum):
    """Where a version is in its window on a given day."""

    UNRELEASED = "unreleased"
    STANDARD = "standard"
    EXTENDED = "extended"
    ENDED = "ended"


@dataclass(frozen=True, kw_only=True)
class SupportCalendar:
    """A managed service's support windows by minor version ("1.35"), with their source."""

    service: str
    """The service as users name it: "Amazon EKS", "AKS"."""
    extended_name: str
    """What the service calls the phase after standard support: "extended support", "LTS"."""
    windows: Mapping[str, SupportWindow]
    source: str
    """Where the dates come from (document, commit)."""

    def known_versions(self) -> list[str]:
        """Every version in the calendar, oldest first."""
        return sorted(self.windows, key=version_key)

    def window(self, version: str) -> SupportWindow | None:
        """The window of `version` ("1.35" or a patch "1.35.3"), or None when the calendar does not know it."""
        minor = minor_version(version)
        return self.windows.get(minor) if minor else None

    def phase(self, version: str, today: date) -> SupportPhase:
        """The phase of `version` on `today`; KeyError for a version the calendar does not know."""
        window = self.window(version)
        if window is None:
            raise KeyError(version)
        if today < window.release:
            return SupportPhase.UNRELEASED
        if today <= window.standard_end:
            return SupportPhase.STANDARD
        if today <= window.extended_end:
            return SupportPhase.EXTENDED
        return SupportPhase.ENDED

    def unknown_version_problem(self, version: str) -> str | None:
        """One line when `version` is not in the calendar (naming the known versions), else None."""
        if self.window(version) is not None:
            return None
        return f"{version!r} is not in the {self.service} support calendar; known: {', '.join(self.known_versions())}"

    def newest_in_standard_support(self, today: date, *, for_at_least: timedelta) -> str | None:
        """The newest released version still in standard support `for_at_least` after `today`."""
        fits = [v for v, w in self.windows.items() if w.release <= today and w.standard_end >= today + for_at_least]
        return max(fits, key=version_key) if fits else None


def load_calendar(key: str) -> SupportCalendar:
    """The calendar `key` of support_calendars.json ("eks", "aks"), its dates parsed (ISO, last days)."""
    entry = json.loads(CALENDARS_FILE.read_text())[key]
    return SupportCalendar(
        service=entry["service"],
        extended_name=entry["extended_name"],
        windows={
            version: SupportWindow(**{phase: date.fromisoformat(day) for phase, day in window.items()})
            for version, window in entry["windows"].items()
        },
        source=entry["source"],
    )


def in_standard_support(calendar: SupportCalendar, version: str, today: date) -> bool:
    """True when `version` is released and still in standard support on `today`."""
    return calendar.window(version) is not None and calendar.phase(version, today) is SupportPhase.STANDARD


def in_extended_support(calendar: SupportCalendar, version: str, today: date) -> bool:
    """True when `version` has left standard support on `today` but not yet extended support."""
    return calendar.window(version) is not None and calendar.phase(version, today) is SupportPhase.EXTENDED


def minor_version(version: str) -> str | None:
    """ "1.35.3" -> "1.35", "1.35" -> "1.35"; None for anything else."""
    match = _MINOR.match(version)
    return f"{int(match[1])}.{int(match[2])}" if match else None


def version_key(version: str) -> tuple[int, int]:
    """Sort key of a minor version: "1.9" < "1.10"."""
    major, _, minor = version.partition(".")
    return int(major), int(minor)


def support_warning(calendar: SupportCalendar, version: str, today: date, *, extended_cost: str) -> str | None:
    """The warning for a plan of `version` on `today`, or None while it is in standard support.

    `extended_cost` says what the phase after standard support costs (e.g. "+$0.50/h").
    """
    window = calendar.window(version)
    if window is None:
        return calendar.unknown_version_problem(version)
    what = f"{calendar.service} Kubernetes {version}"
    match calendar.phase(version, today):
        case SupportPhase.STANDARD:
            return None
        case SupportPhase.UNRELEASED:
            return f"{what} is not released until {window.release.isoformat()} ({calendar.source})"
        case SupportPhase.EXTENDED:
            return (
                f"{what} left standard support on {window.standard_end.isoformat()}; "
                f"until {window.extended_end.isoformat()} it runs in {calendar.extended_name}: {extended_cost}"
            )
        case SupportPhase.ENDED:
            return f"{what} is out of support since {window.extended_end.isoformat()}: the service will upgrade it"
    return None
