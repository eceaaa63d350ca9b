"""What alb-keepalive and nlb-keepalive share: their knobs, workloads and binding
(the experiments: stacks/keepalive_experiments.py).

Seed 000 (and the series' NLB episode it refers to): a gunicorn server with --keep-alive 20 on
role=server, an idle client on role=client, a load balancer made by hand in front of the
server through a TargetGroupBinding, and `python client.py INTERVAL` runs at 3, 30 and 70 s.
The load balancer itself (ALB or NLB) is each scenario's own part.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Annotated, Any, ClassVar, Literal

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
from stacks.config import Loc, StackModel, checked_by, raise_problems, within
from stacks.keepalive_experiments import (
    CLIENT_NAMESPACE,
)

LISTENER_PORT = 80
SERVER_NAMESPACE = "server"
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
    host_header: Annotated[str, checked_by(host_header_problem, empty_ok=True)] = ""
    """HOST_HEADER (seed: the load balancer's DNS name). Empty: the load balancer's DNS name."""
    node_selector: dict[str, str] = {"role": "client"}
    """Nodes the client runs on (seed: role=client)."""

    @field_validator("endpoint")
    @classmethod
    def _endpoint(cls, value: str) -> str:
        return _path(value)


class ImagesConfig(StackModel):
    """Images that run the server and client programs (k8s/apps/keepalive)."""

    # Not k8s's ProgramImage itself: the file says `custom: ""` where the component takes None.

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

    # Not k8s's PacketCapture itself: the file has `enabled`, where the component takes a capture or None.

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


def _pod_args(cfg: KeepAliveConfig, base: AwsBase, namespace: str, node_selector: dict[str, str]) -> dict[str, Any]:
    """What the server's and the client's pods take alike (`KeepAlivePodArgs`): the cluster, their namespace,
    the nodes the cluster places `node_selector` on, the program image and the optional capture."""
    where = base.cluster.placement(node_selector)
    return {
        "provider": base.cluster.provider,
        "namespace": namespace,
        "node_selector": where.node_selector,
        "tolerations": where.tolerations,
        "images": cfg.images.program_image(),
        "capture": cfg.capture.packet_capture(),
        "wait_for": where.wait_for,
    }


def build_server(cfg: KeepAliveConfig, base: AwsBase) -> KeepAliveServer:
    """`kubectl create ns server; kubectl apply -f server.yaml -n server`."""
    return KeepAliveServer(
        "server",
        KeepAliveServerArgs(
            **_pod_args(cfg, base, SERVER_NAMESPACE, cfg.server.node_selector),
            keep_alive_seconds=cfg.server.keep_alive_seconds,
            timeout_seconds=cfg.server.timeout_seconds,
            log_level=cfg.server.log_level,
        ),
    )


def build_client(cfg: KeepAliveConfig, base: AwsBase, *, dns_name: pulumi.Output[str]) -> KeepAliveClient:
    """`kubectl create ns client; kubectl apply -f client.yaml -n client`, HOST wired from the LB."""
    return KeepAliveClient(
        "client",
        KeepAliveClientArgs(
            **_pod_args(cfg, base, CLIENT_NAMESPACE, cfg.client.node_selector),
            host=dns_name,
            host_header=cfg.client.host_header or dns_name,
            port=LISTENER_PORT,
            use_tls=False,
            endpoint=cfg.client.endpoint,
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
