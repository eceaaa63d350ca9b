"""Helm add-ons: one shape for every chart the test beds install, as EKS Blueprints' add-ons have.

An add-on is data (`HelmAddOn`): the pinned chart (name, version, repository), the release's
name and namespace, our values, where its pods run (node selector and tolerations, placed at
the chart's own key for them), the user's values (merged last, so they override ours), and what
the release waits for. `helm_release` turns it into the one `pulumi_kubernetes` Release, so
every add-on is installed the same way and its values can be computed and tested without Pulumi.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_kubernetes as kubernetes

from .placement import Placement


def deep_merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """A new mapping: `base` with `override` merged in. Nested mappings merge; any other value
    (lists included) is replaced. Neither argument is modified."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


@dataclass(frozen=True, kw_only=True)
class HelmChart:
    """A pinned chart: pin it next to its version's source (a `versions.py`)."""

    name: str
    version: str
    repository: str
    """The chart repository's URL (`helm repo add <name> <repository>`)."""


@dataclass(frozen=True, kw_only=True)
class HelmAddOn:
    """One Helm release: what to install, where, with which values, after what."""

    release_name: str
    namespace: str
    chart: HelmChart
    values: Mapping[str, Any] = field(default_factory=dict)
    """Our values (inputs from other resources allowed)."""
    placement: Placement | None = None
    """Where the pods run (node selector, tolerations) and the nodes the release waits for; None: the
    chart's default (and no `nodeSelector` or `tolerations` value)."""
    placement_path: tuple[str, ...] = ()
    """Where the chart reads `nodeSelector` and `tolerations` (ingress-nginx: ("controller",))."""
    extra_values: Mapping[str, Any] = field(default_factory=dict)
    """The user's values, merged last: they override ours and the placement."""
    wait_for: Sequence[pulumi.Resource] = ()
    """What else the release needs first (besides the placement's nodes): its namespace, a controller."""

    def merged_values(self) -> dict[str, Any]:
        """Ours, then the placement at `placement_path`, then the user's values."""
        merged = dict(self.values)
        if self.placement is not None:
            placement: dict[str, Any] = {
                "nodeSelector": dict(self.placement.node_selector),
                "tolerations": [dict(t) for t in self.placement.tolerations],
            }
            for key in reversed(self.placement_path):
                placement = {key: placement}
            merged = deep_merge(merged, placement)
        return deep_merge(merged, self.extra_values)

    def depends_on(self) -> list[pulumi.Resource]:
        """The placement's nodes, then `wait_for`."""
        return [*(self.placement.wait_for if self.placement else ()), *self.wait_for]


def helm_release(
    resource_name: str, add_on: HelmAddOn, *, provider: kubernetes.Provider, parent: pulumi.Resource
) -> kubernetes.helm.v3.Release:
    """The add-on's Release, on the cluster of `provider`, a child of `parent`."""
    return kubernetes.helm.v3.Release(
        resource_name,
        name=add_on.release_name,
        namespace=add_on.namespace,
        chart=add_on.chart.name,
        version=add_on.chart.version,
        repository_opts=kubernetes.helm.v3.RepositoryOptsArgs(repo=add_on.chart.repository),
        values=add_on.merged_values(),
        opts=pulumi.ResourceOptions(parent=parent, provider=provider, depends_on=add_on.depends_on()),
    )
