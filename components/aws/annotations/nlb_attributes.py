"""The NLB's target group attributes, as the controller's Service annotation
`aws-load-balancer-target-group-attributes` carries them (ELBv2 attribute keys)."""

from __future__ import annotations

from dataclasses import dataclass

from ...limits import aws as limits
from .values import Problem, annotation_values

DEREGISTRATION_DELAY = limits.DEREGISTRATION_DELAY
UNHEALTHY_DRAINING_INTERVAL = limits.UNHEALTHY_DRAINING_INTERVAL


@dataclass(frozen=True, kw_only=True)
class NlbTargetGroupAttributes:
    """`aws-load-balancer-target-group-attributes` of the NLB's target groups."""

    deregistration_delay_seconds: int | None = None
    """deregistration_delay.timeout_seconds, DEREGISTRATION_DELAY (AWS default 300; seeds: 60)."""
    connection_termination: bool | None = None
    """deregistration_delay.connection_termination.enabled: close connections when the delay ends."""
    preserve_client_ip: bool | None = None
    """preserve_client_ip.enabled (AWS default: off for ip targets, on for instance targets)."""
    source_ip_stickiness: bool | None = None
    """stickiness.enabled with stickiness.type source_ip."""
    unhealthy_connection_termination: bool | None = None
    """target_health_state.unhealthy.connection_termination.enabled (AWS default true)."""
    unhealthy_draining_interval_seconds: int | None = None
    """UNHEALTHY_DRAINING_INTERVAL; only when unhealthy_connection_termination is False."""

    def problems(self) -> list[Problem]:
        problems: list[Problem] = []
        if self.deregistration_delay_seconds is not None and (
            p := DEREGISTRATION_DELAY.problem(self.deregistration_delay_seconds)
        ):
            problems.append(("deregistration_delay_seconds", p))
        if self.unhealthy_draining_interval_seconds is not None:
            if self.unhealthy_connection_termination is not False:
                problems.append(
                    ("unhealthy_draining_interval_seconds", "only with unhealthy_connection_termination=False")
                )
            if p := UNHEALTHY_DRAINING_INTERVAL.problem(self.unhealthy_draining_interval_seconds):
                problems.append(("unhealthy_draining_interval_seconds", p))
        return problems

    def attributes(self) -> dict[str, str]:
        return annotation_values(
            (
                ("deregistration_delay.timeout_seconds", self.deregistration_delay_seconds),
                ("deregistration_delay.connection_termination.enabled", self.connection_termination),
                ("preserve_client_ip.enabled", self.preserve_client_ip),
                ("stickiness.enabled", self.source_ip_stickiness),
                ("stickiness.type", "source_ip" if self.source_ip_stickiness else None),
                ("target_health_state.unhealthy.connection_termination.enabled", self.unhealthy_connection_termination),
                ("target_health_state.unhealthy.draining_interval_seconds", self.unhealthy_draining_interval_seconds),
            )
        )
