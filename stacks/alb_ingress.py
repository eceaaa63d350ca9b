"""alb-ingress: ALBs the AWS Load Balancer Controller makes from Ingresses (seeds 001, 002 and 003).

Builds game-2048 behind its Ingress and seed 002's echo server Ingress on an IngressGroup
(fixed response, optional HTTPS, optional ALB path rewrite) on the shared EKS bed.
The scenario, its knobs and how to verify it: docs/scenarios/alb-ingress.md.
"""

from __future__ import annotations

from typing import Annotated, Literal

import pulumi
from pydantic import Field, model_validator

from components.aws.annotations import (
    AlbIngressAnnotations,
    AlbTargetGroupAttributes,
    FixedResponse,
    ListenPort,
)
from components.aws.annotations.ingress import GROUP_NAME_MAX, group_name_problem
from components.aws.annotations.values import certificate_arn_problem
from components.limits import aws as limits
from components.placement import Placement
from k8s.game2048 import NAMESPACE as GAME_NAMESPACE
from k8s.game2048 import SERVICE as GAME_SERVICE
from k8s.game2048 import Game2048, Game2048Args
from k8s.ingress import USE_ANNOTATION, Ingress, IngressArgs, IngressPath
from k8s.versions import GAME_2048_IMAGE
from stacks.aws_base import AwsBase, build_aws_base, export_base
from stacks.config import Loc, StackModel, checked_by, raise_problems, within
from stacks.echo_server import NAME as ECHO_NAME
from stacks.echo_server import NAME_PATTERN, EchoServerConfig, echo_server, strip_prefix
from stacks.workloads import PlacedConfig, WorkloadsConfig, hostname_command, hostname_variable, placement

GAME_INGRESS = "ingress-2048"
FIXED_RESPONSE_ACTION = "rule-echoserver"
"""Seed 002's action name (`alb.ingress.kubernetes.io/actions.rule-echoserver`)."""
ALGORITHM = Literal["round_robin", "least_outstanding_requests", "weighted_random"]


class AlbConfig(StackModel):
    """What both ALBs share."""

    scheme: Literal["internet-facing", "internal"] = "internet-facing"
    """alb.ingress.kubernetes.io/scheme (seeds: internet-facing)."""
    target_type: Literal["ip", "instance"] = "ip"
    """alb.ingress.kubernetes.io/target-type (seeds: ip; instance needs the NodePort Service)."""
    load_balancing_algorithm: ALGORITHM = "round_robin"
    """target-group-attributes load_balancing.algorithm.type (seed 003: round_robin, the default, then changed)."""


class Game2048Config(StackModel):
    """game-2048 (seeds 001 and 003)."""

    namespace: str = Field(GAME_NAMESPACE, pattern=NAME_PATTERN)
    """Namespace (seed: game-2048)."""
    replicas: int = Field(2, ge=1, le=20)
    """Pods (seed: 2)."""
    image: str = Field(GAME_2048_IMAGE, min_length=1)
    """Image (seed: public.ecr.aws/l6m2t8p7/docker-2048:latest)."""


class EchoIngressConfig(EchoServerConfig):
    """Seed 002's echoserver Ingress on an IngressGroup."""

    group_name: Annotated[str, checked_by(group_name_problem)] = Field("my-alb-group", max_length=GROUP_NAME_MAX)
    """alb.ingress.kubernetes.io/group.name (seed: my-alb-group)."""
    host: str = Field(
        "www.example.com", pattern=r"^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"
    )
    """Rule host (seed: www.example.com)."""
    path: str = Field("/echo-server", pattern=r"^/[A-Za-z0-9._~/-]*$")
    """Path to the echo server (seed: /echo-server, Prefix)."""
    fixed_response: str = Field("Path is /", max_length=limits.FIXED_RESPONSE_BODY_LENGTH)
    """Body of the fixed-response action on / (seed: "Path is /", 200 text/plain)."""
    certificate_arn: Annotated[str | None, checked_by(certificate_arn_problem)] = None
    """ACM certificate ARN for the host; with it: listen-ports HTTP 80 + HTTPS 443, certificate-arn,
    ssl-redirect (seed: its own certificate). Without it: HTTP 80 only."""
    ssl_redirect_port: int = within(limits.PORT, 443)
    """HTTPS port the HTTP listener redirects to (seed: 443)."""
    rewrite_path: bool = False
    """Strip `path` before the echo server sees it, with an ALB URL-rewrite transform (LBC >= v2.14.1).
    Seed 002: no rewrite (it found none)."""


