"""The day a plan is made, and the warning a stack gives for a Kubernetes version out of standard support."""

from __future__ import annotations

import os
from datetime import date

from components.versions_calendar import SupportCalendar, support_warning

TODAY_ENV = "TESTBED_TODAY"
"""Environment variable that fixes "today" (YYYY-MM-DD) for reproducible plans, e.g. golden plans."""


def plan_date() -> date:
    """Today, or the day TESTBED_TODAY names."""
    fixed = os.environ.get(TODAY_ENV)
    if not fixed:
        return date.today()
    try:
        return date.fromisoformat(fixed)
    except ValueError:
        raise ValueError(f"{TODAY_ENV}={fixed!r} is not a date like 2026-11-27") from None


def version_warning(calendar: SupportCalendar, version: str, *, extended_cost: str) -> str | None:
    """The plan's warning about `version` on the plan date, or None while it is in standard support."""
    return support_warning(calendar, version, plan_date(), extended_cost=extended_cost)
