"""What alb-keepalive and nlb-keepalive share: their knobs, workloads, binding and experiments.

Seed 000 (and the series' NLB episode it refers to): a gunicorn server with --keep-alive 20 on
role=server, an idle client on role=client, a load balancer made by hand in front of the
server through a TargetGroupBinding, and `python client.py INTERVAL` runs at 3, 30 and 70 s.
The load balancer itself (ALB or NLB) is each scenario's own part.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, Literal

import pulumi
from pydantic import Field, field_validator, model_validator

from components.aws.load_balancers import HealthCheck, TargetGroupBinding, TargetGroupBindingArgs
from components.aws.node_groups import tolerations_for
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
from stacks.workloads import node_groups_for

LISTENER_PORT = 80
# The seed's runs, (interval, requests): `python client.py 3`, `... 30` (stopped after the
# requests at 0, 30, 60 and 90 s its capture shows) and `... 70`. A count keeps each bounded.
SEED_RUNS = ((3, 10), (30, 4), (70, 3))
SERVER_NAMESPACE, CLIENT_NAMESPACE = "server", "client"
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


class KeepAliveConfig(AwsBaseConfig):
    """The shared AWS base, plus the keep-alive server, client, images and captures."""

    server: ServerConfig = ServerConfig()
    """The gunicorn server: keep-alive, timeout, log level, placement."""
    client: ClientConfig = ClientConfig()
    """The client pod: endpoint, Host header, placement."""
    images: ImagesConfig = ImagesConfig()
    """How the pods get the programs: stock Python image (default) or your own."""
    capture: CaptureConfig = CaptureConfig()
    """Optional tcpdump sidecars (off by default)."""

    def load_balancer(self) -> LoadBalancerConfig:
        raise NotImplementedError

    def load_balancer_key(self) -> str:
        raise NotImplementedError

    def load_balancer_zones(self) -> list[str]:
        """The zones the load balancer is in (its knob, or the scenario's default)."""
        raise NotImplementedError

    @model_validator(mode="after")
    def _placement(self) -> KeepAliveConfig:
        problems: list[tuple[Loc, str]] = []
        for key, selector in (("server", self.server.node_selector), ("client", self.client.node_selector)):
            if self.node_groups and not any(matches(selector, g.labels) for g in self.node_groups.values()):
                problems.append(((key, "nodeSelector"), f"{selector}: no node group has these labels"))
        lb_key = self.load_balancer_key()
        chosen = self.load_balancer().availability_zones
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

    def server_tolerations(self) -> list[dict[str, str]]:
        return self._tolerations(self.server.node_selector)

    def client_tolerations(self) -> list[dict[str, str]]:
        return self._tolerations(self.client.node_selector)

    def _tolerations(self, selector: Mapping[str, str]) -> list[dict[str, str]]:
        taints = [t for g in self.node_groups.values() if matches(selector, g.labels) for t in g.spec().taints]
        return tolerations_for(taints)


def build_server(cfg: KeepAliveConfig, base: AwsBase) -> KeepAliveServer:
    """`kubectl create ns server; kubectl apply -f server.yaml -n server`."""
    return KeepAliveServer(
        "server",
        KeepAliveServerArgs(
            provider=base.cluster.provider,
            keep_alive_seconds=cfg.server.keep_alive_seconds,
            timeout_seconds=cfg.server.timeout_seconds,
            log_level=cfg.server.log_level,
            namespace=SERVER_NAMESPACE,
            node_selector=cfg.server.node_selector,
            tolerations=cfg.server_tolerations(),
            images=cfg.images.program_image(),
            capture=cfg.capture.packet_capture(),
            wait_for=node_groups_for(base, cfg.server.node_selector),
        ),
    )


def build_client(cfg: KeepAliveConfig, base: AwsBase, *, dns_name: pulumi.Output[str]) -> KeepAliveClient:
    """`kubectl create ns client; kubectl apply -f client.yaml -n client`, HOST wired from the LB."""
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
            node_selector=cfg.client.node_selector,
            tolerations=cfg.client_tolerations(),
            images=cfg.images.program_image(),
            capture=cfg.capture.packet_capture(),
            wait_for=node_groups_for(base, cfg.client.node_selector),
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


def health_check(lb: LoadBalancerConfig, **overrides: Any) -> HealthCheck:
    return HealthCheck(path=lb.health_check_path, **overrides)


def client_command(interval: float, count: int) -> str:
    """The seed's run, bounded: `kubectl exec` into the client pod and run client.py."""
    return f"kubectl -n {CLIENT_NAMESPACE} exec -it deploy/client -c client -- python client.py {interval:g} {count}"


def expect_alb(interval: float, *, keep_alive: int, idle_timeout: int) -> str:
    """What client.py shows through an ALB (seed 000's findings, generalised to the knobs)."""
    if interval == idle_timeout:
        front = (
            f"the request and the ALB's {idle_timeout} s idle close meet: each request is reused or reopened "
            "(reason 'peer FIN while idle'), by a hair; pick an interval clearly on one side"
        )
    elif interval > idle_timeout:
        front = (
            f"the ALB closes the idle client connection after {idle_timeout} s with a FIN: from request 2 on, "
            f"connection=reopened, reason='peer FIN while idle', peer_closed_after_s~{idle_timeout}; no request fails"
        )
    else:
        front = "every request after the first is connection=reused (same local_port) and ok"
    if interval >= keep_alive:
        back = (
            f"; the server closes its idle side after {keep_alive} s, so the ALB opens a new backend connection "
            "for each request: server_peer changes every line, and the client never notices"
        )
    else:
        back = "; the ALB keeps its backend connection too (server_peer repeats)"
    return front + back


def expect_nlb(interval: float, *, keep_alive: int, idle_timeout: int) -> str:
    """What client.py shows through an NLB: one end-to-end TCP connection, and a silent drop."""
    if interval < min(keep_alive, idle_timeout):
        return "every request after the first is connection=reused (same local_port) and ok"
    if keep_alive <= idle_timeout:
        return (
            f"the server closes the idle connection after {keep_alive} s and the NLB passes its FIN on (unlike "
            f"the ALB): from request 2 on, connection=reopened, reason='peer FIN while idle', "
            f"peer_closed_after_s~{keep_alive}; no request fails"
        )
    return (
        f"the NLB forgets the idle flow after {idle_timeout} s without a FIN to anyone: no 'peer FIN while idle'; "
        "request 2 is written into the dead connection and fails with error 'reset' (the NLB's RST); "
        "request 3 is connection=reopened, reason='previous request failed (reset)'"
    )


def experiments(cfg: KeepAliveConfig, expect: Callable[..., str], *, idle_timeout: int) -> dict[str, dict[str, str]]:
    """The seed's runs: the command line and what to expect with this stack's knobs."""
    return {
        f"interval{interval:g}": {
            "command": client_command(interval, count),
            "expect": expect(interval, keep_alive=cfg.server.keep_alive_seconds, idle_timeout=idle_timeout),
        }
        for interval, count in SEED_RUNS
    }


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
