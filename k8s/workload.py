"""What every workload component shares: its Args' first fields, its replicas check, its Deployment.

A workload (echoserver, game-2048, nginx, netshoot, an nginx page, the graceful app) is a component
whose Args start with `WorkloadArgs` and whose Deployment is `workload_deployment`: named after the
component, in the Args' namespace, with the Args' replicas, made with the Args' provider.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi
import pulumi_kubernetes as kubernetes

from k8s.pods import deployment


@dataclass(frozen=True, kw_only=True)
class WorkloadArgs:
    """What every workload's Args starts with: the cluster, the namespace its pods run in and how many."""

    provider: kubernetes.Provider
    """Kubernetes provider of the cluster."""
    namespace: str = "default"
    replicas: int = 1


def workload_deployment(
    owner: pulumi.Resource,
    name: str,
    args: WorkloadArgs,
    *,
    app: str,
    labels: Mapping[str, str],
    pod: kubernetes.core.v1.PodSpecArgs,
    depends_on: Sequence[pulumi.Resource] = (),
    annotations: Mapping[str, str] | None = None,
    template_annotations: Mapping[str, str] | None = None,
) -> kubernetes.apps.v1.Deployment:
    """The Deployment `app` of the workload component `owner` (named `name`): `args.replicas` pods in
    `args.namespace`, made with `args.provider` after `depends_on`."""
    return deployment(
        f"{name}-deployment",
        name=app,
        namespace=args.namespace,
        labels=labels,
        replicas=args.replicas,
        pod=pod,
        annotations=annotations,
        template_annotations=template_annotations,
        opts=pulumi.ResourceOptions(parent=owner, provider=args.provider, depends_on=list(depends_on)),
    )


def replicas_problems(replicas: int, most: int, *, least: int = 0) -> list[tuple[str, str]]:
    """The `replicas` problem of a workload that runs `least`..`most` pods, as ArgsError takes it ([] if none)."""
    if least <= replicas <= most:
        return []
    return [("replicas", f"{replicas} is not in {least}..{most}")]
