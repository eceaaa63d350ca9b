"""What a recorded resource is, for the lifecycle: which objects make cloud load balancers, and who makes them.

The AWS Load Balancer Controller (LBC) reconciles Ingresses of class `alb`, Services of type
LoadBalancer it is given (loadBalancerClass `service.k8s.aws/nlb`, the `external`/`nlb-ip` type
annotation, or every new one when its Service mutator webhook is on, the chart's default since
v2.5) and TargetGroupBindings. A Helm release whose values declare a LoadBalancer Service (the
ingress-nginx controller) makes one too. These are Kubernetes objects, not aws resources, so the
plan prices and orders them here.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from testbed.engine import Resource
from testbed.plan import is_helm_release, is_kubernetes_object, plain

LBC_RELEASE = "aws-load-balancer-controller"
LBC_NLB_CLASS = "service.k8s.aws/nlb"
LBC_TYPE_ANNOTATION = "service.beta.kubernetes.io/aws-load-balancer-type"
SCHEME_SERVICE = "service.beta.kubernetes.io/aws-load-balancer-scheme"
SCHEME_INGRESS = "alb.ingress.kubernetes.io/scheme"
GROUP_INGRESS = "alb.ingress.kubernetes.io/group.name"
LEGACY_CLASS = "kubernetes.io/ingress.class"


def manifest(resource: Resource) -> dict[str, Any]:
    """The Kubernetes object's inputs as plain data ({} for anything else)."""
    return plain(resource.inputs) if is_kubernetes_object(resource) else {}


def annotations(document: dict[str, Any]) -> dict[str, str]:
    return dict((document.get("metadata") or {}).get("annotations") or {})


def is_lbc_release(resource: Resource) -> bool:
    return is_helm_release(resource) and plain(resource.inputs).get("name") == LBC_RELEASE


def release_values(resource: Resource) -> dict[str, Any]:
    return dict(plain(resource.inputs).get("values") or {}) if is_helm_release(resource) else {}


def is_alb_ingress(document: dict[str, Any]) -> bool:
    if document.get("kind") != "Ingress":
        return False
    spec = document.get("spec") or {}
    return spec.get("ingressClassName") == "alb" or annotations(document).get(LEGACY_CLASS) == "alb"


def is_load_balancer_service(document: dict[str, Any]) -> bool:
    return document.get("kind") == "Service" and (document.get("spec") or {}).get("type") == "LoadBalancer"


def lbc_handles_service(service: dict[str, Any], *, mutator_webhook: bool) -> bool:
    """Whether the LBC (rather than the in-tree cloud provider) reconciles this LoadBalancer Service."""
    spec = service.get("spec") or {}
    lb_class = spec.get("loadBalancerClass")
    if lb_class:
        return lb_class == LBC_NLB_CLASS
    if annotations(service).get(LBC_TYPE_ANNOTATION) in ("external", "nlb-ip"):
        return True
    return mutator_webhook


def is_target_group_binding(document: dict[str, Any]) -> bool:
    return document.get("kind") == "TargetGroupBinding" and str(document.get("apiVersion", "")).startswith(
        "elbv2.k8s.aws/"
    )


def release_services(resource: Resource) -> Iterator[dict[str, Any]]:
    """The LoadBalancer Service specs a Helm release's values declare (e.g. ingress-nginx's controller)."""

    def walk(value: Any) -> Iterator[dict[str, Any]]:
        if isinstance(value, dict):
            if value.get("type") == "LoadBalancer":
                yield value
            for child in value.values():
                yield from walk(child)
        elif isinstance(value, list):
            for child in value:
                yield from walk(child)

    yield from walk(release_values(resource))


def as_service(values: dict[str, Any]) -> dict[str, Any]:
    """A chart's service values (type, loadBalancerClass, annotations) as a Service manifest."""
    return {
        "kind": "Service",
        "metadata": {"annotations": values.get("annotations") or {}},
        "spec": {k: values[k] for k in ("type", "loadBalancerClass") if k in values},
    }


def makes_load_balancer(resource: Resource) -> bool:
    """Whether creating this object makes a cloud load balancer (and deleting it removes one)."""
    document = manifest(resource)
    if is_alb_ingress(document) or is_load_balancer_service(document):
        return True
    return is_helm_release(resource) and not is_lbc_release(resource) and any(release_services(resource))
