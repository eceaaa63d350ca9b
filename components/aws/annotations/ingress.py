"""`alb.ingress.kubernetes.io/*` annotations for an Ingress the AWS Load Balancer Controller turns into an ALB.

Keys and formats: the controller's docs/guide/ingress/annotations.md (v3.x) and the suffixes in
pkg/annotations/constants.go; ranges: the ELBv2 API (botocore elbv2 CreateTargetGroup,
LoadBalancerAttribute, TargetGroupAttribute). Only fields that are set are emitted, so the
controller's (and AWS's) defaults apply to the rest.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import ClassVar, Literal

from ...limits import aws as limits
from .alb_attributes import (
    AlbLoadBalancerAttributes,
    AlbTargetGroupAttributes,
)
from .health_check import ALB_KEYS, AnnotatedHealthCheck, Dialect
from .rules import (
    Action,
    Condition,
    Transform,
    conditions_problems,
    transforms_problems,
)
from .values import (
    PORT,
    AnnotationBuilder,
    Problem,
    certificate_arn_problem,
    choice_problem,
    cidr_problem,
    compact_json,
    dns_label_problem,
    is_int,
    keyed,
    keyed_values,
    load_balancer_problems,
    nested,
    ssl_policy_problem,
    string_list,
    string_map,
    tag_problems,
)

PREFIX = "alb.ingress.kubernetes.io/"
IP_ADDRESS_TYPES = ("ipv4", "dualstack", "dualstack-without-public-ipv4")
LISTEN_PROTOCOLS = ("HTTP", "HTTPS")
GROUP_ORDER = limits.RULE_GROUP_ORDER
"""pkg/ingress/group_loader.go: minGroupOrder, maxGroupOder."""
GROUP_NAME_MAX = 63
_GROUP_NAME = re.compile(r"^([a-z0-9][-a-z0-9.]*)?[a-z0-9]$")
"""group_loader.go groupNameRegex."""

# Health checks (health_check.py; the ALB accepts codes 200-499, Matcher.HttpCode).
HEALTH_CHECK_PROTOCOLS = ("HTTP", "HTTPS")
ALB_SUCCESS_CODES = limits.ALB_SUCCESS_CODES
CONTROLLER_DEFAULT_TIMEOUT_SECONDS = 5
"""`healthcheck-timeout-seconds` when unset (annotations.md)."""
CONTROLLER_DEFAULT_INTERVAL_SECONDS = 15
"""`healthcheck-interval-seconds` when unset (annotations.md)."""


def group_name_problem(name: str) -> str | None:
    """An IngressGroup name, as the controller's group_loader.go checks it."""
    if len(name) > GROUP_NAME_MAX or not _GROUP_NAME.match(name):
        return (
            f"{name!r}: allowed: at most {GROUP_NAME_MAX} of a-z, 0-9, '-' and '.', "
            "starting and ending with a letter or digit"
        )
    return None


@dataclass(frozen=True, kw_only=True)
class ListenPort:
    """One ALB listener: protocol and port."""

    protocol: Literal["HTTP", "HTTPS"]
    port: int


@dataclass(frozen=True, kw_only=True)
class AlbHealthCheck(AnnotatedHealthCheck):
    """The target group's health check (`healthcheck-*`, `*-threshold-count`, `success-codes`).

    The controller's defaults: interval 15, timeout 5, both thresholds 2. The interval must exceed the
    timeout (either may be left to its default), or ELBv2 refuses the target group. `success_codes`
    lie within ALB_SUCCESS_CODES."""

    DIALECT: ClassVar[Dialect] = Dialect(
        keys=ALB_KEYS,
        thresholds=("healthy_threshold_count", "unhealthy_threshold_count"),
        protocols=HEALTH_CHECK_PROTOCOLS,
        success_codes=ALB_SUCCESS_CODES,
        default_interval_and_timeout=(CONTROLLER_DEFAULT_INTERVAL_SECONDS, CONTROLLER_DEFAULT_TIMEOUT_SECONDS),
    )

    protocol: Literal["HTTP", "HTTPS"] | None = None
    port: int | Literal["traffic-port"] | None = None
    healthy_threshold_count: int | None = None
    """THRESHOLD_COUNT."""
    unhealthy_threshold_count: int | None = None
    """THRESHOLD_COUNT."""