class Config(PlacedConfig):
    """alb-ingress: the shared EKS bed, game-2048 and the echoserver Ingress."""

    alb: AlbConfig = AlbConfig()
    """What both ALBs share."""
    game2048: Game2048Config = Game2048Config()
    """game-2048 behind its own ALB."""
    echoserver: EchoIngressConfig = EchoIngressConfig()
    """The echo server behind the IngressGroup's ALB."""
    workloads: WorkloadsConfig = WorkloadsConfig()
    """Where the app pods run."""

    @model_validator(mode="after")
    def _rules(self) -> Config:
        problems: list[tuple[Loc, str]] = []
        if self.echoserver.path == "/":
            problems.append((("echoserver", "path"), "'/' is taken by the fixed-response action; allowed: a sub-path"))
        if self.echoserver.namespace == self.game2048.namespace:
            problems.append((("echoserver", "namespace"), f"{self.echoserver.namespace!r} is game-2048's namespace"))
        raise_problems(problems)
        return self


def game_annotations(cfg: Config) -> AlbIngressAnnotations:
    """ingress-2048's annotations (seed 001), with seed 003's algorithm."""
    return AlbIngressAnnotations(
        scheme=cfg.alb.scheme,
        target_type=cfg.alb.target_type,
        target_group_attributes=AlbTargetGroupAttributes(load_balancing_algorithm=cfg.alb.load_balancing_algorithm),
    )


def echo_annotations(cfg: Config) -> AlbIngressAnnotations:
    """Seed 002's echoserver Ingress; the HTTPS parts only with a certificate."""
    echo = cfg.echoserver
    https = echo.certificate_arn is not None
    listen = [ListenPort(protocol="HTTP", port=80)]
    if https:
        listen.append(ListenPort(protocol="HTTPS", port=echo.ssl_redirect_port))
    return AlbIngressAnnotations(
        scheme=cfg.alb.scheme,
        target_type=cfg.alb.target_type,
        group_name=echo.group_name,
        listen_ports=tuple(listen),
        certificate_arns=(echo.certificate_arn,) if echo.certificate_arn else (),
        ssl_redirect_port=echo.ssl_redirect_port if https else None,
        target_group_attributes=AlbTargetGroupAttributes(load_balancing_algorithm=cfg.alb.load_balancing_algorithm),
        actions={
            FIXED_RESPONSE_ACTION: FixedResponse(
                status_code=200, content_type="text/plain", message_body=echo.fixed_response
            )
        },
        transforms={ECHO_NAME: (strip_prefix(echo.path),)} if echo.rewrite_path else {},
    )


def left_out(cfg: Config) -> str | None:
    """What the echoserver Ingress leaves out without a certificate (None with one)."""
    if cfg.echoserver.certificate_arn is not None:
        return None
    port = cfg.echoserver.ssl_redirect_port
    return (
        "alb-ingress: testbed:echoserver.certificateArn is not set, so the echoserver Ingress listens on HTTP 80 "
        f"only; left out: listen-ports HTTPS {port}, certificate-arn, ssl-redirect {port}. Set it to an ACM "
        f"certificate ARN for {cfg.echoserver.host} to get seed 002's HTTPS listener and redirect"
    )


REWRITE_NOTE = (
    "Seed 002 found that the ALB could not rewrite paths like ingress-nginx rewrite-target (LBC #835, 2019-2025). "
    "ALB listener rules can now rewrite the URL (transforms, Oct 2025), and the controller reads "
    "alb.ingress.kubernetes.io/transforms.<service> since v2.14.1; this bed runs v3.5.0. "
    "Set testbed:echoserver.rewritePath: true to strip the path before the echo server sees it."
)


