"""nlb-keepalive: an NLB's TCP idle timeout against the backend's keep-alive (seed 000's NLB episode).

Builds an explicit internal NLB (TCP listener with its idle timeout, TCP target group) in front of
the keep-alive server and client shared with alb-keepalive (stacks/keepalive.py).
The scenario, its knobs and how to verify it: docs/scenarios/nlb-keepalive.md.
"""

from __future__ import annotations

from typing import ClassVar

from components.aws.load_balancers import NetworkLoadBalancer, NetworkLoadBalancerArgs
from components.limits import aws as limits
from stacks.config import within
from stacks.experiments.model import Experiment
from stacks.keepalive import KeepAliveConfig, LoadBalancerConfig
from stacks.keepalive_bed import build_keepalive
from stacks.keepalive_experiments import keepalive_experiment, nlb_expectations, seed_experiments, timing

# ELB docs, "Update the TCP idle timeout for your Network Load Balancer listener".
AWS_IDLE = (
    "AWS: 'If no data is sent through the connection by either the client or target for longer than the idle "
    "timeout, the connection is closed' - silently: no FIN or RST is sent, the next packet gets a RST"
)


class NlbConfig(LoadBalancerConfig):
    """The explicit NLB (the series made it in the console). Internal, private subnets, TCP 80."""

    default_zone_count: ClassVar[int | None] = 1
    component_knobs: ClassVar[tuple[str, ...]] = ("tcp_idle_timeout_seconds", "cross_zone")
    health_check_thresholds: ClassVar[tuple[int, int]] = (3, 3)
    # The NLB passes TCP through: its idle timeout is an attribute of the listener.
    attributes_command: ClassVar[tuple[str, str, str]] = (
        "listenerAttributes",
        "describe-listener-attributes",
        "--listener-arn",
    )

    tcp_idle_timeout_seconds: int = within(limits.NLB_TCP_IDLE_TIMEOUT, 350)
    """TCP listener attribute tcp.idle_timeout.seconds (AWS default 350)."""
    cross_zone: bool = False
    """Cross-zone load balancing (NLB default: off)."""


class Config(KeepAliveConfig):
    """The shared AWS base, the keep-alive server and client, and an explicit NLB."""

    LOAD_BALANCER: ClassVar[str] = "nlb"

    nlb: NlbConfig = NlbConfig()
    """The NLB: zones (default: the first zone, where the seed's nodes run), TCP idle timeout, health check."""


def idle_warning(cfg: Config) -> str | None:
    """The warning when connections can outlive the NLB's memory of them."""
    keep_alive, idle = cfg.server.keep_alive_seconds, cfg.nlb.tcp_idle_timeout_seconds
    if keep_alive < idle:
        return None
    return (
        f"testbed:server.keepAliveSeconds ({keep_alive}) is not shorter than testbed:nlb.tcpIdleTimeoutSeconds "
        f"({idle}): a connection idle for {idle}-{keep_alive} s is dropped by the NLB while both ends think it "
        f"open. {AWS_IDLE}. Built anyway: this is the drop the experiment shows."
    )


# The knobs that show the silent drop when the stack's own do not (keep-alive must outlive the NLB's memory).
SILENT_DROP_IDLE, SILENT_DROP_KEEP_ALIVE, SILENT_DROP_INTERVAL = 60, 120, 70


def silent_drop(cfg: Config, time_scale: float = 1.0) -> Experiment:
    """The run that shows the NLB's silent drop: with this stack's knobs when they allow it,
    else with the settings it needs first (tcpIdleTimeoutSeconds 60, keep-alive 120, interval 70)."""
    keep_alive, idle = cfg.server.keep_alive_seconds, cfg.nlb.tcp_idle_timeout_seconds
    config: dict[str, str] = {}
    if keep_alive > idle:
        interval = idle + 10
    else:
        keep_alive, idle, interval = SILENT_DROP_KEEP_ALIVE, SILENT_DROP_IDLE, SILENT_DROP_INTERVAL
        config = {"testbed:nlb.tcpIdleTimeoutSeconds": str(idle), "testbed:server.keepAliveSeconds": str(keep_alive)}
    t = timing(interval, 3, keep_alive=keep_alive, idle_timeout=idle, scale=time_scale, whole_idle=True)
    return keepalive_experiment("silentDrop", "nlb", t, nlb_expectations(t), scale=time_scale, config=config)


def experiments(cfg: Config, time_scale: float = 1.0) -> list[Experiment]:
    """Seed 000's runs at 3, 30 and 70 s through the NLB, and the silent drop."""
    idle = cfg.nlb.tcp_idle_timeout_seconds
    return [
        *seed_experiments("nlb", keep_alive=cfg.server.keep_alive_seconds, idle_timeout=idle, scale=time_scale),
        silent_drop(cfg, time_scale),
    ]


def build(cfg: Config) -> None:
    """Build the bed, the NLB in front of the server, the client; export the experiments."""
    build_keepalive(cfg, NetworkLoadBalancer, NetworkLoadBalancerArgs, experiments(cfg), idle_warning(cfg))
