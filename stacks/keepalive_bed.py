"""The one build of alb-keepalive and nlb-keepalive, the load balancer given as a parameter.

Both beds are seed 000's procedure: the eks-base bed, the gunicorn server, a load balancer made
in front of it, the TargetGroupBinding, the idle client pointed at the load balancer, and the
same outputs. Only the load balancer differs: a scenario passes its component and the component's
arguments class, plus its experiments and warning; the arguments are those both kinds take alike
(`FrontArgs`) and the knobs its LoadBalancerConfig passes through by name (`own_knobs`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Protocol, TypedDict, TypeVar

import pulumi

from components.aws.load_balancers import HealthCheck
from stacks.aws_base import build_aws_base, export_base
from stacks.experiments.model import Experiment
from stacks.keepalive import (
    LISTENER_PORT,
    KeepAliveConfig,
    bind_server,
    build_client,
    build_server,
    workload_commands,
)
from stacks.keepalive_experiments import exported


class Front(Protocol):
    """What the bed needs of the load balancer in front of the server (ALB and NLB alike)."""

    @property
    def arn(self) -> pulumi.Output[str]: ...
    @property
    def dns_name(self) -> pulumi.Output[str]: ...
    @property
    def security_group_id(self) -> pulumi.Output[str]: ...
    @property
    def target_group_arn(self) -> pulumi.Output[str]: ...
    @property
    def listener_arn(self) -> pulumi.Output[str]: ...


class FrontArgs(TypedDict):
    """The arguments every keep-alive load balancer takes alike: internal, in the load balancer's
    zones' private subnets, listening on 80 and sending to the server's pods."""

    vpc_id: pulumi.Input[str]
    subnet_ids: Mapping[str, pulumi.Input[str]]
    vpc_cidr: str
    internal: bool
    listener_port: int
    target_port: int
    health_check: HealthCheck
    deregistration_delay_seconds: int
    tags: Mapping[str, str]


F = TypeVar("F", bound=Front)
A = TypeVar("A")


def build_keepalive(
    cfg: KeepAliveConfig,
    component: Callable[[str, A], F],
    component_args: Callable[..., A],
    experiments: list[Experiment],
    warning: str | None,
) -> F:
    """Build the bed, the load balancer in front of the server (`component`, named after its config
    key, with `FrontArgs` and the config's own knobs), the binding and the client; log `warning`;
    export the load balancer, `experiments` and the commands."""
    knobs = cfg.load_balancer
    base = build_aws_base(cfg)
    server = build_server(cfg, base)
    common = FrontArgs(
        vpc_id=base.network.vpc_id,
        subnet_ids={zone: base.network.private_subnet_ids[zone] for zone in cfg.load_balancer_zones()},
        vpc_cidr=cfg.network.vpc_cidr,
        internal=True,
        listener_port=LISTENER_PORT,
        target_port=server.target_port,
        health_check=knobs.health_check(),
        deregistration_delay_seconds=knobs.deregistration_delay_seconds,
        tags={"testbed:stack": pulumi.get_stack(), **cfg.tags},
    )
    front = component(cfg.LOAD_BALANCER, component_args(**common, **knobs.own_knobs()))
    bind_server(base, server, target_group_arn=front.target_group_arn, security_group_id=front.security_group_id)
    build_client(cfg, base, dns_name=front.dns_name)
    if warning:
        pulumi.log.warn(warning)

    pulumi.export("loadBalancerDnsName", front.dns_name)
    pulumi.export("loadBalancerArn", front.arn)
    pulumi.export("targetGroupArn", front.target_group_arn)
    pulumi.export("experiments", exported(experiments))
    target_health = pulumi.Output.concat(
        "aws elbv2 describe-target-health --region ", cfg.region, " --target-group-arn ", front.target_group_arn
    )
    name, subcommand, flag = knobs.attributes_command
    arn = {"--load-balancer-arn": front.arn, "--listener-arn": front.listener_arn}[flag]
    attributes = pulumi.Output.concat(f"aws elbv2 {subcommand} --region ", cfg.region, f" {flag} ", arn)
    export_base(base, {**workload_commands(cfg), "targetHealth": target_health, name: attributes})
    return front
