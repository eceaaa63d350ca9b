"""Ingress: one Kubernetes Ingress, ordered after the controller that reconciles it.

An Ingress of class `alb` becomes an ALB only through the AWS Load Balancer Controller, and only
that controller deletes the ALB when the Ingress goes (its finalizer `ingress.k8s.aws/resources`).
So the Ingress depends on the controller's Helm release: `pulumi destroy` deletes it while the
controller still runs (LBC #2014). The annotations come from the typed builders in
components/aws/annotations, never from hand-written strings.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import pulumi
import pulumi_kubernetes as kubernetes

from components.errors import raise_if_any
from components.limits import PORT
from k8s.load_balancer import ingress_hostname
from k8s.pods import MANAGED_BY

USE_ANNOTATION = "use-annotation"
"""Backend port name that points an Ingress path at an `actions.<service name>` annotation."""
_DNS_1123 = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")


@dataclass(frozen=True, kw_only=True)
class IngressPath:
    """One path of an Ingress rule and the Service port it goes to."""

    path: str | None
    """None: no path (with ImplementationSpecific, the rule matches every path, as in seed 003)."""
    service_name: str
    service_port: int | str
    """A port number, or a port name (`use-annotation` for an `actions.<service_name>` annotation)."""
    path_type: Literal["Prefix", "Exact", "ImplementationSpecific"] = "Prefix"


@dataclass(frozen=True, kw_only=True)
class IngressArgs:
    """An Ingress and what it waits for."""

    provider: kubernetes.Provider
    """Kubernetes provider of the cluster."""
    namespace: str
    name: str
    """The Ingress's Kubernetes name."""
    ingress_class_name: str
    """`alb` for the AWS LB controller, `nginx` for ingress-nginx."""
    controller: pulumi.Resource
    """The Helm release of the controller that reconciles this Ingress: it must outlive the Ingress."""
    paths: Sequence[IngressPath]
    host: str | None = None
    """Rule host (None: any host)."""
    annotations: Mapping[str, str] = field(default_factory=dict)
    labels: Mapping[str, str] = field(default_factory=dict)
    wait_for: Sequence[pulumi.Resource] = ()
    """Also wait for these (the backend Services, the namespace)."""


class Ingress(pulumi.ComponentResource):
    """A Kubernetes Ingress that depends on its controller's release."""

    ingress: kubernetes.networking.v1.Ingress
    hostname: pulumi.Output[str]
    """The load balancer's DNS name, once the controller has made it (Pulumi waits for it)."""

    def __init__(self, name: str, args: IngressArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("testbed:k8s:Ingress", name, None, opts)
        _validate(args)
        backend_paths = [
            kubernetes.networking.v1.HTTPIngressPathArgs(
                path=p.path,
                path_type=p.path_type,
                backend=kubernetes.networking.v1.IngressBackendArgs(
                    service=kubernetes.networking.v1.IngressServiceBackendArgs(
                        name=p.service_name,
                        port=kubernetes.networking.v1.ServiceBackendPortArgs(name=p.service_port)
                        if isinstance(p.service_port, str)
                        else kubernetes.networking.v1.ServiceBackendPortArgs(number=p.service_port),
                    )
                ),
            )
            for p in args.paths
        ]
        self.ingress = kubernetes.networking.v1.Ingress(
            f"{name}-ingress",
            metadata=kubernetes.meta.v1.ObjectMetaArgs(
                name=args.name,
                namespace=args.namespace,
                labels={**args.labels, **MANAGED_BY},
                annotations=dict(args.annotations),
            ),
            spec=kubernetes.networking.v1.IngressSpecArgs(
                ingress_class_name=args.ingress_class_name,
                rules=[
                    kubernetes.networking.v1.IngressRuleArgs(
                        host=args.host, http=kubernetes.networking.v1.HTTPIngressRuleValueArgs(paths=backend_paths)
                    )
                ],
            ),
            opts=pulumi.ResourceOptions(
                parent=self, provider=args.provider, depends_on=[args.controller, *args.wait_for]
            ),
        )
        self.hostname = self.ingress.status.apply(ingress_hostname)
        self.register_outputs({"hostname": self.hostname})


def _validate(args: IngressArgs) -> None:
    problems: list[tuple[str, str]] = []
    if not _DNS_1123.match(args.name) or len(args.name) > 253:
        problems.append(("name", f"{args.name!r} is not a Kubernetes object name (a-z, 0-9, '-')"))
    if not args.paths:
        problems.append(("paths", "empty; an Ingress rule needs at least one path"))
    for index, path in enumerate(args.paths):
        if path.path is None and path.path_type != "ImplementationSpecific":
            problems.append((f"paths[{index}].path", f"required with path_type {path.path_type}"))
        if path.path is not None and not path.path.startswith("/"):
            problems.append((f"paths[{index}].path", f"{path.path!r} must start with '/'"))
        if isinstance(path.service_port, int) and path.service_port not in PORT:
            problems.append((f"paths[{index}].service_port", f"{path.service_port} is not a port {PORT}"))
    raise_if_any("Ingress", problems)
