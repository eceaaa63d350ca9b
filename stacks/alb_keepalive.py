"""alb-keepalive: an ALB's idle timeout against the backend's keep-alive (seed 000).

Builds the internal ALB the seed made in the console (security group, target group, listener) in
front of the shared keep-alive server and client (stacks/keepalive.py), and warns that the
server's keep-alive is shorter than the idle timeout: that is the experiment.
The scenario, its knobs and how to verify it: docs/scenarios/alb-keepalive.md.
"""

from __future__ import annotations

import pulumi
from pydantic import field_validator

from components.aws.load_balancers import ApplicationLoadBalancer, ApplicationLoadBalancerArgs
from components.limits import aws as limits
from stacks.aws_base import build_aws_base, export_base
from stacks.config import within
from stacks.experiments.model import Experiment
from stacks.keepalive import (
    LISTENER_PORT,
    KeepAliveConfig,
    LoadBalancerConfig,
    bind_server,
    build_client,
    build_server,
    exported,
    health_check,
    seed_experiments,
    workload_commands,
)

# ALB docs, "Connection idle timeout" and "HTTP 502: target closes the connection ...".
AWS_GUIDANCE = (
    "AWS: 'configure the idle timeout of your application to be larger than the idle timeout configured "
    "for the load balancer' (otherwise the ALB may reuse a connection the target is closing and answer 502)"
)


class AlbConfig(LoadBalancerConfig):
    """The explicit ALB (seed 000 made it in the console). Internal, private subnets, HTTP 80."""

    idle_timeout_seconds: int = within(limits.ALB_IDLE_TIMEOUT, 60)
    """ALB attribute idle_timeout.timeout_seconds (seed: the default, 60)."""
    client_keep_alive_seconds: int = within(limits.ALB_CLIENT_KEEP_ALIVE, 3600)
    """ALB attribute client_keep_alive.seconds: longest life of a client connection (default 3600)."""

    @field_validator("availability_zones")
    @classmethod
    def _two_zones(cls, value: list[str]) -> list[str]:
        if value and len(value) < 2:
            raise ValueError(f"{value}: an ALB needs subnets in at least 2 zones")
        return value


class Config(KeepAliveConfig):
    """The shared AWS base, the keep-alive server and client, and an explicit ALB."""

    alb: AlbConfig = AlbConfig()
    """The ALB: zones (default: all, at least 2), idle timeout, health check path."""

    def load_balancer(self) -> AlbConfig:
        return self.alb

    def load_balancer_key(self) -> str:
        return "alb"

    def load_balancer_zones(self) -> list[str]:
        return self.alb.availability_zones or list(self.availability_zones)


def keep_alive_warning(cfg: Config) -> str | None:
    """The warning when the server's keep-alive is not longer than the ALB's idle timeout."""
    keep_alive, idle = cfg.server.keep_alive_seconds, cfg.alb.idle_timeout_seconds
    if keep_alive > idle:
        return None
    return (
        f"testbed:server.keepAliveSeconds ({keep_alive}) is not longer than testbed:alb.idleTimeoutSeconds ({idle}). "
        f"{AWS_GUIDANCE}. Built anyway: seed 000 runs exactly this case on purpose."
    )


def experiments(cfg: Config, time_scale: float = 1.0) -> list[Experiment]:
    """Seed 000's runs at 3, 30 and 70 s, expected from this stack's idle timeout and keep-alive."""
    return seed_experiments(cfg, "alb", idle_timeout=cfg.alb.idle_timeout_seconds, scale=time_scale)


def build(cfg: Config) -> None:
    """Build the bed, the ALB in front of the server, the client; export the seed's experiments."""
    base = build_aws_base(cfg)
    server = build_server(cfg, base)
    zones = cfg.load_balancer_zones()
    alb = ApplicationLoadBalancer(
        "alb",
        ApplicationLoadBalancerArgs(
            vpc_id=base.network.vpc_id,
            subnet_ids={zone: base.network.private_subnet_ids[zone] for zone in zones},
            vpc_cidr=cfg.network.vpc_cidr,
            internal=True,
            listener_port=LISTENER_PORT,
            target_port=server.target_port,
            health_check=health_check(cfg.alb),
            idle_timeout_seconds=cfg.alb.idle_timeout_seconds,
            client_keep_alive_seconds=cfg.alb.client_keep_alive_seconds,
            deregistration_delay_seconds=cfg.alb.deregistration_delay_seconds,
            tags={"testbed:stack": pulumi.get_stack(), **cfg.tags},
        ),
    )
    bind_server(base, server, target_group_arn=alb.target_group_arn, security_group_id=alb.security_group_id)
    build_client(cfg, base, dns_name=alb.dns_name)
    if warning := keep_alive_warning(cfg):
        pulumi.log.warn(warning)

    pulumi.export("loadBalancerDnsName", alb.dns_name)
    pulumi.export("loadBalancerArn", alb.arn)
    pulumi.export("targetGroupArn", alb.target_group_arn)
    pulumi.export("experiments", exported(experiments(cfg)))
    export_base(
        base,
        {
            **workload_commands(cfg),
            "targetHealth": pulumi.Output.concat(
                "aws elbv2 describe-target-health --region ", cfg.region, " --target-group-arn ", alb.target_group_arn
            ),
            "albAttributes": pulumi.Output.concat(
                "aws elbv2 describe-load-balancer-attributes --region ", cfg.region, " --load-balancer-arn ", alb.arn
            ),
        },
    )
