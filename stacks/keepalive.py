"""What alb-keepalive and nlb-keepalive share: their knobs, workloads, binding and experiments.

Seed 000 (and the series' NLB episode it refers to): a gunicorn server with --keep-alive 20 on
role=server, an idle client on role=client, a load balancer made by hand in front of the
server through a TargetGroupBinding, and `python client.py INTERVAL` runs at 3, 30 and 70 s.
The load balancer itself (ALB or NLB) is each scenario's own part.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

import pulumi
from pydantic import Field, field_validator, model_validator

from components.aws.load_balancers import HealthCheck, TargetGroupBinding, TargetGroupBindingArgs
from components.k8s_labels import matches
from components.limits import aws as limits
from components.text_rules import host_header_problem
from k8s.capture import PacketCapture, fetch_command
from k8s.keepalive import (
    KeepAliveClient,
    KeepAliveClientArgs,
    KeepAliveServer,
    KeepAliveServerArgs,
    ProgramImage,
)
from k8s.versions import NETSHOOT_IMAGE, PYTHON_IMAGE
from stacks.aws_base import AwsBase, AwsBaseConfig
from stacks.config import Loc, StackModel, raise_problems, within
from stacks.experiments.model import Expectation, Experiment
from stacks.experiments.model import exported as export_experiments
from stacks.experiments.predicates import Changes, FieldIs, Near, RequestCount

LISTENER_PORT = 80
# The seed's runs, (interval, requests): `python client.py 3`, `... 30` (stopped after the
# requests at 0, 30, 60 and 90 s its capture shows) and `... 70`. A count keeps each bounded.
SEED_RUNS = ((3, 10), (30, 4), (70, 3))
SERVER_NAMESPACE, CLIENT_NAMESPACE = "server", "client"
PEER_FIN = "peer FIN while idle"  # client.py's reason when the peer closed the idle connection
_IMAGE = re.compile(r"^[a-z0-9][a-z0-9._/:@-]*$")
_PATH = re.compile(r"^/[\x21-\x7e]*$")


def _image(value: str) -> str:
    if value and not _IMAGE.match(value):
        raise ValueError(f"{value!r} is not an image reference like registry/name:tag")
    return value


def _path(value: str) -> str:
    if not _PATH.match(value):
        raise ValueError(f"{value!r} must start with / and hold no spaces")
    return value


class ServerConfig(StackModel):
    """The gunicorn server (seed 000's server.yaml)."""

    keep_alive_seconds: int = Field(20, ge=1, le=86400)
    """gunicorn --keep-alive: seconds an idle connection stays open (seed: 20)."""
    timeout_seconds: int = Field(10, ge=1, le=3600)
    """gunicorn --timeout (seed: 10)."""
    log_level: Literal["debug", "info", "warning", "error", "critical"] = "debug"
    """gunicorn --log-level (seed: debug)."""
    node_selector: dict[str, str] = {"role": "server"}
    """Nodes the server runs on (seed: role=server)."""


class ClientConfig(StackModel):
    """The idle client pod (seed 000's client.yaml)."""

    endpoint: str = "/index"
    """ENDPOINT: the path client.py requests (seed: /index; try /slow?wait=11)."""
    host_header: str = ""
    """HOST_HEADER (seed: the load balancer's DNS name). Empty: the load balancer's DNS name."""
    node_selector: dict[str, str] = {"role": "client"}
    """Nodes the client runs on (seed: role=client)."""

    @field_validator("endpoint")
    @classmethod
    def _endpoint(cls, value: str) -> str:
        return _path(value)

    @field_validator("host_header")
    @classmethod
    def _host_header(cls, value: str) -> str:
        if value and (problem := host_header_problem(value)):
            raise ValueError(problem)
        return value


class ImagesConfig(StackModel):
    """Images that run the server and client programs (k8s/apps/keepalive)."""

    python: str = PYTHON_IMAGE
    """Stock Python image; the programs are mounted from a ConfigMap and the server's pinned
    dependencies installed by an init container (no image to build)."""
    custom: str = ""
    """Your image built from k8s/apps/keepalive/Dockerfile; replaces `python` and the init container."""

    @field_validator("python", "custom")
    @classmethod
    def _images(cls, value: str) -> str:
        return _image(value)

    @model_validator(mode="after")
    def _some_image(self) -> ImagesConfig:
        if not (self.python or self.custom):
            raise_problems([(("python",), "empty while custom is empty: no image would run the programs")])
        return self

    def program_image(self) -> ProgramImage:
        return ProgramImage(python_image=self.python, custom_image=self.custom or None)


class CaptureConfig(StackModel):
    """tcpdump sidecars on the server and client pods (seed 000 read both sides in Wireshark)."""

    enabled: bool = False
    """Add the sidecars. They run as root with NET_RAW and NET_ADMIN, so the namespaces then
    enforce the `privileged` Pod Security level instead of `restricted`."""
    image: str = NETSHOOT_IMAGE
    """Image with tcpdump and tar."""
    file_megabytes: int = Field(100, ge=1, le=1000)
    """Size of one pcap file (tcpdump -C)."""
    files: int = Field(5, ge=1, le=100)
    """pcap files kept per pod (tcpdump -W); the oldest is overwritten."""

    @field_validator("image")
    @classmethod
    def _tcpdump_image(cls, value: str) -> str:
        return _image(value)

    def packet_capture(self) -> PacketCapture | None:
        if not self.enabled:
            return None
        return PacketCapture(image=self.image, file_megabytes=self.file_megabytes, files=self.files)


class LoadBalancerConfig(StackModel):
    """What the ALB and NLB knobs share."""

    default_zone_count: ClassVar[int | None] = None
    """How many of the bed's zones the load balancer takes when `availability_zones` is empty (None: all)."""
    component_knobs: ClassVar[tuple[str, ...]] = ()
    """Knobs the component takes under the same name: its own attributes (idle timeouts, ...)."""
    health_check_thresholds: ClassVar[tuple[int, int]] = (5, 2)
    """Healthy and unhealthy thresholds of the target group's health check."""
    attributes_command: ClassVar[tuple[str, str, str]] = ("", "", "")
    """Output name, `aws elbv2` subcommand and its ARN flag: how to see the knobs as AWS has them."""

    availability_zones: list[str] = []
    """Zones of the load balancer's private subnets, a subset of `availabilityZones`."""
    health_check_path: str = "/index"
    """Target group health check path (seed: /index)."""
    deregistration_delay_seconds: int = within(limits.DEREGISTRATION_DELAY, 300)
    """Seconds a deregistered target keeps its connections (AWS default 300)."""

    @field_validator("health_check_path")
    @classmethod
    def _health_check_path(cls, value: str) -> str:
        return _path(value)

    def zones(self, bed_zones: Sequence[str]) -> list[str]:
        """The zones the load balancer is in: its knob, or the first `default_zone_count` of the bed's."""
        return list(self.availability_zones) or list(bed_zones[: self.default_zone_count])

    def health_check(self) -> HealthCheck:
        healthy, unhealthy = self.health_check_thresholds
        return HealthCheck(path=self.health_check_path, healthy_threshold=healthy, unhealthy_threshold=unhealthy)

    def own_knobs(self) -> dict[str, Any]:
        """The `component_knobs`, by name: what the component takes besides the bed's arguments."""
        return self.model_dump(include=set(self.component_knobs))


class KeepAliveConfig(AwsBaseConfig):
    """The shared AWS base, plus the keep-alive server, client, images and captures.

    A scenario adds its load balancer's knobs as a field and names that field in `LOAD_BALANCER`.
    """

    LOAD_BALANCER: ClassVar[str]
    """The key (and field) of the scenario's LoadBalancerConfig: "alb" or "nlb"."""

    server: ServerConfig = ServerConfig()
    """The gunicorn server: keep-alive, timeout, log level, placement."""
    client: ClientConfig = ClientConfig()
    """The client pod: endpoint, Host header, placement."""
    images: ImagesConfig = ImagesConfig()
    """How the pods get the programs: stock Python image (default) or your own."""
    capture: CaptureConfig = CaptureConfig()
    """Optional tcpdump sidecars (off by default)."""

    @property
    def load_balancer(self) -> LoadBalancerConfig:
        """The scenario's load balancer knobs (the field `LOAD_BALANCER` names)."""
        return getattr(self, self.LOAD_BALANCER)

    def load_balancer_zones(self) -> list[str]:
        """The zones the load balancer is in (its knob, or the scenario's default)."""
        return self.load_balancer.zones(self.availability_zones)

    @model_validator(mode="after")
    def _placement(self) -> KeepAliveConfig:
        problems: list[tuple[Loc, str]] = []
        for key, selector in (("server", self.server.node_selector), ("client", self.client.node_selector)):
            if self.node_groups and not any(matches(selector, g.labels) for g in self.node_groups.values()):
                problems.append(((key, "nodeSelector"), f"{selector}: no node group has these labels"))
        lb_key = self.LOAD_BALANCER
        chosen = self.load_balancer.availability_zones
        for zone in chosen:
            if zone not in self.availability_zones:
                problems.append(
                    (
                        (lb_key, "availabilityZones"),
                        f"{zone!r} is not one of availabilityZones {self.availability_zones}",
                    )
                )
        if not problems:
            zones = self.load_balancer_zones()
            for name, group in self.node_groups.items():
                if not matches(self.server.node_selector, group.labels):
                    continue
                for zone in group.availability_zones or self.availability_zones[:1]:
                    if zone not in zones:
                        problems.append(
                            (
                                (lb_key, "availabilityZones"),
                                f"{zones} leaves out {zone}, where node group {name!r} runs the server: "
                                "targets there would never get traffic",
                            )
                        )
        raise_problems(problems)
        return self


def build_server(cfg: KeepAliveConfig, base: AwsBase) -> KeepAliveServer:
    """`kubectl create ns server; kubectl apply -f server.yaml -n server`."""
    where = base.cluster.placement(cfg.server.node_selector)
    return KeepAliveServer(
        "server",
        KeepAliveServerArgs(
            provider=base.cluster.provider,
            keep_alive_seconds=cfg.server.keep_alive_seconds,
            timeout_seconds=cfg.server.timeout_seconds,
            log_level=cfg.server.log_level,
            namespace=SERVER_NAMESPACE,
            node_selector=where.node_selector,
            tolerations=where.tolerations,
            images=cfg.images.program_image(),
            capture=cfg.capture.packet_capture(),
            wait_for=where.wait_for,
        ),
    )


def build_client(cfg: KeepAliveConfig, base: AwsBase, *, dns_name: pulumi.Output[str]) -> KeepAliveClient:
    """`kubectl create ns client; kubectl apply -f client.yaml -n client`, HOST wired from the LB."""
    where = base.cluster.placement(cfg.client.node_selector)
    return KeepAliveClient(
        "client",
        KeepAliveClientArgs(
            provider=base.cluster.provider,
            host=dns_name,
            host_header=cfg.client.host_header or dns_name,
            port=LISTENER_PORT,
            use_tls=False,
            endpoint=cfg.client.endpoint,
            namespace=CLIENT_NAMESPACE,
            node_selector=where.node_selector,
            tolerations=where.tolerations,
            images=cfg.images.program_image(),
            capture=cfg.capture.packet_capture(),
            wait_for=where.wait_for,
        ),
    )


def bind_server(
    base: AwsBase, server: KeepAliveServer, *, target_group_arn: pulumi.Input[str], security_group_id: pulumi.Input[str]
) -> TargetGroupBinding:
    """`kubectl -n server create -f tgb.yaml`: the target group gets the server's pods, and the
    load balancer's security group may reach them on 8000."""
    return TargetGroupBinding(
        "server",
        TargetGroupBindingArgs(
            provider=base.cluster.provider,
            controller=base.lb_controller.release,
            namespace=server.namespace,
            service_name=server.service_name,
            service_port=server.service_port,
            target_group_arn=target_group_arn,
            target_type="ip",
            from_security_group_id=security_group_id,
            target_port=server.target_port,
            wait_for=[server.service],
        ),
    )


def client_command(argv: tuple[str, ...], config: Mapping[str, str] | None = None) -> str:
    """The seed's run, bounded: `kubectl exec` into the client pod and run client.py; the
    `pulumi config set` and `pulumi up` it needs first, if any."""
    run = f"kubectl -n {CLIENT_NAMESPACE} exec -it deploy/client -c client -- {' '.join(argv)}"
    setup = [f"pulumi config set --path {key} {value}" for key, value in (config or {}).items()]
    return " && ".join([*setup, "pulumi up", run]) if setup else run


@dataclass(frozen=True)
class Timing:
    """One keep-alive run's times in seconds, after time scaling (the lab divides them all).

    gunicorn's --keep-alive is whole seconds, and so is conntrack's timeout (the lab's NLB):
    those are rounded, and the expectations use the rounded values the bed really has.
    """

    interval: float
    count: int
    keep_alive: float
    idle_timeout: float
    tolerance: float


def timing(
    interval: float, count: int, *, keep_alive: int, idle_timeout: int, scale: float, whole_idle: bool
) -> Timing:
    """The run's times scaled by `scale` (1 for the cloud), tolerance ±2 s scaled alike."""
    idle = idle_timeout * scale
    return Timing(
        interval=round(interval * scale, 6),
        count=count,
        keep_alive=max(1, round(keep_alive * scale)),
        idle_timeout=max(1, round(idle)) if whole_idle else round(idle, 6),
        tolerance=round(2 * scale, 6),
    )


def _base(t: Timing) -> list[Expectation]:
    return [RequestCount(t.count), FieldIs("ok", True)]


def alb_expectations(t: Timing) -> tuple[Expectation, ...]:
    """What client.py shows through an ALB (seed 000's findings, generalised to the knobs)."""
    checks = _base(t)
    if t.interval < t.idle_timeout:
        checks.append(FieldIs("connection", "reused", first=2))
    elif t.interval > t.idle_timeout:
        checks += [
            FieldIs("connection", "reopened", first=2),
            FieldIs("reason", PEER_FIN, first=2),
            Near("peer_closed_after_s", t.idle_timeout, t.tolerance, first=2, meaning="the ALB's idle timeout"),
        ]
    # interval == idle timeout: the request and the idle close meet; reused or reopened, by a hair.
    # The backend connection ends at whichever idle limit comes first: the server's keep-alive, or
    # the ALB's idle timeout, which applies to target connections too (ALB docs, "Connection idle timeout").
    if t.interval >= t.keep_alive:
        closer = f"the server closes its idle side after {t.keep_alive:g} s"
    elif t.interval > t.idle_timeout:
        closer = f"the ALB closes its idle backend connection after {t.idle_timeout:g} s"
    else:
        closer = ""
    if closer:
        checks.append(
            Changes(
                "server_peer",
                meaning=f"{closer}; the ALB opens a new backend connection for each request, the client never notices",
            )
        )
    else:
        checks.append(Changes("server_peer", changes=False, meaning="the ALB keeps its backend connection too"))
    return tuple(checks)


def nlb_expectations(t: Timing) -> tuple[Expectation, ...]:
    """What client.py shows through an NLB: one end-to-end TCP connection, and a silent drop."""
    checks = _base(t)
    if t.interval < min(t.keep_alive, t.idle_timeout):
        return (
            *checks,
            FieldIs("connection", "reused", first=2),
            Changes("server_peer", changes=False, meaning="one end-to-end TCP connection"),
        )
    if t.keep_alive <= t.idle_timeout:
        return (
            *checks,
            FieldIs("connection", "reopened", first=2),
            FieldIs("reason", PEER_FIN, first=2),
            Near(
                "peer_closed_after_s",
                t.keep_alive,
                t.tolerance,
                first=2,
                meaning="the server's keep-alive: its FIN passed through the NLB, unlike the ALB's own",
            ),
        )
    # The NLB forgets the idle flow without a FIN to anyone: request 2 goes into the dead connection.
    return (
        RequestCount(t.count),
        FieldIs("ok", True, last=1),
        FieldIs("connection", "reused", first=2, last=2, meaning="no FIN or RST reached the client while idle"),
        FieldIs(
            "error_kind",
            "reset",
            first=2,
            last=2,
            meaning=f"the NLB forgot the flow after {t.idle_timeout:g} s: the request gets its RST",
        ),
        FieldIs("connection", "reopened", first=3, last=3),
        FieldIs("reason", "previous request failed (reset)", first=3, last=3),
        FieldIs("ok", True, first=3, last=3),
    )


def keepalive_experiment(
    name: str, lb: str, t: Timing, expectations: tuple[Expectation, ...], *, scale: float, config: Mapping[str, str]
) -> Experiment:
    """One client.py run on the client pod, with the bed settings its expectations assume."""
    return Experiment(
        name=name,
        title=f"client.py every {t.interval:g} s, {t.count} requests, through the {lb.upper()}",
        where="client-pod",
        argv=("python", "client.py", f"{t.interval:g}", str(t.count)),
        interval_seconds=t.interval,
        count=t.count,
        expected_seconds=round(t.interval * (t.count - 1), 3),
        expectations=expectations,
        bed={
            "server.keepAliveSeconds": t.keep_alive,
            ("alb.idleTimeoutSeconds" if lb == "alb" else "nlb.tcpIdleTimeoutSeconds"): t.idle_timeout,
        },
        config=dict(config),
        time_scale=scale,
    )


def seed_experiments(cfg: KeepAliveConfig, lb: str, *, idle_timeout: int, scale: float) -> list[Experiment]:
    """The seed's three runs through this stack's load balancer (`lb`: "alb" or "nlb")."""
    expect = alb_expectations if lb == "alb" else nlb_expectations
    runs = []
    for interval, count in SEED_RUNS:
        t = timing(
            interval,
            count,
            keep_alive=cfg.server.keep_alive_seconds,
            idle_timeout=idle_timeout,
            scale=scale,
            whole_idle=lb == "nlb",
        )
        runs.append(keepalive_experiment(f"interval{interval:g}", lb, t, expect(t), scale=scale, config={}))
    return runs


def exported(experiments: list[Experiment]) -> dict[str, dict[str, Any]]:
    """The `experiments` stack output: per experiment the command to paste and what to expect."""
    return export_experiments(experiments, command=lambda e: client_command(e.argv, e.config))


def capture_commands(cfg: KeepAliveConfig) -> dict[str, str]:
    """How to fetch the pcap files (or how to turn capturing on)."""
    if not cfg.capture.enabled:
        return {
            "captures": "packet capture is off: pulumi config set --path testbed:capture.enabled true; pulumi up",
        }
    return {
        "fetchServerCaptures": fetch_command(namespace=SERVER_NAMESPACE, app="server", destination="captures/server"),
        "fetchClientCaptures": fetch_command(namespace=CLIENT_NAMESPACE, app="client", destination="captures/client"),
        "wiresharkFilter": 'http.request.uri contains "/index"',
    }


def workload_commands(cfg: KeepAliveConfig) -> dict[str, str]:
    return {
        "pods": "kubectl get pods -n server -o wide && kubectl get pods -n client -o wide",
        "serverLogs": f"kubectl -n {SERVER_NAMESPACE} logs deploy/server -c server -f",
        "targetGroupBinding": f"kubectl -n {SERVER_NAMESPACE} get targetgroupbindings -o wide",
        **capture_commands(cfg),
    }
