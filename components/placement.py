"""Where a workload runs: the answer a cluster gives for a node selector, for any cloud.

A cluster component (EKS `Cluster`, AKS `AksCluster`) keeps its node groups or pools as
`NodePool`s and answers `placement(selector)` with `place`: the node selector itself, the
tolerations of the taints of every matching group, and those groups' resources, which the
workload waits for (so its pods are never created before a node could run them). A selector
that no group matches is an ArgsError naming it and every group's labels, not pods Pending.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi

from .errors import ArgsError
from .k8s_labels import matches


@dataclass(frozen=True)
class Placement:
    """Where a workload's pods run: pass all three to the workload's Args."""

    node_selector: dict[str, str] = field(default_factory=dict)
    """The pods' nodeSelector."""
    tolerations: tuple[dict[str, str], ...] = ()
    """Kubernetes tolerations of the taints of every matching node group (each once)."""
    wait_for: tuple[pulumi.Resource, ...] = ()
    """The matching node groups (or pools): what the workload is created after, and deleted before."""


@dataclass(frozen=True)
class NodePool:
    """What placement needs to know of one node group or pool."""

    labels: Mapping[str, str]
    """Kubernetes labels of its nodes."""
    tolerations: tuple[dict[str, str], ...]
    """Tolerations of its nodes' taints."""
    resource: pulumi.Resource
    """The resource whose creation makes its nodes (an EKS node group, an AKS agent pool or cluster)."""


def selector_problem(selector: Mapping[str, str], labels: Mapping[str, Mapping[str, str]], noun: str) -> str | None:
    """Why no `noun` (node group, pool) of `labels` (name -> labels) satisfies `selector`, or None."""
    if any(matches(selector, group_labels) for group_labels in labels.values()):
        return None
    known = ", ".join(f"{name} {dict(group_labels)}" for name, group_labels in labels.items()) or "none"
    return f"no {noun} has labels {dict(selector)} ({noun}s: {known})"


def place(component: str, selector: Mapping[str, str], pools: Mapping[str, NodePool], noun: str) -> Placement:
    """The placement of pods with nodeSelector `selector` on `pools`; ArgsError of `component`
    (field `node_selector`) when no pool matches."""
    if problem := selector_problem(selector, {name: pool.labels for name, pool in pools.items()}, noun):
        raise ArgsError(component, [("node_selector", problem)])
    matching = [pool for pool in pools.values() if matches(selector, pool.labels)]
    tolerations: list[dict[str, str]] = []
    for toleration in (t for pool in matching for t in pool.tolerations):
        if toleration not in tolerations:
            tolerations.append(toleration)
    return Placement(dict(selector), tuple(tolerations), tuple(pool.resource for pool in matching))


__all__ = ["NodePool", "Placement", "place", "selector_problem"]
