"""The one build of alb-keepalive and nlb-keepalive, the load balancer given as a parameter.

Both beds are seed 000's procedure: the eks-base bed, the gunicorn server, a load balancer made
in front of it, the TargetGroupBinding, the idle client pointed at the load balancer, and the
same outputs. Only the load balancer differs, so a scenario passes a function that makes it
from the arguments both kinds take alike (`FrontArgs`), plus its experiments, its warning and
the command that shows its own attributes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol, TypedDict, TypeVar

import pulumi

from stacks.aws_base import build_aws_base, export_base
from stacks.keepalive import (
    LISTENER_PORT,
    KeepAliveConfig,
    bind_server,
    build_client,
    build_server,
    workload_commands,
)


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


class FrontArgs(TypedDict):
    """The arguments every keep-alive load balancer takes alike: internal, in the load balancer's
    zones' private subnets, listening on 80 and sending to the server's pods."""

    vpc_id: pulumi.Input[str]
    subnet_ids: Mapping[str, pulumi.Input[str]]
    vpc_cidr: str
    internal: bool
    listener_port: int
    target_port: int
    deregistration_delay_seconds: int
    tags: Mapping[str, str]


F = TypeVar("F", bound=Front)


def build_keepalive(
    cfg: KeepAliveConfig,
    make_front: Callable[[FrontArgs], F],
    *,
    experiments: Mapping[str, Any],
    attributes_command: Callable[[F], Mapping[str, pulumi.Output[str]]],
    warning: str | None,
) -> F:
    """Build the bed, the load balancer `make_front` makes in front of the server, the binding and
    the client; log `warning`; export the load balancer, `experiments` and the commands."""
    base = build_aws_base(cfg)
    server = build_server(cfg, base)
    front = make_front(
        FrontArgs(
            vpc_id=base.network.vpc_id,
            subnet_ids={zone: base.network.private_subnet_ids[zone] for zone in cfg.load_balancer_zones()},
            vpc_cidr=cfg.network.vpc_cidr,
            internal=True,
            listener_port=LISTENER_PORT,
            target_port=server.target_port,
            deregistration_delay_seconds=cfg.load_balancer.deregistration_delay_seconds,
            tags={"testbed:stack": pulumi.get_stack(), **cfg.tags},
        )
    )
    bind_server(base, server, target_group_arn=front.target_group_arn, security_group_id=front.security_group_id)
    build_client(cfg, base, dns_name=front.dns_name)
    if warning:
        pulumi.log.warn(warning)

    pulumi.export("loadBalancerDnsName", front.dns_name)
    pulumi.export("loadBalancerArn", front.arn)
    pulumi.export("targetGroupArn", front.target_group_arn)
    pulumi.export("experiments", experiments)
    target_health = pulumi.Output.concat(
        "aws elbv2 describe-target-health --region ", cfg.region, " --target-group-arn ", front.target_group_arn
    )
    export_base(base, {**workload_commands(cfg), "targetHealth": target_health, **attributes_command(front)})
    return front
