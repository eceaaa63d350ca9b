"""The day a plan is made, the warning a stack gives for a Kubernetes version out of standard support, and the
check of a `kubernetesVersion` against its cloud's calendar."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import date
from typing import Any

from pydantic import BeforeValidator

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


def version_check(calendar: SupportCalendar, version_problem: Callable[[str], str | None]) -> BeforeValidator:
    """`Annotated[str, version_check(...)]`: a version quoted (YAML reads 1.30 as 1.3), of the form
    `version_problem` accepts, and one of the calendar's."""

    def check(value: Any) -> Any:
        if isinstance(value, float):
            raise ValueError(f'{value!r}: write the version quoted, e.g. "1.36" (YAML reads 1.30 as 1.3)')
        if isinstance(value, str) and (problem := version_problem(value) or calendar.unknown_version_problem(value)):
            raise ValueError(problem)
        return value

    return BeforeValidator(check)