def commands(cfg: Config) -> dict[str, str]:
    echo = cfg.echoserver
    game_ns = cfg.game2048.namespace
    alb = hostname_variable("ALB", "ingress", ECHO_NAME, echo.namespace)
    scheme = "https" if echo.certificate_arn else "http"
    insecure = " -k" if echo.certificate_arn else ""
    host = f"-H 'Host: {echo.host}'"
    return {
        "gameUrl": hostname_command("ingress", GAME_INGRESS, game_ns),
        "gamePods": f"kubectl -n {game_ns} get pods -o wide",
        "echoUrl": hostname_command("ingress", ECHO_NAME, echo.namespace, scheme, echo.path),
        # The fixed-response action answers the path / of the host.
        "fixedResponse": f"{alb}; curl -s{insecure} {host} {scheme}://$ALB/",
        # echoserver prints the path it received: the rewrite shows here.
        "echoPath": f"{alb}; curl -s{insecure} {host} {scheme}://$ALB{echo.path}/index.html"
        " | grep -iE 'real path|request_uri'",
        "requestsPerPod": f"{alb}; for i in $(seq 1 100); do curl -s{insecure} {host} {scheme}://$ALB{echo.path}"
        " | grep Hostname; done | sort | uniq -c | sort -nr",
        "httpRedirect": f"{alb}; curl -sI {host} http://$ALB{echo.path} | head -n 3",
        # Seed 003: the algorithm is a target group attribute; a console change would be reverted.
        "algorithm": f"TG=$(kubectl -n {game_ns} get targetgroupbindings"
        " -o jsonpath='{.items[0].spec.targetGroupARN}');"
        " aws elbv2 describe-target-group-attributes --target-group-arn $TG"
        " --query \"Attributes[?Key=='load_balancing.algorithm.type']\"",
    }


def build(cfg: Config) -> None:
    """The bed, game-2048 and the echoserver behind their ALBs, and how to check them."""
    base = build_aws_base(cfg)
    where = placement(base, cfg.workloads)
    game_ingress = _game(cfg, base, where)
    echo_ingress = _echoserver(cfg, base, where)
    echo = cfg.echoserver
    pulumi.export("gameUrl", game_ingress.hostname.apply(lambda h: f"http://{h}"))
    scheme = "https" if echo.certificate_arn else "http"
    # The rule matches the host www.example.com only: the ALB's own name answers 404 from a browser.
    port = 443 if echo.certificate_arn else 80
    pulumi.export("echoUrl", f"{scheme}://{echo.host}{echo.path}")
    pulumi.export(
        "echoCurl",
        echo_ingress.hostname.apply(
            lambda h: (
                f"curl -s{' -k' if echo.certificate_arn else ''} --connect-to {echo.host}:{port}:{h}:{port}"
                f" {scheme}://{echo.host}{echo.path}"
            )
        ),
    )
    pulumi.export("notes", {"rewrite": REWRITE_NOTE, **({"https": left_out(cfg)} if left_out(cfg) else {})})
    export_base(base, commands(cfg))


def _game(cfg: Config, base: AwsBase, where: Placement) -> Ingress:
    """game-2048 (namespace, Deployment, NodePort Service) and the Ingress of its ALB."""
    game = Game2048(
        "game2048",
        Game2048Args(
            provider=base.cluster.provider,
            namespace=cfg.game2048.namespace,
            replicas=cfg.game2048.replicas,
            image=cfg.game2048.image,
            placement=where,
        ),
    )
    return Ingress(
        "game2048-alb",
        IngressArgs(
            provider=base.cluster.provider,
            namespace=cfg.game2048.namespace,
            name=GAME_INGRESS,
            ingress_class_name=base.lb_controller.ingress_class,
            controller=base.lb_controller.release,
            annotations=game_annotations(cfg).annotations(),
            paths=[IngressPath(path="/", service_name=GAME_SERVICE, service_port=80)],
            wait_for=[game.namespace, game.service],
        ),
    )


def _echoserver(cfg: Config, base: AwsBase, where: Placement) -> Ingress:
    """Seed 002's echoserver in its namespace and the Ingress of its ALB (the seed's path, then a
    fixed response on /)."""
    echo = cfg.echoserver
    # ALB instance targets reach pods through a NodePort; ip targets need none.
    service_type: Literal["ClusterIP", "NodePort"] = "NodePort" if cfg.alb.target_type == "instance" else "ClusterIP"
    server = echo_server(echo, base.cluster.provider, where, service_type)
    if message := left_out(cfg):
        pulumi.log.warn(message)
    return Ingress(
        "echoserver-alb",
        IngressArgs(
            provider=base.cluster.provider,
            namespace=echo.namespace,
            name=ECHO_NAME,
            ingress_class_name=base.lb_controller.ingress_class,
            controller=base.lb_controller.release,
            host=echo.host,
            annotations=echo_annotations(cfg).annotations(),
            # Seed 002's path first; then / answered by the fixed-response action.
            paths=[
                IngressPath(path=echo.path, service_name=ECHO_NAME, service_port=80),
                IngressPath(path="/", service_name=FIXED_RESPONSE_ACTION, service_port=USE_ANNOTATION),
            ],
            wait_for=server.backend,
        ),
    )
