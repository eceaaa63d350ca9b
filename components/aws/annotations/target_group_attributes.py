"""The target group attributes the ALB's and the NLB's target groups both have (ELBv2 TargetGroupAttribute),
as the controller's `target-group-attributes` annotations carry them."""

from __future__ import annotations

from dataclasses import dataclass

from ...limits import aws as limits
from .values import Problem, keyed, keyed_values, range_problems

DEREGISTRATION_DELAY = limits.DEREGISTRATION_DELAY


@dataclass(frozen=True, kw_only=True)
class TargetGroupAttributes:
    """What both kinds of target group take; AlbTargetGroupAttributes and NlbTargetGroupAttributes add theirs."""

    deregistration_delay_seconds: int | None = keyed("deregistration_delay.timeout_seconds")
    """DEREGISTRATION_DELAY (AWS default 300)."""

    def problems(self) -> list[Problem]:
        seconds = self.deregistration_delay_seconds
        return range_problems((("deregistration_delay_seconds", seconds, DEREGISTRATION_DELAY),))

    def attributes(self) -> dict[str, str]:
        """The attributes set, keyed (a subclass's too), before those the subclass derives."""
        return keyed_values(self)
