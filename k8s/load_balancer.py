"""LoadBalancerService: a Service of type LoadBalancer whose cloud load balancer the bed waits for.

The cloud's controller (AWS LB controller, AKS cloud provider) builds the load balancer from the
Service's annotations; everything the controller needs first (its Helm release on EKS, a role
assignment and a public IP on AKS) goes in `wait_for`, so that `up` creates the Service after it
and `destroy` deletes the Service, and with it the load balancer rules, before it. Pulumi waits
until the Service has an ingress address, for `timeout_minutes` (the default 10 minutes is short
for a first Azure load balancer: pulumi-kubernetes#945).

`ingress_hostname` and `ingress_ip` read the address the controller wrote on a Service or an
Ingress (EchoServer, Ingress and KubeOpsView use them too).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import pulumi
import pulumi_kubernetes as kubernetes

from components.errors import raise_if_any
from k8s.pods import service


@dataclass(frozen=True, kw_only=True)
class ServicePort:
    name: str
    port: int
    target_port: int | str
    protocol: Literal["TCP", "UDP"] = "TCP"


@dataclass(frozen=True, kw_only=True)
class LoadBalancerServiceArgs:
    provider: kubernetes.Provider
    namespace: pulumi.Input[str]
    name: str
    selector: Mapping[str, str]
    ports: Sequence[ServicePort]
    annotations: Mapping[str, str] = field(default_factory=dict)
    external_traffic_policy: Literal["Cluster", "Local"] = "Cluster"
    wait_for: Sequence[pulumi.Resource] = ()
    timeout_minutes: int = 20


class LoadBalancerService(pulumi.ComponentResource):
    """A LoadBalancer Service, created after what its controller needs."""

    service: kubernetes.core.v1.Service
    ingress_ip: pulumi.Output[str]
    """The load balancer's address as Kubernetes reports it ("" until there is one)."""

    def __init__(self, name: str, args: LoadBalancerServiceArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("testbed:k8s:LoadBalancerService", name, None, opts)
        raise_if_any("LoadBalancerService", [("ports", "at least one port is needed")] if not args.ports else [])
        timeout = f"{args.timeout_minutes}m"
        self.service = service(
            f"{name}-service",
            name=args.name,
            namespace=args.namespace,
            labels={},
            annotations=dict(args.annotations),
            spec=kubernetes.core.v1.ServiceSpecArgs(
                type="LoadBalancer",
                selector=dict(args.selector),
                external_traffic_policy=args.external_traffic_policy,
                ports=[
                    kubernetes.core.v1.ServicePortArgs(
                        name=p.name, port=p.port, target_port=p.target_port, protocol=p.protocol
                    )
                    for p in args.ports
                ],
            ),
            opts=pulumi.ResourceOptions(
                parent=self,
                provider=args.provider,
                depends_on=list(args.wait_for),
                custom_timeouts=pulumi.CustomTimeouts(create=timeout, update=timeout),
            ),
        )
        self.ingress_ip = self.service.status.apply(ingress_ip)
        self.register_outputs({"ingressIp": self.ingress_ip})


def _ingresses(status) -> list:
    """The load balancer ingress points of a Service's or an Ingress's status (none until the controller answers)."""
    return (status.load_balancer.ingress or []) if status and status.load_balancer else []


def ingress_ip(status) -> str:
    """The load balancer's address, its IP first (Azure gives one), from a status ("" until there is one)."""
    return next((i.ip or i.hostname or "" for i in _ingresses(status)), "")


def ingress_hostname(status) -> str:
    """The load balancer's DNS name, its hostname first (AWS gives one), from a status ("" until there is one)."""
    return next((i.hostname or i.ip or "" for i in _ingresses(status)), "")
