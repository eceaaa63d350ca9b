"""Azure load balancer annotations for a Kubernetes Service, built and checked in one place.

The AKS cloud provider (kubernetes-sigs/cloud-provider-azure) reads these annotations to build
the Azure Load Balancer's frontend, rules and health probes. It ignores a misspelt key and
rejects some values only at reconcile time (the Service then stays `<pending>` with a
SyncLoadBalancerFailed event). Here the keys are spelt once and every value is checked with
the cloud provider's own rules before anything is deployed:
- probe interval >= 5 s, num-of-probe >= 2, interval x num-of-probe < 120 s, taking the
  cloud provider's defaults (5 s, 2) for whichever is not set
  (pkg/provider/azure_loadbalancer_healthprobe.go, getHealthProbeConfigProbeIntervalAndNumOfProbe);
- TCP idle timeout limits.TCP_IDLE_TIMEOUT_MINUTES (cloud-provider-azure PR #4361 raised the maximum from 30);
- probe protocols TCP, HTTP, HTTPS (anything else silently falls back to TCP there).

The surprise of seed 004's part 2: with `externalTrafficPolicy: Local` the cloud provider probes
kube-proxy's node health check (HTTP `/healthz` on the Service's healthCheckNodePort) and skips
a port's own probe settings unless that port's probe port is set too
(`buildHealthProbeRulesForPort` returns nil when `port_<p>_health-probe_port` is absent and the
Service needs a health check); only the global interval and num-of-probe reach that probe
(PR #4207, cloud-provider v1.28.0, v1.27.6, v1.26.12, v1.25.16). The builder therefore emits
only the annotations that take effect, lists the ones it dropped in `ignored`, and describes
the probe Azure will really get in `probes`, so that nobody has to find out from
`az network lb probe list`.

`num-of-probe` is sent to Azure as the probe's `probeThreshold` (PR #3623, cloud-provider
v1.27.0, backported to v1.24.18+), which Azure honours; the older `numberOfProbes` property was
what "does not work" (Azure Load Balancer known issue, whats-new.md). Every AKS version in
support runs a cloud provider with both fixes.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from ..errors import raise_if_any
from ..limits import PORT
from ..limits import azure as limits
from .names import network_name_problem, resource_group_name_problem

PREFIX = "service.beta.kubernetes.io/"
RESOURCE_GROUP = f"{PREFIX}azure-load-balancer-resource-group"
PIP_NAME = f"{PREFIX}azure-pip-name"
INTERNAL = f"{PREFIX}azure-load-balancer-internal"
INTERNAL_SUBNET = f"{PREFIX}azure-load-balancer-internal-subnet"
HEALTH_PROBE_PROTOCOL = f"{PREFIX}azure-load-balancer-health-probe-protocol"
HEALTH_PROBE_REQUEST_PATH = f"{PREFIX}azure-load-balancer-health-probe-request-path"
HEALTH_PROBE_INTERVAL = f"{PREFIX}azure-load-balancer-health-probe-interval"
HEALTH_PROBE_NUM_OF_PROBE = f"{PREFIX}azure-load-balancer-health-probe-num-of-probe"
TCP_IDLE_TIMEOUT = f"{PREFIX}azure-load-balancer-tcp-idle-timeout"
DISABLE_TCP_RESET = f"{PREFIX}azure-load-balancer-disable-tcp-reset"
ALLOWED_IP_RANGES = f"{PREFIX}azure-allowed-ip-ranges"

MIN_PROBE_INTERVAL_SECONDS = 5
DEFAULT_PROBE_INTERVAL_SECONDS = 5
MIN_NUM_OF_PROBE = 2
DEFAULT_NUM_OF_PROBE = 2
MAX_TOTAL_PROBE_SECONDS = 120  # interval x num-of-probe must stay below this
PROBE_PROTOCOLS: tuple[str, ...] = ("TCP", "HTTP", "HTTPS")
DEFAULT_REQUEST_PATH = "/"
NODE_HEALTH_CHECK_PATH = "/healthz"  # kube-proxy's health check server on spec.healthCheckNodePort

ExternalTrafficPolicy = Literal["Cluster", "Local"]
_PORT_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]{0,13}[a-z0-9])?$")


def port_health_probe_key(port: int, param: str) -> str:
    """`service.beta.kubernetes.io/port_<port>_health-probe_<param>` (consts.HealthProbeAnnotationPrefixPattern)."""
    return f"{PREFIX}port_{port}_health-probe_{param}"


@dataclass(frozen=True, kw_only=True)
class PortHealthProbe:
    """Probe settings for one Service port; each overrides the Service-wide setting of the same name."""

    protocol: str | None = None
    """TCP, HTTP or HTTPS (any case). Seed 004: TCP for port 9999."""
    port: int | str | None = None
    """Probe this Service port (number or name: its NodePort) or this raw port instead of the port's own NodePort.
    With externalTrafficPolicy Local, the port's other settings take effect only when this is set."""
    interval_seconds: int | None = None
    num_of_probe: int | None = None
    request_path: str | None = None
    """HTTP(S) only."""


