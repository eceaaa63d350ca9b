"""nlb-ip: an echo server behind an NLB the AWS Load Balancer Controller makes from a Service (seeds 001, 003).

Builds the echo server and its LoadBalancer Service with the NLB's annotations (target type ip,
health check, cross-zone, deregistration delay; PROXY protocol and TLS as knobs) on the shared EKS bed.
The scenario, its knobs and how to verify it: docs/scenarios/nlb-ip.md.
"""

from __future__ import annotations

from typing import Annotated, Literal

import pulumi
from pydantic import Field, field_validator, model_validator

from components.aws.annotations import (
    NlbHealthCheck,
    NlbServiceAnnotations,
    NlbTargetGroupAttributes,
    NlbTls,
    ServicePort,
)
from components.aws.annotations.values import certificate_arn_problem, cidr_problem, health_check_port_problem
from components.limits import aws as limits
from k8s.echoserver import CONTAINER_PORT, EchoServer, EchoServerArgs
from k8s.versions import ECHOSERVER_IMAGE
from stacks.aws_base import build_aws_base, export_base
from stacks.config import ConfigProblems, StackModel, checked_by, within
from stacks.experiments.loops import HTTP_STATUS, request_loop
from stacks.experiments.model import Experiment, exported
from stacks.experiments.predicates import Distinct, FieldIs, RequestCount
from stacks.workloads import PlacedConfig, WorkloadsConfig, hostname_command, hostname_variable, placement

DEPLOYMENT = "deploy-echo"
SERVICE = "svc-nlb-ip-type"


