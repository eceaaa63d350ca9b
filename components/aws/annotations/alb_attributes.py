"""The ALB's load balancer and target group attributes, as the controller's Ingress annotations
`load-balancer-attributes` and `target-group-attributes` carry them (ELBv2 attribute keys)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from ...limits import aws as limits
from .target_group_attributes import TargetGroupAttributes
from .values import Problem, choice_problem, choice_problems, keyed, keyed_values, list_item_problem, range_problems

# Load balancer attributes (LoadBalancerAttribute).
IDLE_TIMEOUT = limits.ALB_IDLE_TIMEOUT
CLIENT_KEEP_ALIVE = limits.ALB_CLIENT_KEEP_ALIVE
DESYNC_MITIGATION_MODES = ("monitor", "defensive", "strictest")

# Target group attributes (TargetGroupAttribute; DEREGISTRATION_DELAY: target_group_attributes.py).
ALGORITHMS = ("round_robin", "least_outstanding_requests", "weighted_random")
SLOW_START = limits.SLOW_START
"""0 turns slow start off."""
STICKINESS_TYPES = ("lb_cookie", "app_cookie")
STICKINESS_DURATION = limits.STICKINESS_DURATION


@dataclass(frozen=True, kw_only=True)
class AlbLoadBalancerAttributes:
    """`load-balancer-attributes`: only the attributes set here are changed on the ALB."""

    idle_timeout_seconds: int | None = keyed("idle_timeout.timeout_seconds")
    """IDLE_TIMEOUT (AWS default 60)."""
    client_keep_alive_seconds: int | None = keyed("client_keep_alive.seconds")
    """CLIENT_KEEP_ALIVE (AWS default 3600)."""
    deletion_protection: bool | None = keyed("deletion_protection.enabled")
    http2_enabled: bool | None = keyed("routing.http2.enabled")
    drop_invalid_header_fields: bool | None = keyed("routing.http.drop_invalid_header_fields.enabled")
    desync_mitigation_mode: Literal["monitor", "defensive", "strictest"] | None = keyed(
        "routing.http.desync_mitigation_mode"
    )
    access_logs_bucket: str | None = None
    """S3 bucket for access logs; setting it turns access logs on."""
    access_logs_prefix: str | None = None

    def problems(self) -> list[Problem]:
        problems = range_problems(
            (
                ("idle_timeout_seconds", self.idle_timeout_seconds, IDLE_TIMEOUT),
                ("client_keep_alive_seconds", self.client_keep_alive_seconds, CLIENT_KEEP_ALIVE),
            )
        )
        problems += choice_problems((("desync_mitigation_mode", self.desync_mitigation_mode, DESYNC_MITIGATION_MODES),))
        if self.access_logs_bucket is not None and not re.fullmatch(
            r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]", self.access_logs_bucket
        ):
            problems.append(("access_logs_bucket", f"{self.access_logs_bucket!r} is not an S3 bucket name"))
        if self.access_logs_prefix is not None:
            if self.access_logs_bucket is None:
                problems.append(("access_logs_prefix", "set only with access_logs_bucket"))
            if p := list_item_problem(self.access_logs_prefix):
                problems.append(("access_logs_prefix", p))
        return problems

    def attributes(self) -> dict[str, str]:
        attributes = keyed_values(self)
        if self.access_logs_bucket is not None:
            attributes["access_logs.s3.enabled"] = "true"
            attributes["access_logs.s3.bucket"] = self.access_logs_bucket
            if self.access_logs_prefix is not None:
                attributes["access_logs.s3.prefix"] = self.access_logs_prefix
        return attributes


@dataclass(frozen=True, kw_only=True)
class AlbTargetGroupAttributes(TargetGroupAttributes):
    """`target-group-attributes` of the ALB's target groups."""

    load_balancing_algorithm: Literal["round_robin", "least_outstanding_requests", "weighted_random"] | None = keyed(
        "load_balancing.algorithm.type"
    )
    anomaly_mitigation: bool | None = keyed(
        "load_balancing.algorithm.anomaly_mitigation", spelled=lambda on: "on" if on else "off"
    )
    """Only with weighted_random."""
    slow_start_seconds: int | None = keyed("slow_start.duration_seconds")
    """0 (off) or SLOW_START."""
    stickiness_type: Literal["lb_cookie", "app_cookie"] | None = None
    """Turns stickiness on, with this kind of cookie."""
    stickiness_duration_seconds: int | None = None
    """STICKINESS_DURATION (AWS default 86400)."""
    app_cookie_name: str | None = None
    """Required with stickiness_type app_cookie."""

    def problems(self) -> list[Problem]:
        problems = super().problems()
        problems += choice_problems((("load_balancing_algorithm", self.load_balancing_algorithm, ALGORITHMS),))
        if self.anomaly_mitigation is not None and self.load_balancing_algorithm != "weighted_random":
            problems.append(("anomaly_mitigation", "only with load_balancing_algorithm weighted_random"))
        if self.slow_start_seconds not in (None, 0) and (p := SLOW_START.problem(self.slow_start_seconds)):
            problems.append(("slow_start_seconds", f"{p}, or 0 to turn slow start off"))
        if self.stickiness_type is not None and (p := choice_problem(self.stickiness_type, STICKINESS_TYPES)):
            problems.append(("stickiness_type", p))
        if self.stickiness_duration_seconds is not None:
            if self.stickiness_type is None:
                problems.append(("stickiness_duration_seconds", "set only with stickiness_type"))
            if p := STICKINESS_DURATION.problem(self.stickiness_duration_seconds):
                problems.append(("stickiness_duration_seconds", p))
        if (self.stickiness_type == "app_cookie") != (self.app_cookie_name is not None):
            problems.append(("app_cookie_name", "required with stickiness_type app_cookie, and only then"))
        if self.app_cookie_name is not None and (
            not re.fullmatch(r"[!#$%&'*+.^_`|~0-9A-Za-z-]{1,128}", self.app_cookie_name)
            or self.app_cookie_name.startswith(("AWSALB", "AWSALBAPP", "AWSALBTG"))
        ):
            problems.append(("app_cookie_name", f"{self.app_cookie_name!r}: a cookie name, not starting with AWSALB"))
        return problems

    def attributes(self) -> dict[str, str]:
        attributes = super().attributes()
        if self.stickiness_type is not None:
            attributes["stickiness.enabled"] = "true"
            attributes["stickiness.type"] = self.stickiness_type
            if self.app_cookie_name is not None:
                attributes["stickiness.app_cookie.cookie_name"] = self.app_cookie_name
            if self.stickiness_duration_seconds is not None:
                attributes[f"stickiness.{self.stickiness_type}.duration_seconds"] = str(
                    self.stickiness_duration_seconds
                )
        return attributes
