"""The NLB's target group attributes, as the controller's Service annotation
`aws-load-balancer-target-group-attributes` carries them (ELBv2 attribute keys)."""

from __future__ import annotations

from dataclasses import dataclass

from ...limits import aws as limits
from .target_group_attributes import TargetGroupAttributes
from .values import Problem, keyed

UNHEALTHY_DRAINING_INTERVAL = limits.UNHEALTHY_DRAINING_INTERVAL


@dataclass(frozen=True, kw_only=True)
class NlbTargetGroupAttributes(TargetGroupAttributes):
    """`aws-load-balancer-target-group-attributes` of the NLB's target groups (the seeds' deregistration delay: 60)."""

    connection_termination: bool | None = keyed("deregistration_delay.connection_termination.enabled")
    """Close connections when the delay ends."""
    preserve_client_ip: bool | None = keyed("preserve_client_ip.enabled")
    """AWS default: off for ip targets, on for instance targets."""
    source_ip_stickiness: bool | None = keyed(
        "stickiness.enabled", then=lambda on: {"stickiness.type": "source_ip"} if on else {}
    )
    """Stickiness, with stickiness.type source_ip."""
    unhealthy_connection_termination: bool | None = keyed(
        "target_health_state.unhealthy.connection_termination.enabled"
    )
    """AWS default true."""
    unhealthy_draining_interval_seconds: int | None = keyed("target_health_state.unhealthy.draining_interval_seconds")
    """UNHEALTHY_DRAINING_INTERVAL; only when unhealthy_connection_termination is False."""

    def problems(self) -> list[Problem]:
        problems = super().problems()
        if self.unhealthy_draining_interval_seconds is not None:
            if self.unhealthy_connection_termination is not False:
                problems.append(
                    ("unhealthy_draining_interval_seconds", "only with unhealthy_connection_termination=False")
                )
            if p := UNHEALTHY_DRAINING_INTERVAL.problem(self.unhealthy_draining_interval_seconds):
                problems.append(("unhealthy_draining_interval_seconds", p))
        return problems
