"""Which support phase a cluster's Kubernetes version is in on a given day.

The calendars live with the versions they describe: `EKS_SUPPORT_CALENDAR`
(components/aws/versions.py) and `AKS_SUPPORT_CALENDAR` (components/azure/versions.py), each a
`SupportCalendar` with its source (components/versions_calendar.py). They are imported only when a
plan has a cluster of that cloud: importing `components.aws` loads the AWS SDK, which an AKS plan
never does (tests/test_import_isolation.py). This module also adds the case a cost or a gate must
not crash on: a version the calendar does not know.
"""

from __future__ import annotations

from datetime import date

from components.versions_calendar import SupportCalendar, SupportPhase, SupportWindow

__all__ = ["SupportPhase", "aks_calendar", "eks_calendar", "phase"]


def eks_calendar() -> SupportCalendar:
    from components.aws.versions import EKS_SUPPORT_CALENDAR

    return EKS_SUPPORT_CALENDAR


def aks_calendar() -> SupportCalendar:
    from components.azure.versions import AKS_SUPPORT_CALENDAR

    return AKS_SUPPORT_CALENDAR


def phase(calendar: SupportCalendar, version: object, today: date) -> tuple[SupportPhase | None, SupportWindow | None]:
    """(phase, window) of `version` on `today`; (None, None) for a version the calendar does not know."""
    window = calendar.window(str(version))
    if window is None:
        return None, None
    return calendar.phase(str(version), today), window