@dataclass(frozen=True, kw_only=True)
class AzureLoadBalancerSettings:
    """What a Service asks of the Azure Load Balancer. None means: leave the cloud provider's default."""

    service_ports: Mapping[int, str]
    """The Service's TCP ports, port number -> port name (e.g. {9999: "tcp-client"})."""
    external_traffic_policy: ExternalTrafficPolicy = "Cluster"
    """The Service's spec.externalTrafficPolicy: decides which probe settings take effect."""
    resource_group: str | None = None
    """Resource group of the public IP when it is not the node resource group (seed: rg-network)."""
    pip_name: str | None = None
    """Name of an existing public IP to use as the frontend (seed: kimmap-tcp-pip)."""
    internal: bool = False
    """An internal load balancer (private frontend in the node subnet) instead of a public one."""
    internal_subnet: str | None = None
    health_probe_protocol: str | None = None
    health_probe_request_path: str | None = None
    health_probe_interval_seconds: int | None = None
    """Seconds between probes, >= 5 (seed: 59)."""
    health_probe_num_of_probe: int | None = None
    """Consecutive results that flip a backend (Azure probeThreshold), >= 2."""
    port_health_probes: Mapping[int, PortHealthProbe] = field(default_factory=dict)
    """Service port -> its own probe settings (seed: {9999: protocol TCP})."""
    tcp_idle_timeout_minutes: int | None = None
    """Minutes an idle flow is kept, limits.TCP_IDLE_TIMEOUT_MINUTES (Azure default 4)."""
    tcp_reset: bool = True
    """Send TCP RST to both ends when an idle flow times out (Standard LB default: on)."""
    allowed_ip_ranges: Sequence[str] = ()
    """Client CIDRs the network security group admits; empty: anywhere."""


@dataclass(frozen=True)
class EffectiveProbe:
    """The health probe the cloud provider will configure for one Service port."""

    service_port: int
    protocol: str
    target: str
    """What is probed: 'NodePort of 9999', 'healthCheckNodePort' or 'port 10256'."""
    request_path: str | None
    interval_seconds: int
    num_of_probe: int
    """Azure probeThreshold."""

    def describe(self) -> str:
        path = f" {self.request_path}" if self.request_path else ""
        return (
            f"{self.protocol}{path} on {self.target}, every {self.interval_seconds} s,"
            f" {self.num_of_probe} consecutive results flip a node"
        )


@dataclass(frozen=True)
class AzureLoadBalancerAnnotations:
    """The outcome of building: what to put on the Service, what was left out and why, what Azure will probe."""

    annotations: dict[str, str]
    ignored: list[str]
    """One sentence per setting the cloud provider would ignore; it is not emitted."""
    probes: dict[int, EffectiveProbe]


