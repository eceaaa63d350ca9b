"""alb-canary: weighted canary routing on one ALB (seed 003).

Builds the primary and canary nginx apps on the shared EKS bed and one Ingress whose weighted
action splits traffic between them; the canary's share is the knob, the primary gets the rest.
The scenario, its knobs and how to verify it: docs/scenarios/alb-canary.md.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Literal

import pulumi
from pydantic import Field

from components.aws.annotations import AlbIngressAnnotations, ForwardTarget, WeightedForward
from components.aws.annotations.ingress import GROUP_NAME_MAX, group_name_problem
from components.aws.annotations.values import load_balancer_name_problem
from components.limits import aws as limits
from k8s.ingress import USE_ANNOTATION, Ingress, IngressArgs, IngressPath
from k8s.namespaces import AppNamespace, AppNamespaceArgs
from k8s.nginx_page import PORT, NginxPage, NginxPageArgs
from k8s.versions import NGINX_IMAGE
from stacks.aws_base import build_aws_base, export_base
from stacks.config import StackModel, checked_by, within
from stacks.experiments.loops import request_loop
from stacks.experiments.model import Experiment, exported
from stacks.experiments.predicates import FieldIs, RequestCount, Share
from stacks.workloads import PlacedConfig, WorkloadsConfig, hostname_command, hostname_variable, placement

PRIMARY = "ng"
CANARY = "ng-canary"
INGRESS = "traffic-split"
ACTION = "weighted-routing"
PRIMARY_MESSAGE = "Im Primary service and being served from"
CANARY_MESSAGE = "Im Canary service and being served from"


class CanaryConfig(StackModel):
    """The two versions and the split between them."""

    namespace: str = Field("default", pattern=r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
    """Namespace (seed: default)."""
    canary_weight_percent: int = Field(50, ge=0, le=100)
    """Share of requests for ng-canary, 0-100; ng gets the rest (seed: 50/50)."""
    stickiness_enabled: bool = False
    """Target group stickiness of the forward action (seed: false)."""
    stickiness_duration_seconds: int = within(limits.STICKINESS_DURATION, 3600)
    """How long a client sticks to one version when stickiness is on (ELBv2 stickiness.lb_cookie.duration_seconds)."""
    primary_replicas: int = Field(1, ge=1, le=20)
    """ng pods (seed: 1)."""
    canary_replicas: int = Field(1, ge=1, le=20)
    """ng-canary pods (seed: 1)."""
    image: str = Field(NGINX_IMAGE, min_length=1)
    """nginx image (seed: nginx; pinned here)."""


class AlbConfig(StackModel):
    """The traffic-split ALB."""

    group_name: Annotated[str, checked_by(group_name_problem)] = Field(INGRESS, max_length=GROUP_NAME_MAX)
    """alb.ingress.kubernetes.io/group.name (seed: traffic-split)."""
    load_balancer_name: Annotated[str, checked_by(load_balancer_name_problem)] = Field(
        INGRESS, min_length=1, max_length=32
    )
    """alb.ingress.kubernetes.io/load-balancer-name, at most 32 characters (seed: traffic-split)."""
    scheme: Literal["internet-facing", "internal"] = "internet-facing"
    """alb.ingress.kubernetes.io/scheme (seed: internet-facing)."""


class Config(PlacedConfig):
    """alb-canary: the shared EKS bed, ng and ng-canary, and the weighted ALB."""

    canary: CanaryConfig = CanaryConfig()
    """The versions and the split."""
    alb: AlbConfig = AlbConfig()
    """The ALB."""
    workloads: WorkloadsConfig = WorkloadsConfig()
    """Where the nginx pods run."""


def weights(canary_percent: int) -> dict[str, int]:
    """Service -> forward weight: the canary's percentage, the primary the rest (sum 100)."""
    return {PRIMARY: 100 - canary_percent, CANARY: canary_percent}