@dataclass(frozen=True, kw_only=True)
class AlbIngressAnnotations(AnnotationBuilder):
    """Every `alb.ingress.kubernetes.io/*` annotation this project sets, typed.

    `annotations()` validates everything (one AnnotationError listing every problem) and returns
    the annotation map. `actions`, `conditions` and `transforms` are keyed by the backend
    Service name they apply to.
    """

    PREFIX: ClassVar[str] = PREFIX

    scheme: Literal["internal", "internet-facing"] | None = keyed("scheme")
    target_type: Literal["instance", "ip"] | None = keyed("target-type")
    load_balancer_name: str | None = keyed("load-balancer-name")
    """At most 32 characters; only read when the ALB is created."""
    group_name: str | None = keyed("group.name")
    """IngressGroup: Ingresses with the same name share one ALB."""
    group_order: int | None = keyed("group.order")
    """GROUP_ORDER; lower is evaluated first (default 0)."""
    ip_address_type: Literal["ipv4", "dualstack", "dualstack-without-public-ipv4"] | None = keyed("ip-address-type")
    listen_ports: tuple[ListenPort, ...] = ()
    """Default: HTTP 80, or HTTPS 443 when a certificate is given."""
    certificate_arns: tuple[str, ...] = ()
    """The first is the listener's default certificate, the rest are added for SNI."""
    ssl_redirect_port: int | None = None
    """Every HTTP listener redirects to this HTTPS listen port."""
    ssl_policy: str | None = None
    inbound_cidrs: tuple[str, ...] = ()
    health_check: AlbHealthCheck | None = None
    load_balancer_attributes: AlbLoadBalancerAttributes | None = None
    target_group_attributes: AlbTargetGroupAttributes | None = None
    actions: Mapping[str, Action] = field(default_factory=dict)
    conditions: Mapping[str, tuple[Condition, ...]] = field(default_factory=dict)
    transforms: Mapping[str, tuple[Transform, ...]] = field(default_factory=dict)
    tags: Mapping[str, str] = field(default_factory=dict)

    def problems(self) -> list[Problem]:
        problems = load_balancer_problems(self, IP_ADDRESS_TYPES, ("load_balancer_name", self.load_balancer_name))
        if self.group_name is not None and (p := group_name_problem(self.group_name)):
            problems.append(("group_name", p))
        if self.group_order is not None and (p := GROUP_ORDER.problem(self.group_order)):
            problems.append(("group_order", p))
        problems += self._listener_problems()
        problems += [("inbound_cidrs", p) for c in self.inbound_cidrs if (p := cidr_problem(c))]
        problems += nested(
            (
                ("health_check", self.health_check),
                ("load_balancer_attributes", self.load_balancer_attributes),
                ("target_group_attributes", self.target_group_attributes),
            )
        )
        for kind, rules, check in (
            ("actions", self.actions, lambda a: a.problems()),
            ("conditions", self.conditions, conditions_problems),
            ("transforms", self.transforms, transforms_problems),
        ):
            for name, rule in rules.items():
                if p := dns_label_problem(name):
                    problems.append((f"{kind}[{name}]", f"name {p} (it is the backend's service.name)"))
                problems += [
                    (f"{kind}[{name}]{f if f.startswith('[') or not f else '.' + f}", r) for f, r in check(rule)
                ]
        problems += tag_problems(self.tags)
        return problems

    def _listener_problems(self) -> list[Problem]:
        problems: list[Problem] = []
        seen: set[int] = set()
        for index, listen in enumerate(self.listen_ports):
            if p := choice_problem(listen.protocol, LISTEN_PROTOCOLS):
                problems.append((f"listen_ports[{index}].protocol", p))
            if p := PORT.problem(listen.port):
                problems.append((f"listen_ports[{index}].port", p))
            elif listen.port in seen:
                problems.append((f"listen_ports[{index}].port", f"{listen.port} is listed twice; allowed: each once"))
            if is_int(listen.port):
                seen.add(listen.port)
        problems += [("certificate_arns", p) for a in self.certificate_arns if (p := certificate_arn_problem(a))]
        if self.ssl_redirect_port is not None:
            https = {p.port for p in self.listen_ports if p.protocol == "HTTPS"}
            http = [p for p in self.listen_ports if p.protocol == "HTTP"]
            if self.ssl_redirect_port not in https or not http:
                problems.append(
                    (
                        "ssl_redirect_port",
                        f"{self.ssl_redirect_port!r} must be an HTTPS port of listen_ports "
                        f"(HTTPS: {sorted(https) or 'none'}) next to an HTTP one to redirect from",
                    )
                )
        if self.ssl_policy is not None and (p := ssl_policy_problem(self.ssl_policy)):
            problems.append(("ssl_policy", p))
        # Without listen_ports the controller listens on HTTPS 443 when a certificate is given, else HTTP 80.
        has_https = (
            any(p.protocol == "HTTPS" for p in self.listen_ports) if self.listen_ports else bool(self.certificate_arns)
        )
        if self.ssl_policy is not None and not has_https:
            problems.append(("ssl_policy", "applies to HTTPS listeners only; there is none"))
        return problems

    def _values(self) -> dict[str, str]:
        values = keyed_values(self)
        if self.listen_ports:
            values["listen-ports"] = compact_json([{p.protocol: p.port} for p in self.listen_ports])
        if self.certificate_arns:
            values["certificate-arn"] = string_list(self.certificate_arns)
        if self.ssl_redirect_port is not None:
            values["ssl-redirect"] = str(self.ssl_redirect_port)
        if self.ssl_policy is not None:
            values["ssl-policy"] = self.ssl_policy
        if self.inbound_cidrs:
            values["inbound-cidrs"] = string_list(self.inbound_cidrs)
        if self.health_check is not None:
            values.update(self.health_check.values())
        if self.load_balancer_attributes is not None and (attrs := self.load_balancer_attributes.attributes()):
            values["load-balancer-attributes"] = string_map(attrs)
        if self.target_group_attributes is not None and (attrs := self.target_group_attributes.attributes()):
            values["target-group-attributes"] = string_map(attrs)
        for name, action in self.actions.items():
            values[f"actions.{name}"] = compact_json(action.document())
        for name, conditions in self.conditions.items():
            values[f"conditions.{name}"] = compact_json([c.document() for c in conditions])
        for name, transforms in self.transforms.items():
            values[f"transforms.{name}"] = compact_json([t.document() for t in transforms])
        if self.tags:
            values["tags"] = string_map(dict(sorted(self.tags.items())))
        return values


DOCUMENTED_SUFFIXES = frozenset(
    {
        "scheme",
        "target-type",
        "load-balancer-name",
        "group.name",
        "group.order",
        "ip-address-type",
        "listen-ports",
        "certificate-arn",
        "ssl-redirect",
        "ssl-policy",
        "inbound-cidrs",
        "healthcheck-protocol",
        "healthcheck-port",
        "healthcheck-path",
        "healthcheck-interval-seconds",
        "healthcheck-timeout-seconds",
        "healthy-threshold-count",
        "unhealthy-threshold-count",
        "success-codes",
        "load-balancer-attributes",
        "target-group-attributes",
        "tags",
    }
)
"""Annotation suffixes (after the prefix) the builder can emit, as the controller's constants.go names
them (`IngressSuffix*`); `actions.`, `conditions.` and `transforms.` are prefixes of per-backend keys."""
DOCUMENTED_PREFIXES = ("actions.", "conditions.", "transforms.")