def problems(settings: AzureLoadBalancerSettings) -> list[tuple[str, str]]:
    """Every value the cloud provider would reject or silently misread, as (field, reason)."""
    found: list[tuple[str, str]] = []
    ports = dict(settings.service_ports)
    if not ports:
        found.append(("service_ports", "empty; a LoadBalancer Service needs at least one port"))
    for number, name in ports.items():
        if number not in PORT:
            found.append(("service_ports", f"{number}: a Service port must be {PORT}"))
        if name and not _PORT_NAME.match(name):
            found.append(("service_ports", f"{name!r}: a port name is 1-15 lowercase letters, digits and '-'"))
    if settings.external_traffic_policy not in ("Cluster", "Local"):
        found.append(
            ("external_traffic_policy", f"{settings.external_traffic_policy!r} is not one of 'Cluster', 'Local'")
        )
    if settings.resource_group is not None and (problem := resource_group_name_problem(settings.resource_group)):
        found.append(("resource_group", problem))
    if settings.pip_name is not None:
        if problem := network_name_problem(settings.pip_name):
            found.append(("pip_name", problem))
        if settings.internal:
            found.append(("pip_name", f"{settings.pip_name!r}: an internal load balancer has no public IP"))
    if settings.internal_subnet is not None:
        if not settings.internal:
            found.append(("internal_subnet", "is only read for an internal load balancer (internal: true)"))
        elif problem := network_name_problem(settings.internal_subnet):
            found.append(("internal_subnet", problem))
    found.extend(_probe_value_problems("health_probe", _global_probe(settings)))
    for number, probe in settings.port_health_probes.items():
        where = f"port_health_probes[{number}]"
        if number not in ports:
            found.append((where, f"{number} is not a port of the Service (ports: {_port_list(ports)})"))
        found.extend(_probe_value_problems(where, probe))
        if probe.port is not None and (problem := _probe_port_problem(probe.port, ports)):
            found.append((f"{where}.port", problem))
    for number in ports:
        interval, count, own_values = _interval_and_count(settings, number)
        if interval * count >= MAX_TOTAL_PROBE_SECONDS:
            where = f"port_health_probes[{number}]" if own_values else "health_probe_interval_seconds"
            found.append(
                (
                    where,
                    f"interval {interval} s x num-of-probe {count} = {interval * count} s for port {number};"
                    f" the cloud provider needs it below {MAX_TOTAL_PROBE_SECONDS} s",
                )
            )
    timeout = settings.tcp_idle_timeout_minutes
    allowed = limits.TCP_IDLE_TIMEOUT_MINUTES
    if timeout is not None and timeout not in allowed:
        found.append(("tcp_idle_timeout_minutes", f"{timeout}: must be {allowed.low} to {allowed.high} minutes"))
    for cidr in settings.allowed_ip_ranges:
        try:
            ipaddress.ip_network(cidr)
        except ValueError:
            found.append(("allowed_ip_ranges", f"{cidr!r} is not a CIDR like 203.0.113.0/24 (host bits zero)"))
    return list(dict.fromkeys(found))


