"""`service.beta.kubernetes.io/aws-load-balancer-*` annotations for a Service the AWS Load Balancer
Controller turns into an NLB, and the Service spec fields that go with them.

The controller takes a `type: LoadBalancer` Service only with `spec.loadBalancerClass:
service.k8s.aws/nlb` (or the `aws-load-balancer-type` annotation); without either the in-tree
cloud provider makes a Classic LB and ignores these annotations. The bed turns the controller's
Service mutator webhook off (components/aws/lb_controller.py), so `service_spec()` always sets
the class.

Keys: the controller's docs/guide/service/annotations.md (v3.x) and pkg/annotations/constants.go
(`SvcLBSuffix*`); ranges: the ELBv2 API (botocore elbv2). Cross-zone load balancing is set
through `aws-load-balancer-attributes` (`load_balancing.cross_zone.enabled`): the separate
`aws-load-balancer-cross-zone-load-balancing-enabled` annotation the seeds use is deprecated
since LBC v2.3.0 in favour of it (annotations.md, "deprecated-attributes").
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

from ...k8s_labels import label_problem
from ...limits import aws as limits
from .health_check import NLB_KEYS, AnnotatedHealthCheck, Dialect
from .nlb_attributes import NlbTargetGroupAttributes
from .values import (
    PORT,
    AnnotationBuilder,
    Problem,
    annotation_values,
    boolean,
    certificate_arn_problem,
    choice_problem,
    choice_problems,
    cidr_problem,
    is_int,
    keyed,
    keyed_values,
    list_item_problem,
    load_balancer_problems,
    nested,
    raise_if_any,
    ssl_policy_problem,
    string_list,
    string_map,
    tag_problems,
)

PREFIX = "service.beta.kubernetes.io/"
LOAD_BALANCER_CLASS = "service.k8s.aws/nlb"
IP_ADDRESS_TYPES = ("ipv4", "dualstack")
HEALTH_CHECK_PROTOCOLS = ("tcp", "http", "https")
NLB_SUCCESS_CODES = limits.NLB_SUCCESS_CODES
TCP_IDLE_TIMEOUT = limits.NLB_TCP_IDLE_TIMEOUT
"""Listener attribute tcp.idle_timeout.seconds, TCP listeners only (TLS listeners: fixed 350 s)."""
BACKEND_PROTOCOLS = ("ssl", "tcp")
ALPN_POLICIES = ("HTTP1Only", "HTTP2Only", "HTTP2Optional", "HTTP2Preferred", "None")
EXTERNAL_TRAFFIC_POLICIES = ("Cluster", "Local")
_EIP_ALLOCATION = re.compile(r"^eipalloc-[0-9a-f]{8,17}$")


@dataclass(frozen=True, kw_only=True)
class NlbHealthCheck(AnnotatedHealthCheck):
    """The target group's health check (`aws-load-balancer-healthcheck-*`).

    The controller's defaults: protocol tcp (http with externalTrafficPolicy Local), interval 10,
    timeout 10, both thresholds 3. `path` and `success_codes` go with http(s) only, the codes within
    NLB_SUCCESS_CODES (controller default 200-399). The interval is not checked against the timeout
    here: the controller's own defaults are equal."""

    DIALECT: ClassVar[Dialect] = Dialect(
        keys=NLB_KEYS,
        thresholds=("healthy_threshold", "unhealthy_threshold"),
        protocols=HEALTH_CHECK_PROTOCOLS,
        success_codes=NLB_SUCCESS_CODES,
        http_protocols=("http", "https"),
    )

    protocol: Literal["tcp", "http", "https"] | None = None
    port: int | str | None = None
    """A port number, `traffic-port`, or the name of a Service port (the controller resolves it: the
    NodePort for instance targets, the targetPort for ip targets)."""
    healthy_threshold: int | None = None
    """THRESHOLD_COUNT."""
    unhealthy_threshold: int | None = None
    """THRESHOLD_COUNT."""


