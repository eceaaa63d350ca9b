"""KubeOpsView: the read-only cluster dashboard seed 001 watched pods pile up on, behind an NLB.

The seed ran `helm install kube-ops-view geek-cookbook/kube-ops-view --version 1.2.2 --set
env.TZ="Asia/Seoul" --namespace kube-system` and opened `http://<LB>:8080/#scale=1.5`. The
chart's own Service cannot carry `spec.loadBalancerClass` (its common library 4.5.2 has no such
value), and without that class the AWS LB controller leaves a LoadBalancer Service to the in-tree
controller, which makes a Classic ELB (research/aws.md §3.3). So the chart keeps its ClusterIP
Service and this component adds a LoadBalancer Service of class `service.k8s.aws/nlb` that
selects the chart's pods and depends on the controller's release (deleted while the controller
can still delete the NLB).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_kubernetes as kubernetes

from components.errors import raise_if_any
from components.helm import HelmAddOn, helm_release
from components.placement import Placement
from k8s.load_balancer import ingress_hostname
from k8s.pods import service
from k8s.versions import KUBE_OPS_VIEW

RELEASE_NAME = "kube-ops-view"
SERVICE_NAME = "kube-ops-view-nlb"
PORT = 8080
"""kube-ops-view listens on 8080; the seed's URL keeps that port on the load balancer."""
NLB_CLASS = "service.k8s.aws/nlb"
# The chart's pods, by the selector labels of the k8s-at-home common library.
SELECTOR = {"app.kubernetes.io/name": "kube-ops-view", "app.kubernetes.io/instance": RELEASE_NAME}
# AWS LB controller Service annotations (docs/guide/service/annotations.md): pod IPs as targets,
# reachable from the internet as the seed's browser reached it.
NLB_ANNOTATIONS = {
    "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type": "ip",
    "service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing",
}


@dataclass(frozen=True, kw_only=True)
class KubeOpsViewArgs:
    """Where kube-ops-view runs and who may open it."""

    provider: kubernetes.Provider
    """Kubernetes provider of the cluster."""
    lb_controller_release: pulumi.Resource
    """The AWS LB controller's Helm release: the NLB Service depends on it."""
    namespace: str = "kube-system"
    """Seed: kube-system."""
    timezone: str = "Asia/Seoul"
    """The container's TZ (seed: Asia/Seoul)."""
    allowed_cidrs: Sequence[str] = ("0.0.0.0/0",)
    """Who may reach the NLB (`spec.loadBalancerSourceRanges`; seed: anyone)."""
    placement: Placement = field(default_factory=Placement)
    """Where the pods run and the nodes they wait for (`Cluster.placement`)."""
    extra_values: Mapping[str, Any] = field(default_factory=dict)
    """Helm values merged last, over ours."""


def helm_values(args: KubeOpsViewArgs) -> dict[str, Any]:
    """Our values of the chart: the seed's TZ and the restricted security context (placement: `add_on`)."""
    return {
        "env": {"TZ": args.timezone},
        "resources": {"requests": {"cpu": "50m", "memory": "64Mi"}, "limits": {"cpu": "500m", "memory": "256Mi"}},
        # The chart already sets the first three; the rest completes the restricted profile.
        "securityContext": {
            "readOnlyRootFilesystem": True,
            "runAsNonRoot": True,
            "runAsUser": 1000,
            "allowPrivilegeEscalation": False,
            "capabilities": {"drop": ["ALL"]},
            "seccompProfile": {"type": "RuntimeDefault"},
        },
    }


def add_on(args: KubeOpsViewArgs) -> HelmAddOn:
    """The release, placed by `args`, after what its pods need."""
    return HelmAddOn(
        release_name=RELEASE_NAME,
        namespace=args.namespace,
        chart=KUBE_OPS_VIEW,
        values=helm_values(args),
        placement=args.placement,
        extra_values=args.extra_values,
    )


class KubeOpsView(pulumi.ComponentResource):
    """kube-ops-view (Helm) and an NLB Service the AWS LB controller reconciles."""

    release: kubernetes.helm.v3.Release
    service: kubernetes.core.v1.Service
    hostname: pulumi.Output[str]
    """The NLB's DNS name, once the controller has made it."""
    url: pulumi.Output[str]
    """The page the seed opened: http://<NLB>:8080/#scale=1.5."""

    def __init__(self, name: str, args: KubeOpsViewArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("testbed:k8s:KubeOpsView", name, None, opts)
        _validate(args)

        self.release = helm_release(f"{name}-release", add_on(args), provider=args.provider, parent=self)
        self.service = service(
            f"{name}-nlb",
            name=SERVICE_NAME,
            namespace=args.namespace,
            labels=SELECTOR,
            annotations=dict(NLB_ANNOTATIONS),
            spec=kubernetes.core.v1.ServiceSpecArgs(
                type="LoadBalancer",
                load_balancer_class=NLB_CLASS,
                selector=dict(SELECTOR),
                ports=[kubernetes.core.v1.ServicePortArgs(name="http", port=PORT, target_port=PORT, protocol="TCP")],
                load_balancer_source_ranges=list(args.allowed_cidrs),
            ),
            opts=pulumi.ResourceOptions(
                parent=self, provider=args.provider, depends_on=[args.lb_controller_release, self.release]
            ),
        )
        self.hostname = self.service.status.apply(ingress_hostname)
        self.url = self.hostname.apply(lambda host: f"http://{host}:{PORT}/#scale=1.5")
        self.register_outputs({"hostname": self.hostname, "url": self.url})


def _validate(args: KubeOpsViewArgs) -> None:
    problems: list[tuple[str, str]] = []
    if not args.allowed_cidrs:
        problems.append(("allowed_cidrs", "needs at least one CIDR (0.0.0.0/0 for anyone)"))
    for cidr in args.allowed_cidrs:
        try:
            ipaddress.IPv4Network(cidr)
        except ValueError:
            problems.append(("allowed_cidrs", f"{cidr!r} is not an IPv4 CIDR like 203.0.113.0/24"))
    if not args.timezone:
        problems.append(("timezone", "must name a time zone like Asia/Seoul"))
    raise_if_any("KubeOpsView", problems)