def build(settings: AzureLoadBalancerSettings) -> AzureLoadBalancerAnnotations:
    """Annotations that take effect, what was dropped and why, and the probes Azure will get.

    Raises ArgsError listing every problem when a value would be rejected or misread.
    """
    raise_if_any("AzureLoadBalancerAnnotations", problems(settings))
    annotations: dict[str, str] = {}
    ignored: list[str] = []
    local = settings.external_traffic_policy == "Local"

    if settings.resource_group is not None:
        annotations[RESOURCE_GROUP] = settings.resource_group
    if settings.pip_name is not None:
        annotations[PIP_NAME] = settings.pip_name
    if settings.internal:
        annotations[INTERNAL] = "true"
        if settings.internal_subnet is not None:
            annotations[INTERNAL_SUBNET] = settings.internal_subnet

    probes = {number: _effective_probe(settings, number) for number in sorted(settings.service_ports)}
    node_health_ports = [n for n in probes if probes[n].target == "healthCheckNodePort"]
    own_probe_ports = [n for n in probes if n not in node_health_ports]

    # Service-wide protocol and path reach only the ports probed on their own NodePort (or override).
    global_probe = _global_probe(settings)
    for param, value in (("protocol", global_probe.protocol), ("request-path", global_probe.request_path)):
        if value is None:
            continue
        key = HEALTH_PROBE_PROTOCOL if param == "protocol" else HEALTH_PROBE_REQUEST_PATH
        used = [n for n in own_probe_ports if _uses_global(settings, n, param)]
        if used:
            annotations[key] = _protocol(value) if param == "protocol" else value
        else:
            ignored.append(_ignored_global(key, value, node_health_ports, settings))
    # Interval and num-of-probe reach every probe, the node health check's included.
    if settings.health_probe_interval_seconds is not None:
        annotations[HEALTH_PROBE_INTERVAL] = str(settings.health_probe_interval_seconds)
    if settings.health_probe_num_of_probe is not None:
        annotations[HEALTH_PROBE_NUM_OF_PROBE] = str(settings.health_probe_num_of_probe)

    for number in sorted(settings.port_health_probes):
        probe = settings.port_health_probes[number]
        values = {
            "port": probe.port,
            "protocol": _protocol(probe.protocol) if probe.protocol is not None else None,
            "interval": probe.interval_seconds,
            "num-of-probe": probe.num_of_probe,
            "request-path": probe.request_path,
        }
        for param, value in values.items():
            if value is None:
                continue
            key = port_health_probe_key(number, param)
            if local and probe.port is None:
                ignored.append(
                    f"{key}={value} is ignored with externalTrafficPolicy Local: the probe is HTTP"
                    f" {NODE_HEALTH_CHECK_PATH} on the Service's healthCheckNodePort unless"
                    f" {port_health_probe_key(number, 'port')} is set too"
                    + ("; only the Service-wide interval and num-of-probe apply" if param != "protocol" else "")
                )
            elif param == "request-path" and probes[number].protocol == "TCP":
                ignored.append(f"{key}={value} is ignored: the probe of port {number} is TCP, which has no path")
            else:
                annotations[key] = str(value)

    if settings.tcp_idle_timeout_minutes is not None:
        annotations[TCP_IDLE_TIMEOUT] = str(settings.tcp_idle_timeout_minutes)
    if not settings.tcp_reset:
        annotations[DISABLE_TCP_RESET] = "true"
    if settings.allowed_ip_ranges:
        annotations[ALLOWED_IP_RANGES] = ",".join(settings.allowed_ip_ranges)
    return AzureLoadBalancerAnnotations(dict(sorted(annotations.items())), ignored, probes)


def service_annotations(settings: AzureLoadBalancerSettings) -> dict[str, str]:
    """Just the annotations (see `build`)."""
    return build(settings).annotations


# ---- helpers --------------------------------------------------------------------------------


def _global_probe(settings: AzureLoadBalancerSettings) -> PortHealthProbe:
    return PortHealthProbe(
        protocol=settings.health_probe_protocol,
        interval_seconds=settings.health_probe_interval_seconds,
        num_of_probe=settings.health_probe_num_of_probe,
        request_path=settings.health_probe_request_path,
    )


def _protocol(value: str) -> str:
    return value.strip().upper()


def _port_list(ports: Mapping[int, str]) -> str:
    return ", ".join(f"{n}/{name}" if name else str(n) for n, name in sorted(ports.items())) or "none"


def _probe_value_problems(where: str, probe: PortHealthProbe) -> list[tuple[str, str]]:
    found = []
    sep = "." if where.endswith("]") else "_"
    if probe.protocol is not None and _protocol(probe.protocol) not in PROBE_PROTOCOLS:
        found.append((f"{where}{sep}protocol", f"{probe.protocol!r} is not one of {', '.join(PROBE_PROTOCOLS)}"))
    if probe.interval_seconds is not None and probe.interval_seconds < MIN_PROBE_INTERVAL_SECONDS:
        found.append(
            (
                f"{where}{sep}interval_seconds",
                f"{probe.interval_seconds}: the cloud provider's minimum is {MIN_PROBE_INTERVAL_SECONDS} seconds",
            )
        )
    if probe.num_of_probe is not None and probe.num_of_probe < MIN_NUM_OF_PROBE:
        found.append(
            (
                f"{where}{sep}num_of_probe",
                f"{probe.num_of_probe}: the cloud provider's minimum is {MIN_NUM_OF_PROBE}",
            )
        )
    if probe.request_path is not None and not probe.request_path.startswith("/"):
        found.append((f"{where}{sep}request_path", f"{probe.request_path!r} must start with '/'"))
    return found


