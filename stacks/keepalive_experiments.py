"""The keep-alive beds' experiments: the seed's client.py runs and what each shows through an ALB or an NLB.

The times are scaled for the lab (`timing`); the expectations follow the knobs (keep-alive vs idle timeout).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from stacks.experiments.model import Expectation, Experiment
from stacks.experiments.model import exported as export_experiments
from stacks.experiments.predicates import Changes, FieldIs, Near, RequestCount

# The seed's runs, (interval, requests): `python client.py 3`, `... 30` (stopped after the
# requests at 0, 30, 60 and 90 s its capture shows) and `... 70`. A count keeps each bounded.
SEED_RUNS = ((3, 10), (30, 4), (70, 3))
CLIENT_NAMESPACE = "client"
PEER_FIN = "peer FIN while idle"  # client.py's reason when the peer closed the idle connection


def client_command(argv: tuple[str, ...], config: Mapping[str, str] | None = None) -> str:
    """The seed's run, bounded: `kubectl exec` into the client pod and run client.py; the
    `pulumi config set` and `pulumi up` it needs first, if any."""
    run = f"kubectl -n {CLIENT_NAMESPACE} exec -it deploy/client -c client -- {' '.join(argv)}"
    setup = [f"pulumi config set --path {key} {value}" for key, value in (config or {}).items()]
    return " && ".join([*setup, "pulumi up", run]) if setup else run


@dataclass(frozen=True)
class Timing:
    """One keep-alive run's times in seconds, after time scaling (the lab divides them all).

    gunicorn's --keep-alive is whole seconds, and so is conntrack's timeout (the lab's NLB):
    those are rounded, and the expectations use the rounded values the bed really has.
    """

    interval: float
    count: int
    keep_alive: float
    idle_timeout: float
    tolerance: float


def timing(
    interval: float, count: int, *, keep_alive: int, idle_timeout: int, scale: float, whole_idle: bool
) -> Timing:
    """The run's times scaled by `scale` (1 for the cloud), tolerance ±2 s scaled alike."""
    idle = idle_timeout * scale
    return Timing(
        interval=round(interval * scale, 6),
        count=count,
        keep_alive=max(1, round(keep_alive * scale)),
        idle_timeout=max(1, round(idle)) if whole_idle else round(idle, 6),
        tolerance=round(2 * scale, 6),
    )


def _base(t: Timing) -> list[Expectation]:
    return [RequestCount(t.count), FieldIs("ok", True)]


def alb_expectations(t: Timing) -> tuple[Expectation, ...]:
    """What client.py shows through an ALB (seed 000's findings, generalised to the knobs)."""
    checks = _base(t)
    if t.interval < t.idle_timeout:
        checks.append(FieldIs("connection", "reused", first=2))
    elif t.interval > t.idle_timeout:
        checks += [
            FieldIs("connection", "reopened", first=2),
            FieldIs("reason", PEER_FIN, first=2),
            Near("peer_closed_after_s", t.idle_timeout, t.tolerance, first=2, meaning="the ALB's idle timeout"),
        ]
    # interval == idle timeout: the request and the idle close meet; reused or reopened, by a hair.
    # The backend connection ends at whichever idle limit comes first: the server's keep-alive, or
    # the ALB's idle timeout, which applies to target connections too (ALB docs, "Connection idle timeout").
    if t.interval >= t.keep_alive:
        closer = f"the server closes its idle side after {t.keep_alive:g} s"
    elif t.interval > t.idle_timeout:
        closer = f"the ALB closes its idle backend connection after {t.idle_timeout:g} s"
    else:
        closer = ""
    if closer:
        checks.append(
            Changes(
                "server_peer",
                meaning=f"{closer}; the ALB opens a new backend connection for each request, the client never notices",
            )
        )
    else:
        checks.append(Changes("server_peer", changes=False, meaning="the ALB keeps its backend connection too"))
    return tuple(checks)


def nlb_expectations(t: Timing) -> tuple[Expectation, ...]:
    """What client.py shows through an NLB: one end-to-end TCP connection, and a silent drop."""
    checks = _base(t)
    if t.interval < min(t.keep_alive, t.idle_timeout):
        return (
            *checks,
            FieldIs("connection", "reused", first=2),
            Changes("server_peer", changes=False, meaning="one end-to-end TCP connection"),
        )
    if t.keep_alive <= t.idle_timeout:
        return (
            *checks,
            FieldIs("connection", "reopened", first=2),
            FieldIs("reason", PEER_FIN, first=2),
            Near(
                "peer_closed_after_s",
                t.keep_alive,
                t.tolerance,
                first=2,
                meaning="the server's keep-alive: its FIN passed through the NLB, unlike the ALB's own",
            ),
        )
    # The NLB forgets the idle flow without a FIN to anyone: request 2 goes into the dead connection.
    return (
        RequestCount(t.count),
        FieldIs("ok", True, last=1),
        FieldIs("connection", "reused", first=2, last=2, meaning="no FIN or RST reached the client while idle"),
        FieldIs(
            "error_kind",
            "reset",
            first=2,
            last=2,
            meaning=f"the NLB forgot the flow after {t.idle_timeout:g} s: the request gets its RST",
        ),
        FieldIs("connection", "reopened", first=3, last=3),
        FieldIs("reason", "previous request failed (reset)", first=3, last=3),
        FieldIs("ok", True, first=3, last=3),
    )


def keepalive_experiment(
    name: str, lb: str, t: Timing, expectations: tuple[Expectation, ...], *, scale: float, config: Mapping[str, str]
) -> Experiment:
    """One client.py run on the client pod, with the bed settings its expectations assume."""
    return Experiment(
        name=name,
        title=f"client.py every {t.interval:g} s, {t.count} requests, through the {lb.upper()}",
        where="client-pod",
        argv=("python", "client.py", f"{t.interval:g}", str(t.count)),
        interval_seconds=t.interval,
        count=t.count,
        expected_seconds=round(t.interval * (t.count - 1), 3),
        expectations=expectations,
        bed={
            "server.keepAliveSeconds": t.keep_alive,
            ("alb.idleTimeoutSeconds" if lb == "alb" else "nlb.tcpIdleTimeoutSeconds"): t.idle_timeout,
        },
        config=dict(config),
        time_scale=scale,
    )


def seed_experiments(lb: str, *, keep_alive: int, idle_timeout: int, scale: float) -> list[Experiment]:
    """The seed's three runs through this stack's load balancer (`lb`: "alb" or "nlb"), against a server
    keeping idle connections `keep_alive` seconds."""
    expect = alb_expectations if lb == "alb" else nlb_expectations
    runs = []
    for interval, count in SEED_RUNS:
        t = timing(
            interval,
            count,
            keep_alive=keep_alive,
            idle_timeout=idle_timeout,
            scale=scale,
            whole_idle=lb == "nlb",
        )
        runs.append(keepalive_experiment(f"interval{interval:g}", lb, t, expect(t), scale=scale, config={}))
    return runs


def exported(experiments: list[Experiment]) -> dict[str, dict[str, Any]]:
    """The `experiments` stack output: per experiment the command to paste and what to expect."""
    return export_experiments(experiments, command=lambda e: client_command(e.argv, e.config))
