"""Which support phase a Kubernetes version is in on a given day, from the calendars that live with the versions.

The calendars are `EKS_SUPPORT_CALENDAR` (components/aws/versions.py) and `AKS_SUPPORT_CALENDAR`
(components/azure/versions.py): version -> window with `release`, `standard_end`, `extended_end`.
Until those exist in this checkout, the same rows are read from FALLBACK below, copied from
../shared/reference/calendars.md (collected 2026-11-27: EKS from awsdocs/amazon-eks-user-guide
`kubernetes-versions.adoc`, 1.36 from endoflife.date; AKS from MicrosoftDocs/azure-aks-docs
`supported-kubernetes-versions.md`, community end of life as standard, LTS end as extended).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import Protocol


class Window(Protocol):
    @property
    def release(self) -> date: ...
    @property
    def standard_end(self) -> date: ...
    @property
    def extended_end(self) -> date: ...


@dataclass(frozen=True)
class FallbackWindow:
    release: date
    standard_end: date
    extended_end: date


class Phase(Enum):
    UNRELEASED = "not yet released"
    STANDARD = "standard support"
    EXTENDED = "extended support"
    ENDED = "past extended support"
    UNKNOWN = "not in the calendar"


def _w(release: str, standard_end: str, extended_end: str) -> FallbackWindow:
    return FallbackWindow(
        date.fromisoformat(release), date.fromisoformat(standard_end), date.fromisoformat(extended_end)
    )


FALLBACK_EKS: dict[str, FallbackWindow] = {
    "1.31": _w("2024-09-26", "2025-11-26", "2026-11-26"),
    "1.32": _w("2025-01-23", "2026-03-23", "2027-03-23"),
    "1.33": _w("2025-05-29", "2026-07-29", "2027-07-29"),
    "1.34": _w("2025-10-02", "2026-12-02", "2027-12-02"),
    "1.35": _w("2026-01-27", "2027-03-27", "2028-03-27"),
    "1.36": _w("2026-06-02", "2027-08-02", "2028-08-02"),
}
FALLBACK_AKS: dict[str, FallbackWindow] = {
    "1.32": _w("2025-04-30", "2026-03-31", "2027-03-31"),
    "1.33": _w("2025-06-30", "2026-07-31", "2027-07-31"),
    "1.34": _w("2025-11-30", "2026-11-30", "2027-11-30"),
    "1.35": _w("2026-03-31", "2027-03-31", "2028-03-31"),
    "1.36": _w("2026-06-30", "2027-06-30", "2028-06-30"),
}


def eks_calendar() -> Mapping[str, Window]:
    try:
        from components.aws.versions import EKS_SUPPORT_CALENDAR  # type: ignore[attr-defined]
    except ImportError:
        return FALLBACK_EKS
    return EKS_SUPPORT_CALENDAR


def aks_calendar() -> Mapping[str, Window]:
    try:
        from components.azure.versions import AKS_SUPPORT_CALENDAR  # type: ignore[attr-defined]
    except ImportError:
        return FALLBACK_AKS
    return AKS_SUPPORT_CALENDAR


def minor(version: object) -> str:
    """'1.33.2' -> '1.33'."""
    return ".".join(str(version).split(".")[:2])


def phase(calendar: Mapping[str, Window], version: object, today: date) -> tuple[Phase, Window | None]:
    window = calendar.get(minor(version))
    if window is None:
        return Phase.UNKNOWN, None
    if today < window.release:
        return Phase.UNRELEASED, window
    if today <= window.standard_end:
        return Phase.STANDARD, window
    if today <= window.extended_end:
        return Phase.EXTENDED, window
    return Phase.ENDED, window
