"""alb-keepalive: an ALB's idle timeout against the backend's keep-alive (seed 000).

Builds the internal ALB the seed made in the console (security group, target group, listener) in
front of the shared keep-alive server and client (stacks/keepalive.py), and warns that the
server's keep-alive is shorter than the idle timeout: that is the experiment.
The scenario, its knobs and how to verify it: docs/scenarios/alb-keepalive.md.
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import field_validator

from components.aws.load_balancers import ApplicationLoadBalancer, ApplicationLoadBalancerArgs
from components.limits import aws as limits
from stacks.config import within
from stacks.experiments.model import Experiment
from stacks.keepalive import KeepAliveConfig, LoadBalancerConfig
from stacks.keepalive_bed import build_keepalive
from stacks.keepalive_experiments import seed_experiments

# ALB docs, "Connection idle timeout" and "HTTP 502: target closes the connection ...".
AWS_GUIDANCE = (
    "AWS: 'configure the idle timeout of your application to be larger than the idle timeout configured "
    "for the load balancer' (otherwise the ALB may reuse a connection the target is closing and answer 502)"
)


class AlbConfig(LoadBalancerConfig):
    """The explicit ALB (seed 000 made it in the console). Internal, private subnets, HTTP 80."""

    component_knobs: ClassVar[tuple[str, ...]] = ("idle_timeout_seconds", "client_keep_alive_seconds")
    # The ALB's idle timeout is a load balancer attribute.
    attributes_command: ClassVar[tuple[str, str, str]] = (
        "albAttributes",
        "describe-load-balancer-attributes",
        "--load-balancer-arn",
    )

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

    LOAD_BALANCER: ClassVar[str] = "alb"

    alb: AlbConfig = AlbConfig()
    """The ALB: zones (default: all, at least 2), idle timeout, health check path."""


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
    return seed_experiments(
        "alb", keep_alive=cfg.server.keep_alive_seconds, idle_timeout=cfg.alb.idle_timeout_seconds, scale=time_scale
    )


def build(cfg: Config) -> None:
    """Build the bed, the ALB in front of the server, the client; export the seed's experiments."""
    build_keepalive(
        cfg, ApplicationLoadBalancer, ApplicationLoadBalancerArgs, experiments(cfg), keep_alive_warning(cfg)
    )
