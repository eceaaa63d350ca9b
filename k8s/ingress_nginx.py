"""IngressNginx: ingress-nginx behind an NLB, seed 002's path today (NLB -> node -> ingress-nginx -> pod).

The seed's company runs ingress-nginx behind an NLB with `externalTrafficPolicy: Cluster`: a
request reaches any node (instance targets, NodePort), kube-proxy forwards it to an
ingress-nginx pod, which proxies it to the application pod: four hops, and a node restart cuts
connections that merely passed through that node. Here the controller's Service is a
LoadBalancer of class `service.k8s.aws/nlb` (so the AWS LB controller, not the in-tree cloud
provider, makes the NLB), with annotations from the typed builder. The Helm release depends on
the LB controller's release, like every object that makes a load balancer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import pulumi
import pulumi_kubernetes as kubernetes

from components.aws.annotations import NlbServiceAnnotations, ServicePort
from components.errors import raise_if_any
from components.helm import HelmAddOn, helm_release
from components.placement import Placement
from k8s.namespaces import namespace
from k8s.versions import INGRESS_NGINX
from k8s.workload import replicas_problems

RELEASE_NAME = "ingress-nginx"
INGRESS_CLASS = "nginx"
# The chart's controller Service: "<release>-controller", ports http 80 and https 443 to the
# container's named ports.
SERVICE_NAME = f"{RELEASE_NAME}-controller"
SERVICE_PORTS = (
    ServicePort(name="http", port=80, target_port="http"),
    ServicePort(name="https", port=443, target_port="https"),
)


@dataclass(frozen=True, kw_only=True)
class IngressNginxArgs:
    """Where ingress-nginx runs and the NLB in front of it."""

    provider: kubernetes.Provider
    """Kubernetes provider of the cluster."""
    controller: pulumi.Resource
    """The AWS LB controller's release: it makes (and deletes) the NLB."""
    load_balancer: NlbServiceAnnotations
    """The NLB (seed: instance targets, internet-facing)."""
    namespace: str = "ingress-nginx"
    external_traffic_policy: Literal["Cluster", "Local"] = "Cluster"
    """Seed: Cluster (any node forwards to any ingress-nginx pod)."""
    replicas: int = 1
    placement: Placement = field(default_factory=Placement)
    """Where the controller runs (always on Linux nodes) and the nodes it waits for (`Cluster.placement`)."""
    extra_values: Mapping[str, Any] = field(default_factory=dict)
    """Helm values merged last, over ours."""


def helm_values(args: IngressNginxArgs) -> dict[str, Any]:
    """Our values of the chart: the NLB Service and the `nginx` IngressClass (placement: `add_on`)."""
    spec = args.load_balancer.service_spec(SERVICE_PORTS, external_traffic_policy=args.external_traffic_policy)
    return {
        "controller": {
            "replicaCount": args.replicas,
            "ingressClassResource": {"name": INGRESS_CLASS, "enabled": True, "default": False},
            "service": {
                "type": spec["type"],
                "loadBalancerClass": spec["loadBalancerClass"],
                "externalTrafficPolicy": spec["externalTrafficPolicy"],
                "annotations": args.load_balancer.annotations(),
                **(
                    {"loadBalancerSourceRanges": spec["loadBalancerSourceRanges"]}
                    if args.load_balancer.source_ranges
                    else {}
                ),
            },
        },
    }


def add_on(args: IngressNginxArgs, *, namespace: pulumi.Resource) -> HelmAddOn:
    """The release: after the LB controller (it makes and deletes the NLB) and the namespace."""
    return HelmAddOn(
        release_name=RELEASE_NAME,
        namespace=args.namespace,
        chart=INGRESS_NGINX,
        values=helm_values(args),
        placement=replace(args.placement, node_selector={"kubernetes.io/os": "linux", **args.placement.node_selector}),
        placement_path=("controller",),
        extra_values=args.extra_values,
        wait_for=(args.controller, namespace),
    )


class IngressNginx(pulumi.ComponentResource):
    """Namespace and the pinned ingress-nginx Helm release, its Service an NLB."""

    namespace: kubernetes.core.v1.Namespace
    release: kubernetes.helm.v3.Release
    ingress_class: str

    def __init__(self, name: str, args: IngressNginxArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("testbed:k8s:IngressNginx", name, None, opts)
        _validate(args)
        self.namespace = namespace(
            f"{name}-namespace", name=args.namespace, opts=pulumi.ResourceOptions(parent=self, provider=args.provider)
        )
        self.release = helm_release(
            f"{name}-release", add_on(args, namespace=self.namespace), provider=args.provider, parent=self
        )
        self.ingress_class = INGRESS_CLASS
        self.register_outputs({"releaseStatus": self.release.status})


def _validate(args: IngressNginxArgs) -> None:
    problems = replicas_problems(args.replicas, 10, least=1)
    if args.namespace in ("default", "kube-system"):
        problems.append(("namespace", f"{args.namespace!r}: give ingress-nginx its own namespace"))
    raise_if_any("IngressNginx", problems)