def annotations(cfg: Config) -> AlbIngressAnnotations:
    """traffic-split's annotations, as in seed 003."""
    split = weights(cfg.canary.canary_weight_percent)
    return AlbIngressAnnotations(
        group_name=cfg.alb.group_name,
        load_balancer_name=cfg.alb.load_balancer_name,
        target_type="ip",
        scheme=cfg.alb.scheme,
        actions={
            ACTION: WeightedForward(
                targets=tuple(
                    ForwardTarget(service_name=service, service_port=PORT, weight=weight)
                    for service, weight in split.items()
                ),
                stickiness_enabled=cfg.canary.stickiness_enabled,
                stickiness_duration_seconds=cfg.canary.stickiness_duration_seconds
                if cfg.canary.stickiness_enabled
                else None,
            )
        },
    )


REQUESTS = 100  # seed 003's loop


def experiments(cfg: Config, time_scale: float = 1.0) -> list[Experiment]:
    """Seed 003's 100 requests from this machine: each version's share near its weight."""
    split = weights(cfg.canary.canary_weight_percent)
    return [
        request_loop(
            "split",
            f"{REQUESTS} requests through the ALB's weighted forward",
            "{url}/",
            (
                RequestCount(REQUESTS),
                FieldIs("ok", True),
                Share("body", PRIMARY_MESSAGE, split[PRIMARY] / 100),
                Share("body", CANARY_MESSAGE, split[CANARY] / 100),
            ),
            count=REQUESTS,
            time_scale=time_scale,
        )
    ]


def commands(cfg: Config) -> dict[str, str]:
    ns = cfg.canary.namespace
    alb = hostname_variable("ALB", "ingress", INGRESS, ns)
    return {
        "url": hostname_command("ingress", INGRESS, ns),
        # Seed 003: 100 requests, split by weight (expect about ng {split[PRIMARY]} / ng-canary {split[CANARY]}).
        "requestsPerVersion": f"{alb}; for i in $(seq 1 100); do curl -s http://$ALB/; done"
        " | grep -o 'Im [A-Za-z]* service' | sort | uniq -c",
        "expected": "; ".join(experiments(cfg)[0].describe()),
        "rules": f"{alb}; LB=$(aws elbv2 describe-load-balancers --names {cfg.alb.load_balancer_name}"
        " --query 'LoadBalancers[0].LoadBalancerArn' --output text);"
        " aws elbv2 describe-rules --listener-arn $(aws elbv2 describe-listeners --load-balancer-arn $LB"
        " --query 'Listeners[0].ListenerArn' --output text) --query 'Rules[].Actions[].ForwardConfig'",
    }


def build(cfg: Config) -> None:
    """The bed, both versions and the weighted ALB, and how to check the split."""
    base = build_aws_base(cfg)
    provider = base.cluster.provider
    where = placement(base, cfg.workloads)
    if cfg.canary.namespace != "default":
        namespace = AppNamespace("canary", AppNamespaceArgs(provider=provider, name=cfg.canary.namespace))
        where = replace(where, wait_for=(*where.wait_for, namespace.namespace))
    pages = {
        name: NginxPage(
            name,
            NginxPageArgs(
                provider=provider,
                name=name,
                message=message,
                namespace=cfg.canary.namespace,
                replicas=replicas,
                image=cfg.canary.image,
                placement=where,
            ),
        )
        for name, message, replicas in (
            (PRIMARY, PRIMARY_MESSAGE, cfg.canary.primary_replicas),
            (CANARY, CANARY_MESSAGE, cfg.canary.canary_replicas),
        )
    }
    ingress = Ingress(
        "traffic-split",
        IngressArgs(
            provider=provider,
            namespace=cfg.canary.namespace,
            name=INGRESS,
            ingress_class_name=base.lb_controller.ingress_class,
            controller=base.lb_controller.release,
            annotations=annotations(cfg).annotations(),
            paths=[
                # Seed 003: no path, ImplementationSpecific: every path goes to the weighted action.
                IngressPath(
                    path=None, path_type="ImplementationSpecific", service_name=ACTION, service_port=USE_ANNOTATION
                )
            ],
            wait_for=[page.service for page in pages.values()],
        ),
    )
    pulumi.export("url", ingress.hostname.apply(lambda h: f"http://{h}"))
    pulumi.export("weights", weights(cfg.canary.canary_weight_percent))
    pulumi.export("experiments", exported(experiments(cfg)))
    export_base(base, commands(cfg))