@dataclass(frozen=True, kw_only=True)
class NlbTls:
    """TLS termination on the NLB: the listeners on `ports` become TLS with these certificates."""

    certificate_arns: tuple[str, ...]
    """ACM certificate ARNs; the first is the default certificate."""
    ports: tuple[int | str, ...] = (443,)
    """Service ports (numbers or names) that get TLS listeners; '*' matches nothing (annotations.md)."""
    negotiation_policy: str | None = None
    """ELBSecurityPolicy-* (controller default ELBSecurityPolicy-2016-08)."""
    backend_protocol: Literal["ssl", "tcp"] | None = None
    """ssl re-encrypts towards the pods; default tcp (plain)."""
    alpn_policy: Literal["HTTP1Only", "HTTP2Only", "HTTP2Optional", "HTTP2Preferred", "None"] | None = None

    def problems(self) -> list[Problem]:
        problems: list[Problem] = []
        if not self.certificate_arns:
            problems.append(("certificate_arns", "empty; a TLS listener needs at least one certificate ARN"))
        problems += [("certificate_arns", p) for a in self.certificate_arns if (p := certificate_arn_problem(a))]
        if not self.ports:
            problems.append(("ports", "empty; without ssl-ports every Service port would become TLS"))
        for port in self.ports:
            if port == "*":
                problems.append(("ports", "'*' matches no port (annotations.md); list the ports"))
            elif (is_int(port) and port not in PORT) or (not is_int(port) and list_item_problem(port)):
                problems.append(("ports", f"{port!r}: allowed: Service port numbers {PORT} or port names"))
        if self.negotiation_policy is not None and (p := ssl_policy_problem(self.negotiation_policy)):
            problems.append(("negotiation_policy", p))
        return problems + choice_problems(
            (
                ("backend_protocol", self.backend_protocol, BACKEND_PROTOCOLS),
                ("alpn_policy", self.alpn_policy, ALPN_POLICIES),
            )
        )

    def values(self) -> dict[str, str]:
        return annotation_values(
            (
                ("aws-load-balancer-ssl-cert", string_list(self.certificate_arns)),
                ("aws-load-balancer-ssl-ports", string_list(self.ports)),
                ("aws-load-balancer-ssl-negotiation-policy", self.negotiation_policy),
                ("aws-load-balancer-backend-protocol", self.backend_protocol),
                ("aws-load-balancer-alpn-policy", self.alpn_policy),
            )
        )


@dataclass(frozen=True, kw_only=True)
class ServicePort:
    """A port of the Service (what `ssl-ports` and listener attributes refer to)."""

    port: int
    target_port: int | str
    name: str | None = None
    protocol: Literal["TCP", "UDP"] = "TCP"

    def document(self) -> dict[str, Any]:
        document: dict[str, Any] = {"port": self.port, "targetPort": self.target_port, "protocol": self.protocol}
        if self.name is not None:
            document = {"name": self.name, **document}
        return document


