"""Destroy safety: `pulumi destroy` must leave nothing behind and break nothing it should keep.

- On EKS, every object the AWS LB controller reconciles (Ingress, LoadBalancer Service,
  TargetGroupBinding, and Helm releases that create LoadBalancer Services) depends on the
  controller's release: Pulumi then deletes it first, while the controller still runs and can
  delete the load balancer, target groups and security groups it made. Otherwise they are
  orphaned and the VPC deletion hangs on their network interfaces (LBC #2014).
- On AKS, a LoadBalancer Service depends on the role assignment that lets the cloud provider use
  the network resource group and on the public IP it binds to; resources meant to outlive the
  stack (the fixed public IP) are retained on delete.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

from testbed.engine import Resource
from testbed.gates import Result, Stack, subject
from testbed.plan import is_helm_release, plain

GATE = "destroy-safety"
SOURCE_LBC = "aws-load-balancer-controller #2014: delete Ingresses/Services before the controller"
SOURCE_AKS = "cloud-provider-azure: the Service needs the IP and the role to create or delete its rules"
LBC_RELEASE = "aws-load-balancer-controller"
ROLE_ASSIGNMENT = "azure-native:authorization:RoleAssignment"
PUBLIC_IP = "azure-native:network:PublicIPAddress"


def reconciled_by_controller(resource: Resource, manifest: dict) -> bool:
    """Whether the AWS LB controller acts on this object (and so must be deleted before it)."""
    kind = manifest.get("kind")
    if kind == "Ingress" or (
        kind in ("TargetGroupBinding", "IngressClassParams")
        and str(manifest.get("apiVersion", "")).startswith("elbv2.k8s.aws/")
    ):
        return True
    return kind == "Service" and (manifest.get("spec") or {}).get("type") == "LoadBalancer"


def _creates_load_balancer(release: Resource) -> bool:
    text = json.dumps(plain(release.inputs.get("values") or {}))
    return '"LoadBalancer"' in text or "service.beta.kubernetes.io/aws-load-balancer" in text


def _depends_on_any(stack: Stack, resource: Resource, targets: set[str]) -> bool:
    """Whether `resource` depends on one of `targets` or on a component containing one."""
    for urn in resource.dependencies:
        if urn in targets:
            return True
        dependency = stack.by_urn.get(urn)
        if dependency is not None and not dependency.custom:
            children = {r.urn for r in stack.resources if r.parent == urn}
            if children & targets:
                return True
    return False


def _aws(stack: Stack) -> Iterable[Result]:
    releases = [r for r in stack.resources if is_helm_release(r) and plain(r.inputs).get("name") == LBC_RELEASE]
    controller = {r.urn for r in releases}
    reconciled = [(r, m) for r, m in stack.kubernetes_objects if reconciled_by_controller(r, m)]
    reconciled += [
        (r, {}) for r in stack.resources if is_helm_release(r) and r.urn not in controller and _creates_load_balancer(r)
    ]
    is_eks = bool(stack.of_type("eks:index:Cluster"))
    for resource, _ in reconciled:
        if not is_eks:
            continue
        if not controller:
            yield stack.finding(
                GATE,
                subject(resource),
                "dependencies",
                "the stack reconciles load balancers but has no LB controller release",
                SOURCE_LBC,
            )
        elif not _depends_on_any(stack, resource, controller):
            yield stack.finding(
                GATE, subject(resource), "dependencies", "does not depend on the LB controller's release", SOURCE_LBC
            )


def _azure(stack: Stack) -> Iterable[Result]:
    roles = {r.urn for r in stack.of_type(ROLE_ASSIGNMENT)}
    addresses = stack.of_type(PUBLIC_IP)
    if not (roles or addresses):
        return
    for address in addresses:
        if not address.options.get("retainOnDelete"):
            yield stack.finding(
                GATE,
                subject(address),
                "retainOnDelete",
                "the fixed public IP would be deleted with the stack",
                SOURCE_AKS,
            )
    for resource, manifest in stack.kubernetes_objects:
        if manifest.get("kind") != "Service" or (manifest.get("spec") or {}).get("type") != "LoadBalancer":
            continue
        if roles and not _depends_on_any(stack, resource, roles):
            yield stack.finding(
                GATE, subject(resource), "dependencies", "does not depend on the network role assignment", SOURCE_AKS
            )
        if addresses and not _depends_on_any(stack, resource, {a.urn for a in addresses}):
            yield stack.finding(GATE, subject(resource), "dependencies", "does not depend on the public IP", SOURCE_AKS)


def destroy_safety_gate(stacks: Sequence[Stack]) -> Iterable[Result]:
    for stack in stacks:
        yield from _aws(stack)
        yield from _azure(stack)
