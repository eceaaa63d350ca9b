"""What every workload component shares: its Args' first fields, its replicas check, its children.

A workload (echoserver, game-2048, nginx, netshoot, an nginx page, the graceful app) is a `Workload`
whose Args start with `WorkloadArgs`: its pods are one Deployment and, where something routes to
them, a Service, both named after the component (`<name>-deployment`, `<name>-service`), in the
Args' namespace, made with the Args' provider as the component's children.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_kubernetes as kubernetes

from components.placement import Placement
from k8s.pods import deployment, pod_spec, service


@dataclass(frozen=True, kw_only=True)
class WorkloadArgs:
    """What every workload's Args starts with: the cluster, the namespace its pods run in and how many."""

    provider: kubernetes.Provider
    """Kubernetes provider of the cluster."""
    namespace: str = "default"
    replicas: int = 1


class Workload(pulumi.ComponentResource):
    """A component whose pods are one Deployment (and maybe a Service), made from its `WorkloadArgs`."""

    deployment: kubernetes.apps.v1.Deployment

    def __init__(self, type_name: str, name: str, opts: pulumi.ResourceOptions | None, *, workload: WorkloadArgs):
        """Pulumi's ComponentResource (no props); `workload`: the Args its children are made from."""
        super().__init__(type_name, name, None, opts)
        self._args = workload

    def _on_cluster(self, depends_on: Sequence[pulumi.Resource]) -> pulumi.ResourceOptions:
        return pulumi.ResourceOptions(parent=self, provider=self._args.provider, depends_on=list(depends_on))

    def _deployment(
        self, *, depends_on: Sequence[pulumi.Resource] = (), **fields: Any
    ) -> kubernetes.apps.v1.Deployment:
        """The Deployment (`fields` as `pods.deployment` takes them): the Args' replicas in the Args' namespace,
        made after `depends_on`."""
        return deployment(
            f"{self.pulumi_resource_name}-deployment",
            namespace=self._args.namespace,
            replicas=self._args.replicas,
            opts=self._on_cluster(depends_on),
            **fields,
        )

    def _service(self, *, depends_on: Sequence[pulumi.Resource] = (), **fields: Any) -> kubernetes.core.v1.Service:
        """The Service in front of the pods (`fields` as `pods.service` takes them), made after `depends_on`."""
        return service(
            f"{self.pulumi_resource_name}-service",
            namespace=self._args.namespace,
            opts=self._on_cluster(depends_on),
            **fields,
        )


def root_http_pod(
    placement: Placement | None, container: kubernetes.core.v1.ContainerArgs, **fields: Any
) -> kubernetes.core.v1.PodSpecArgs:
    """The pod of a seed's image kept as it is: one container serving HTTP that starts as root (its own
    security context says which capabilities it keeps), placed by `placement`; `fields` are other PodSpec
    fields."""
    return pod_spec(non_root=False, placement=placement, containers=[container], **fields)


def replicas_problems(replicas: int, most: int, *, least: int = 0) -> list[tuple[str, str]]:
    """The `replicas` problem of a workload that runs `least`..`most` pods, as ArgsError takes it ([] if none)."""
    if least <= replicas <= most:
        return []
    return [("replicas", f"{replicas} is not in {least}..{most}")]
