"""What the controller-driven load balancer scenarios share: where their pods run, and how a
scenario reads the hostname of a load balancer the controller made.

The pods of the seeds' apps run on the `server` node group (`role=server`); the stack config
can move them (`testbed:workloads.nodeSelector`), and a selector no node group matches is an
error, not pods stuck Pending.
"""

from __future__ import annotations

from pydantic import model_validator

from components.k8s_labels import matches
from components.placement import Placement
from stacks.aws_base import AwsBase, AwsBaseConfig
from stacks.config import Loc, StackModel, raise_problems
from stacks.experiments.model import Action, Expectation, Experiment


class WorkloadsConfig(StackModel):
    """Where the scenario's own pods run."""

    node_selector: dict[str, str] = {"role": "server"}
    """Node labels the app pods are pinned to (eks-base's `server` node group: role=server)."""


def check_placement(cfg: AwsBaseConfig, workloads: WorkloadsConfig) -> None:
    """Fail (one line naming the key) when no node group carries `workloads.nodeSelector`."""
    problems: list[tuple[Loc, str]] = []
    selector = workloads.node_selector
    if cfg.node_groups and not any(matches(selector, g.labels) for g in cfg.node_groups.values()):
        problems.append(
            (("workloads", "nodeSelector"), f"{selector}: no node group has these labels, so the pods could not run")
        )
    raise_problems(problems)


class PlacedConfig(AwsBaseConfig):
    """An EKS bed whose own pods run where `workloads.nodeSelector` says (a scenario's Config derives from it
    and may re-declare `workloads` only to say, in its description, which pods these are)."""

    workloads: WorkloadsConfig = WorkloadsConfig()
    """Where the scenario's own pods run."""

    @model_validator(mode="after")
    def _placement(self) -> PlacedConfig:
        check_placement(self, self.workloads)
        return self


def placement(base: AwsBase, workloads: WorkloadsConfig) -> Placement:
    """Where the scenario's pods go, as the cluster answers for `workloads.nodeSelector`: the matching
    node groups' taints tolerated, their creation awaited."""
    return base.cluster.placement(workloads.node_selector)


def hostname_command(kind: str, name: str, namespace: str, scheme: str = "http", suffix: str = "") -> str:
    """A shell line printing the URL of the load balancer behind a Service or Ingress (its DNS name
    is known only once the controller has made it)."""
    tail = f'"{suffix}"' if suffix else ""
    return (
        f"kubectl -n {namespace} get {kind} {name} -o jsonpath='{{.status.loadBalancer.ingress[0].hostname}}'"
        f" | awk '{{ print \"{scheme}://\"$1{tail} }}'"
    )


def hostname_variable(variable: str, kind: str, name: str, namespace: str) -> str:
    """`VAR=$(kubectl ... hostname)`: the start of the seeds' check loops."""
    return (
        f"{variable}=$(kubectl -n {namespace} get {kind} {name}"
        " -o jsonpath='{.status.loadBalancer.ingress[0].hostname}')"
    )


# One HTTP request as the experiments' runner repeats it: the body, then the status on a line of its own.
HTTP_ONCE = ("curl", "-s", "-m", "10", "-w", "\\nstatus=%{http_code}\\n")
HTTP_STATUS = {"status": r"status=(\d{3})"}


def request_loop(
    name: str,
    title: str,
    url: str,
    expectations: tuple[Expectation, ...],
    *,
    count: int,
    parse: dict[str, str] | None = None,
    time_scale: float = 1.0,
    interval_seconds: float = 0,
    actions: tuple[Action, ...] = (),
) -> Experiment:
    """The seeds' check loop: `count` HTTP requests from this machine, back to back (about 0.2 s each), or
    `interval_seconds` apart (scaled by `time_scale`), with `actions` done while it runs."""
    if interval_seconds:
        interval, expected = interval_seconds * time_scale, count * interval_seconds * time_scale
    else:
        interval, expected = 0, count * 0.2
    return Experiment(
        name=name,
        title=title,
        where="local",
        argv=(*HTTP_ONCE, url),
        interval_seconds=interval,
        count=count,
        expected_seconds=expected,
        expectations=expectations,
        mode="repeat",
        parse=parse or HTTP_STATUS,
        actions=actions,
        time_scale=time_scale,
    )