class EchoServerConfig(StackModel):
    """The echo server Deployment (seed 001's echo-service-nlb.yaml)."""

    namespace: str = Field("default", pattern=r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
    """Namespace (seed: default)."""
    replicas: int = Field(2, ge=1, le=20)
    """Pods (seed: 2)."""
    image: str = Field(ECHOSERVER_IMAGE, min_length=1)
    """Image (seed: k8s.gcr.io/echoserver:1.5, served today from registry.k8s.io)."""
    termination_grace_period_seconds: int = Field(0, ge=0, le=3600)
    """Seconds a pod gets to stop (seed: 0)."""


class NlbConfig(StackModel):
    """The NLB the controller makes from the Service's annotations."""

    scheme: Literal["internet-facing", "internal"] = "internet-facing"
    """aws-load-balancer-scheme (seed: internet-facing)."""
    target_type: Literal["ip", "instance"] = "ip"
    """aws-load-balancer-nlb-target-type (seed: ip, the pods themselves)."""
    healthcheck_port: Annotated[int | str, checked_by(health_check_port_problem)] = CONTAINER_PORT
    """aws-load-balancer-healthcheck-port (seed: 8080, the pods' port); `traffic-port` with instance targets,
    or the name of the Service's port."""
    cross_zone: bool = True
    """Cross-zone load balancing (seed: true)."""
    deregistration_delay_seconds: int = within(limits.DEREGISTRATION_DELAY, 60)
    """Target group deregistration_delay.timeout_seconds (seed: 60)."""

    proxy_protocol_v2: bool = False
    """aws-load-balancer-proxy-protocol "*" (seed 003's option; off in its first run)."""
    certificate_arn: Annotated[str | None, checked_by(certificate_arn_problem)] = None
    """ACM certificate ARN: when set, port 443 is added and terminated with TLS on the NLB (seed 003)."""
    source_ranges: list[str] = []
    """spec.loadBalancerSourceRanges (seed: anyone). AWS applies them only with client IP preservation."""

    @model_validator(mode="after")
    def _health_check_port(self) -> NlbConfig:
        if self.target_type == "instance" and self.healthcheck_port != "traffic-port":
            raise ConfigProblems(
                [
                    (
                        ("healthcheckPort",),
                        f"{self.healthcheck_port}: with targetType instance the NLB checks the nodes, where only the "
                        "Service's NodePort answers; allowed: traffic-port",
                    )
                ]
            )
        return self

    @field_validator("source_ranges")
    @classmethod
    def _ranges(cls, value: list[str]) -> list[str]:
        for cidr in value:
            if problem := cidr_problem(cidr):
                raise ValueError(problem)
        return value


class Config(PlacedConfig):
    """nlb-ip: the shared EKS bed, the echo server and its NLB Service."""

    echoserver: EchoServerConfig = EchoServerConfig()
    """The echo server pods."""
    nlb: NlbConfig = NlbConfig()
    """The NLB's annotations."""
    workloads: WorkloadsConfig = WorkloadsConfig()
    """Where the echo server runs (seed: wherever; here the server node group)."""


def nlb_annotations(nlb: NlbConfig) -> NlbServiceAnnotations:
    """The seed's annotations, plus its options when they are switched on."""
    tls = NlbTls(certificate_arns=(nlb.certificate_arn,), ports=(443,)) if nlb.certificate_arn else None
    return NlbServiceAnnotations(
        target_type=nlb.target_type,
        scheme=nlb.scheme,
        health_check=NlbHealthCheck(port=nlb.healthcheck_port),
        cross_zone_enabled=nlb.cross_zone,
        target_group_attributes=NlbTargetGroupAttributes(deregistration_delay_seconds=nlb.deregistration_delay_seconds),
        proxy_protocol_v2=nlb.proxy_protocol_v2,
        tls=tls,
        source_ranges=tuple(nlb.source_ranges),
    )


def service_ports(nlb: NlbConfig) -> tuple[ServicePort, ...]:
    """Port 80 -> 8080 (seed); with a certificate also 443 -> 8080, the TLS listener."""
    ports = [ServicePort(name="http", port=80, target_port=CONTAINER_PORT)]
    if nlb.certificate_arn:
        ports.append(ServicePort(name="https", port=443, target_port=CONTAINER_PORT))
    return tuple(ports)


REQUESTS = 100  # seed 001's loop


def experiments(cfg: Config, time_scale: float = 1.0) -> list[Experiment]:
    """Seed 001's 100 requests from this machine: every echoserver pod answers some."""
    return [
        request_loop(
            "spread",
            f"{REQUESTS} requests through the NLB to {cfg.echoserver.replicas} pods",
            "{url}",
            (
                RequestCount(REQUESTS),
                FieldIs("ok", True),
                Distinct("server", cfg.echoserver.replicas, meaning="each pod's Hostname in the echo"),
            ),
            count=REQUESTS,
            parse={**HTTP_STATUS, "server": r"Hostname: (\S+)"},
            time_scale=time_scale,
        )
    ]


def commands(cfg: Config) -> dict[str, str]:
    """The seed's checks, as commands to paste."""
    ns = cfg.echoserver.namespace
    nlb = hostname_variable("NLB", "svc", SERVICE, ns)
    checks = {
        "url": hostname_command("svc", SERVICE, ns),
        "pods": f"kubectl -n {ns} get pods -o wide -l app=deploy-websrv",
        "oneRequest": f"{nlb}; curl -s http://$NLB",
        # Seed 001: 100 requests spread over both pods (56/44 in its run).
        "requestsPerPod": f"{nlb}; for i in $(seq 1 100); do curl -s http://$NLB | grep Hostname; done"
        " | sort | uniq -c | sort -nr",
        "targetGroups": f"kubectl -n {ns} get targetgroupbindings -o wide",
    }
    if cfg.nlb.certificate_arn:
        checks["tls"] = f"{nlb}; curl -sk https://$NLB | grep Hostname"
    return checks


def build(cfg: Config) -> None:
    """The bed, the echo server behind its NLB, and how to check it."""
    base = build_aws_base(cfg)
    where = placement(base, cfg.workloads)
    if cfg.nlb.proxy_protocol_v2:
        pulumi.log.warn(
            "nlb-ip: nlb.proxyProtocolV2 is on: the NLB prefixes every connection with a PROXY protocol v2 header, "
            "which echoserver (nginx without proxy_protocol) does not parse: expect 400 answers through the NLB; "
            "seed 003 leaves checking the header to the backend"
        )
    echo = EchoServer(
        "echo",
        EchoServerArgs(
            provider=base.cluster.provider,
            namespace=cfg.echoserver.namespace,
            create_namespace=cfg.echoserver.namespace != "default",
            deployment_name=DEPLOYMENT,
            replicas=cfg.echoserver.replicas,
            image=cfg.echoserver.image,
            termination_grace_period_seconds=cfg.echoserver.termination_grace_period_seconds,
            service_name=SERVICE,
            service_ports=service_ports(cfg.nlb),
            load_balancer=nlb_annotations(cfg.nlb),
            controller=base.lb_controller.release,
            placement=where,
        ),
    )
    pulumi.export("nlbHostname", echo.hostname)
    pulumi.export("url", echo.hostname.apply(lambda host: f"http://{host}"))
    pulumi.export("experiments", exported(experiments(cfg)))
    export_base(base, commands(cfg))
