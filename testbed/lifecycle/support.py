"""Which support phase a cluster's Kubernetes version is in on a given day.

The calendars live with the versions they describe: `EKS_SUPPORT_CALENDAR`
(components/aws/versions.py) and `AKS_SUPPORT_CALENDAR` (components/azure/versions.py), each a
`SupportCalendar` with its source (components/versions_calendar.py). This module only adds the
case a cost or a gate must not crash on: a version the calendar does not know.
"""

from __future__ import annotations

from datetime import date

from components.aws.versions import EKS_SUPPORT_CALENDAR
from components.azure.versions import AKS_SUPPORT_CALENDAR
from components.versions_calendar import SupportCalendar, SupportPhase, SupportWindow

__all__ = ["AKS_SUPPORT_CALENDAR", "EKS_SUPPORT_CALENDAR", "SupportPhase", "phase"]


def phase(calendar: SupportCalendar, version: object, today: date) -> tuple[SupportPhase | None, SupportWindow | None]:
    """(phase, window) of `version` on `today`; (None, None) for a version the calendar does not know."""
    window = calendar.window(str(version))
    if window is None:
        return None, None
    return calendar.phase(str(version), today), window
