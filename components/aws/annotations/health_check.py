"""The target group's health check, as the controller's Ingress (ALB) and Service (NLB) annotations set it.

Both builders fill the same ELBv2 CreateTargetGroup fields, with the same ranges (botocore elbv2
CreateTargetGroup), and are checked and rendered by one class, `AnnotatedHealthCheck`. What differs between
the two controllers' annotations is data, a `Dialect`: the annotation keys, the protocol spellings,
the success codes the load balancer accepts (Matcher.HttpCode), which protocols carry a path and
success codes, and the defaults the controller fills in. Each builder keeps its own public field
names for the threshold counts, as the controller's keys name them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import ClassVar, NamedTuple

from ...limits import Range
from ...limits import aws as limits
from .values import (
    Problem,
    annotation_values,
    choice_problem,
    health_check_port_problem,
    path_problem,
    range_problems,
    success_codes_problem,
)

HEALTH_CHECK_INTERVAL = limits.HEALTH_CHECK_INTERVAL
HEALTH_CHECK_TIMEOUT = limits.HEALTH_CHECK_TIMEOUT
THRESHOLD_COUNT = limits.THRESHOLD_COUNT


class Keys(NamedTuple):
    """One setting's annotation key for each controller, after the builder's prefix."""

    alb: str
    nlb: str


KEYS: dict[str, Keys] = {
    # in the order both builders write them
    "protocol": Keys(alb="healthcheck-protocol", nlb="aws-load-balancer-healthcheck-protocol"),
    "port": Keys(alb="healthcheck-port", nlb="aws-load-balancer-healthcheck-port"),
    "path": Keys(alb="healthcheck-path", nlb="aws-load-balancer-healthcheck-path"),
    "interval_seconds": Keys(alb="healthcheck-interval-seconds", nlb="aws-load-balancer-healthcheck-interval"),
    "timeout_seconds": Keys(alb="healthcheck-timeout-seconds", nlb="aws-load-balancer-healthcheck-timeout"),
    "healthy_threshold": Keys(alb="healthy-threshold-count", nlb="aws-load-balancer-healthcheck-healthy-threshold"),
    "unhealthy_threshold": Keys(
        alb="unhealthy-threshold-count", nlb="aws-load-balancer-healthcheck-unhealthy-threshold"
    ),
    "success_codes": Keys(alb="success-codes", nlb="aws-load-balancer-healthcheck-success-codes"),
}
"""The annotation keys of each setting (the controllers' constants.go, `IngressSuffix*` and `SvcLBSuffix*`)."""
ALB_KEYS = {setting: keys.alb for setting, keys in KEYS.items()}
NLB_KEYS = {setting: keys.nlb for setting, keys in KEYS.items()}


@dataclass(frozen=True, kw_only=True)
class Dialect:
    """How one controller spells a health check in its annotations."""

    keys: Mapping[str, str]
    """Setting (as KEYS names it) -> annotation key: ALB_KEYS or NLB_KEYS."""
    thresholds: tuple[str, str]
    """The builder's field names of the healthy and unhealthy threshold counts (its public names)."""
    protocols: tuple[str, ...]
    success_codes: Range
    http_protocols: tuple[str, ...] | None = None
    """The protocols a path and success codes go with; None: every protocol the dialect has."""
    default_interval_and_timeout: tuple[int, int] | None = None
    """The controller's defaults for the interval and the timeout, where the builder checks ELBv2's rule
    that the interval exceeds the timeout; None: not checked."""

    @cached_property
    def field_keys(self) -> dict[str, str]:
        """The builder's field name -> annotation key, in `keys`' order (the thresholds under its own names)."""
        fields = dict(zip(("healthy_threshold", "unhealthy_threshold"), self.thresholds, strict=True))
        return {fields.get(setting, setting): key for setting, key in self.keys.items()}


@dataclass(frozen=True, kw_only=True)
class AnnotatedHealthCheck:
    """The fields every health check has; a subclass adds its threshold counts and its `DIALECT`."""

    DIALECT: ClassVar[Dialect]

    protocol: str | None = None
    port: int | str | None = None
    path: str | None = None
    interval_seconds: int | None = None
    """HEALTH_CHECK_INTERVAL."""
    timeout_seconds: int | None = None
    """HEALTH_CHECK_TIMEOUT."""
    success_codes: str | None = None
    """A code, a list or a range: `200`, `200,202` or `200-299`."""

    def problems(self) -> list[Problem]:
        dialect = self.DIALECT
        problems: list[Problem] = []
        if self.protocol is not None and (p := choice_problem(self.protocol, dialect.protocols)):
            problems.append(("protocol", p))
        if self.port is not None and (p := health_check_port_problem(self.port)):
            problems.append(("port", p))
        problems += self._http_only("path", self.path, path_problem)
        problems += range_problems(
            (
                ("interval_seconds", self.interval_seconds, HEALTH_CHECK_INTERVAL),
                ("timeout_seconds", self.timeout_seconds, HEALTH_CHECK_TIMEOUT),
                *((name, getattr(self, name), THRESHOLD_COUNT) for name in dialect.thresholds),
            )
        )
        problems += self._interval_problems()
        problems += self._http_only(
            "success_codes", self.success_codes, lambda codes: success_codes_problem(codes, dialect.success_codes)
        )
        return problems

    def _http_only(self, name: str, value: str | None, check: Callable[[str], str | None]) -> list[Problem]:
        """A field that goes with the dialect's HTTP protocols only: set there and well formed."""
        http = self.DIALECT.http_protocols
        if value is None:
            return []
        if http is not None and self.protocol not in http:
            return [(name, f"only with protocol {' or '.join(http)}")]
        return [(name, p)] if (p := check(value)) else []

    def _interval_problems(self) -> list[Problem]:
        # ELBv2 ValidationError "Health check interval must be greater than the timeout" (LBC #1754, #2951).
        # Whichever of the two is unset takes the controller's default.
        defaults = self.DIALECT.default_interval_and_timeout
        interval, timeout = self.interval_seconds, self.timeout_seconds
        if defaults is None or (interval is None and timeout is None):
            return []
        if (interval is not None and interval not in HEALTH_CHECK_INTERVAL) or (
            timeout is not None and timeout not in HEALTH_CHECK_TIMEOUT
        ):
            return []  # already refused by its range
        default_interval, default_timeout = defaults
        effective_interval = default_interval if interval is None else interval
        effective_timeout = default_timeout if timeout is None else timeout
        if effective_interval > effective_timeout:
            return []
        if interval is None:
            return [
                (
                    "timeout_seconds",
                    f"{timeout} must be less than the controller's default interval of "
                    f"{default_interval}: ELBv2 refuses it (set interval_seconds too)",
                )
            ]
        which = "timeout_seconds" if timeout is not None else f"the controller's default timeout of {default_timeout}"
        reason = f"{interval} must be greater than {which} ({effective_timeout}): ELBv2 refuses it"
        return [("interval_seconds", reason)]

    def values(self) -> dict[str, str]:
        """The set fields as annotations, under the dialect's keys (without the builder's prefix)."""
        return annotation_values((key, getattr(self, field)) for field, key in self.DIALECT.field_keys.items())