def _probe_port_problem(port: int | str, ports: Mapping[int, str]) -> str | None:
    if isinstance(port, str):
        if port.isdigit():
            port = int(port)
        elif any(port.lower() == name.lower() for name in ports.values()):
            return None
        else:
            return f"{port!r} is not a port name of the Service (ports: {_port_list(ports)})"
    if port not in PORT:
        return f"{port}: a probe port must be {PORT} or a port name of the Service"
    return None


def _interval_and_count(settings: AzureLoadBalancerSettings, number: int) -> tuple[int, int, bool]:
    """The interval and num-of-probe the cloud provider will use for port `number`, and whether
    either comes from the port's own settings."""
    own = settings.port_health_probes.get(number, PortHealthProbe())
    if settings.external_traffic_policy == "Local" and own.port is None:
        own = PortHealthProbe()  # looked up under the healthCheckNodePort's number: only the globals match
    interval = own.interval_seconds or settings.health_probe_interval_seconds or DEFAULT_PROBE_INTERVAL_SECONDS
    count = own.num_of_probe or settings.health_probe_num_of_probe or DEFAULT_NUM_OF_PROBE
    return interval, count, own.interval_seconds is not None or own.num_of_probe is not None


def _uses_global(settings: AzureLoadBalancerSettings, number: int, param: str) -> bool:
    """Whether port `number`'s own probe (not the node health check) uses the Service-wide `param`."""
    own = settings.port_health_probes.get(number, PortHealthProbe())
    if param == "protocol":
        return own.protocol is None
    probe_protocol = _protocol(own.protocol or settings.health_probe_protocol or "TCP")
    return own.request_path is None and probe_protocol != "TCP"


def _ignored_global(key: str, value: str, node_health_ports: list[int], settings: AzureLoadBalancerSettings) -> str:
    if node_health_ports and len(node_health_ports) == len(settings.service_ports):
        return (
            f"{key}={value} is ignored with externalTrafficPolicy Local: every port is probed by HTTP"
            f" {NODE_HEALTH_CHECK_PATH} on the Service's healthCheckNodePort"
        )
    if key == HEALTH_PROBE_REQUEST_PATH:
        return f"{key}={value} is ignored: no port is probed over HTTP(S) with the Service-wide path"
    return f"{key}={value} is ignored: every port sets its own probe protocol"


def _effective_probe(settings: AzureLoadBalancerSettings, number: int) -> EffectiveProbe:
    own = settings.port_health_probes.get(number, PortHealthProbe())
    interval, count, _ = _interval_and_count(settings, number)
    if settings.external_traffic_policy == "Local" and own.port is None:
        return EffectiveProbe(number, "HTTP", "healthCheckNodePort", NODE_HEALTH_CHECK_PATH, interval, count)
    protocol = _protocol(own.protocol or settings.health_probe_protocol or "TCP")
    target = f"NodePort of {number}"
    if own.port is not None:
        by_name = {name.lower(): n for n, name in settings.service_ports.items()}
        probe_port = str(own.port)
        if probe_port.lower() in by_name:
            target = f"NodePort of {by_name[probe_port.lower()]}"
        elif int(probe_port) in settings.service_ports:
            target = f"NodePort of {int(probe_port)}"
        else:
            target = f"port {probe_port}"
    path = None
    if protocol != "TCP":
        path = own.request_path or settings.health_probe_request_path or DEFAULT_REQUEST_PATH
    return EffectiveProbe(number, protocol, target, path, interval, count)