@dataclass(frozen=True, kw_only=True)
class NlbServiceAnnotations(AnnotationBuilder):
    """Every `service.beta.kubernetes.io/*` annotation this project sets on an NLB Service, typed.

    `annotations()` validates and returns the annotation map; `service_spec(ports)` also checks
    the ports the annotations refer to and returns the spec fields that make the controller
    (not the in-tree cloud provider) own the Service.
    """

    PREFIX: ClassVar[str] = PREFIX

    target_type: Literal["instance", "ip"] | None = keyed("aws-load-balancer-nlb-target-type")
    """Controller default with loadBalancerClass (which service_spec sets): instance."""
    scheme: Literal["internal", "internet-facing"] | None = keyed("aws-load-balancer-scheme")
    """Controller default: internal."""
    name: str | None = keyed("aws-load-balancer-name")
    """At most 32 characters; only read when the NLB is created."""
    subnets: tuple[str, ...] = ()
    """Subnet IDs or Name tags, one per zone (default: discovered by tag)."""
    ip_address_type: Literal["ipv4", "dualstack"] | None = keyed("aws-load-balancer-ip-address-type")
    cross_zone_enabled: bool | None = None
    """load_balancing.cross_zone.enabled (NLB default false)."""
    deletion_protection: bool | None = None
    health_check: NlbHealthCheck | None = None
    target_group_attributes: NlbTargetGroupAttributes | None = None
    proxy_protocol_v2: bool = False
    """`aws-load-balancer-proxy-protocol: "*"`: PROXY protocol v2 on every target group."""
    tls: NlbTls | None = None
    tcp_idle_timeout_seconds: Mapping[int, int] = field(default_factory=dict)
    """TCP Service port -> NLB TCP idle timeout, TCP_IDLE_TIMEOUT (AWS default 350): `listener-attributes.TCP-<port>`
    (a UDP port of the same number is another listener, `UDP-<port>`, and is not meant)."""
    eip_allocations: tuple[str, ...] = ()
    """Internet-facing only; one per subnet, in the subnets' order."""
    source_ranges: tuple[str, ...] = ()
    """CIDRs allowed in: `spec.loadBalancerSourceRanges` (the docs prefer it to the annotation).
    Ignored by AWS when client IP preservation is off (the default for ip targets)."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """`aws-load-balancer-additional-resource-tags`."""
    target_node_labels: Mapping[str, str] = field(default_factory=dict)
    """Instance targets only: register just the nodes with these labels
    (`aws-load-balancer-target-node-labels`); default: every node."""

    def problems(self) -> list[Problem]:
        problems = load_balancer_problems(self, IP_ADDRESS_TYPES, ("name", self.name))
        problems += [("subnets", p) for s in self.subnets if (p := list_item_problem(s))]
        problems += nested(
            (
                ("health_check", self.health_check),
                ("target_group_attributes", self.target_group_attributes),
                ("tls", self.tls),
            )
        )
        for port, seconds in self.tcp_idle_timeout_seconds.items():
            if p := PORT.problem(port):
                problems.append((f"tcp_idle_timeout_seconds[{port}]", f"port {p}"))
            if p := TCP_IDLE_TIMEOUT.problem(seconds):
                problems.append((f"tcp_idle_timeout_seconds[{port}]", p))
        if self.eip_allocations:
            if self.scheme != "internet-facing":
                problems.append(("eip_allocations", "only for scheme internet-facing"))
            if self.subnets and len(self.eip_allocations) != len(self.subnets):
                problems.append(
                    (
                        "eip_allocations",
                        f"{len(self.eip_allocations)} allocations for {len(self.subnets)} subnets; allowed: one each",
                    )
                )
            problems += [
                ("eip_allocations", f"{a!r} is not an allocation id like eipalloc-0123456789abcdef0")
                for a in self.eip_allocations
                if not _EIP_ALLOCATION.match(a)
            ]
        problems += [("source_ranges", p) for c in self.source_ranges if (p := cidr_problem(c))]
        problems += tag_problems(self.tags)
        if self.target_node_labels and self.target_type == "ip":
            problems.append(("target_node_labels", "only for target_type instance (ip targets are pods, not nodes)"))
        problems += [
            ("target_node_labels", p) for k, v in self.target_node_labels.items() if (p := label_problem(k, v))
        ]
        return problems

    def _values(self) -> dict[str, str]:
        values = keyed_values(self)
        if self.subnets:
            values["aws-load-balancer-subnets"] = string_list(self.subnets)
        if self.eip_allocations:
            values["aws-load-balancer-eip-allocations"] = string_list(self.eip_allocations)
        attributes: dict[str, str] = {}
        if self.cross_zone_enabled is not None:
            attributes["load_balancing.cross_zone.enabled"] = boolean(self.cross_zone_enabled)
        if self.deletion_protection is not None:
            attributes["deletion_protection.enabled"] = boolean(self.deletion_protection)
        if attributes:
            values["aws-load-balancer-attributes"] = string_map(attributes)
        if self.health_check is not None:
            values.update(self.health_check.values())
        if self.target_group_attributes is not None and (attrs := self.target_group_attributes.attributes()):
            values["aws-load-balancer-target-group-attributes"] = string_map(attrs)
        if self.proxy_protocol_v2:
            values["aws-load-balancer-proxy-protocol"] = "*"
        if self.tls is not None:
            values.update(self.tls.values())
        for port, seconds in sorted(self.tcp_idle_timeout_seconds.items()):
            values[f"aws-load-balancer-listener-attributes.TCP-{port}"] = string_map(
                {"tcp.idle_timeout.seconds": seconds}
            )
        if self.tags:
            values["aws-load-balancer-additional-resource-tags"] = string_map(dict(sorted(self.tags.items())))
        if self.target_node_labels:
            values["aws-load-balancer-target-node-labels"] = string_map(dict(sorted(self.target_node_labels.items())))
        return values

    def port_problems(self, ports: Sequence[ServicePort]) -> list[Problem]:
        """What the annotations say about ports the Service does not have."""
        problems: list[Problem] = []
        if not ports:
            problems.append(("ports", "empty; a LoadBalancer Service needs at least one port"))
        by_key = {(p.port, p.protocol): p for p in ports}
        if len(by_key) < len(ports):
            problems.append(("ports", "a (port, protocol) pair twice; each listener is one port and protocol"))
        numbers = {p.port for p in ports}
        names = {p.name: p for p in ports if p.name}
        if len(names) < len([p for p in ports if p.name]):
            problems.append(("ports", "a port name twice; each port needs a name of its own"))
        if self.tls is not None:
            for port in self.tls.ports:
                if port != "*" and port not in numbers and port not in names:
                    problems.append(("tls.ports", f"{port!r} is not a port of the Service ({sorted(numbers)})"))
        tls_ports = set(self.tls.ports) if self.tls is not None else set()
        health_port = self.health_check.port if self.health_check is not None else None
        if isinstance(health_port, str) and health_port != "traffic-port":
            named = names.get(health_port)
            if named is None:
                problems.append(
                    ("health_check.port", f"{health_port!r} is not a port name of the Service ({sorted(names)})")
                )
            elif self.target_type == "ip" and not is_int(named.target_port):
                problems.append(
                    ("health_check.port", f"{health_port!r}: with ip targets, a port whose targetPort is a number")
                )
        for port in self.tcp_idle_timeout_seconds:
            service_port = by_key.get((port, "TCP"))
            if service_port is None:
                problems.append((f"tcp_idle_timeout_seconds[{port}]", "is not a TCP port of the Service"))
            elif port in tls_ports or service_port.name in tls_ports:
                problems.append(
                    (f"tcp_idle_timeout_seconds[{port}]", "is a TLS listener, whose idle timeout is fixed at 350 s")
                )
        return problems

    def service_spec(
        self, ports: Sequence[ServicePort], *, external_traffic_policy: Literal["Cluster", "Local"] | None = None
    ) -> dict[str, Any]:
        """Service `spec` fields (camelCase, as in a manifest): type, the controller's class, ports,
        source ranges and traffic policy. Add the selector yourself."""
        problems = self.problems() + self.port_problems(ports)
        if external_traffic_policy is not None and (
            p := choice_problem(external_traffic_policy, EXTERNAL_TRAFFIC_POLICIES)
        ):
            problems.append(("external_traffic_policy", p))
        raise_if_any("NlbServiceAnnotations", problems)
        spec: dict[str, Any] = {
            "type": "LoadBalancer",
            "loadBalancerClass": LOAD_BALANCER_CLASS,
            "ports": [p.document() for p in ports],
        }
        if self.source_ranges:
            spec["loadBalancerSourceRanges"] = list(self.source_ranges)
        if external_traffic_policy is not None:
            spec["externalTrafficPolicy"] = external_traffic_policy
        return spec


DOCUMENTED_SUFFIXES = frozenset(
    {
        "aws-load-balancer-nlb-target-type",
        "aws-load-balancer-scheme",
        "aws-load-balancer-name",
        "aws-load-balancer-ip-address-type",
        "aws-load-balancer-subnets",
        "aws-load-balancer-eip-allocations",
        "aws-load-balancer-attributes",
        "aws-load-balancer-healthcheck-protocol",
        "aws-load-balancer-healthcheck-port",
        "aws-load-balancer-healthcheck-path",
        "aws-load-balancer-healthcheck-interval",
        "aws-load-balancer-healthcheck-timeout",
        "aws-load-balancer-healthcheck-healthy-threshold",
        "aws-load-balancer-healthcheck-unhealthy-threshold",
        "aws-load-balancer-healthcheck-success-codes",
        "aws-load-balancer-target-group-attributes",
        "aws-load-balancer-proxy-protocol",
        "aws-load-balancer-ssl-cert",
        "aws-load-balancer-ssl-ports",
        "aws-load-balancer-ssl-negotiation-policy",
        "aws-load-balancer-backend-protocol",
        "aws-load-balancer-alpn-policy",
        "aws-load-balancer-additional-resource-tags",
        "aws-load-balancer-target-node-labels",
    }
)
"""Annotation suffixes the builder can emit, as constants.go names them (`SvcLBSuffix*`);
`aws-load-balancer-listener-attributes.` is the prefix of per-listener keys."""
DOCUMENTED_PREFIXES = ("aws-load-balancer-listener-attributes.",)
