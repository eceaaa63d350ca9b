"""Namespaces: `namespace`, the one way a workload creates its own, and AppNamespace, a namespace
of its own for workloads that share it (several components)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
import pulumi_kubernetes as kubernetes

from k8s.pods import MANAGED_BY


def namespace(
    resource_name: str, *, name: str, opts: pulumi.ResourceOptions, labels: Mapping[str, str] | None = None
) -> kubernetes.core.v1.Namespace:
    """The Namespace `name` with `labels` (e.g. a Pod Security level); the object also says who manages it."""
    return kubernetes.core.v1.Namespace(
        resource_name,
        metadata=kubernetes.meta.v1.ObjectMetaArgs(name=name, labels={**(labels or {}), **MANAGED_BY}),
        opts=opts,
    )


@dataclass(frozen=True, kw_only=True)
class AppNamespaceArgs:
    provider: kubernetes.Provider
    name: str
    labels: Mapping[str, str] = field(default_factory=dict)


class AppNamespace(pulumi.ComponentResource):
    """One Namespace; depend on `namespace` from everything created in it."""

    namespace: kubernetes.core.v1.Namespace

    def __init__(self, name: str, args: AppNamespaceArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("testbed:k8s:AppNamespace", name, None, opts)
        self.namespace = namespace(
            f"{name}-namespace",
            name=args.name,
            labels=args.labels,
            opts=pulumi.ResourceOptions(parent=self, provider=args.provider),
        )
        self.register_outputs({"name": args.name})
