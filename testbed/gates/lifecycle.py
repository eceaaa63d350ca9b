"""Lifecycle: `pulumi up` waits for what each step needs, and `pulumi destroy` leaves nothing behind.

Judged on the engine's own order (testbed/lifecycle/graph.py). "Deleted strictly before" means a
chain of delete dependencies: today's engine runs delete antichains by height, which may put two
unrelated resources in order by chance; the findings show those waves, but only a dependency
keeps the order under any engine (graph.Graph.deleted_before).
- on EKS, every object the AWS LB controller reconciles (Ingress of class alb, LoadBalancer Service
  it handles, TargetGroupBinding, a Helm release declaring such a Service, e.g. ingress-nginx) is
  deleted strictly before everything the controller needs to delete its load balancer:
  its release and ServiceAccount, the IAM role and the role's policy attachments, the node groups
  it runs on, the NAT gateway, private routes and route-table associations of their subnets, and
  the CoreDNS add-on. Otherwise the finalizer never finishes and the load balancer, target groups
  and security groups are orphaned (LBC #2014; issue 11);
- on AKS, the LoadBalancer Service is deleted before the network role assignment and the public
  IP it binds, and no two agent pools of one cluster are created (or deleted) at the same time
  (AKS refuses concurrent agent-pool operations: OperationNotAllowed, Azure/AKS#4522);
- every workload's await (Deployment, StatefulSet, DaemonSet, Helm release, the CoreDNS add-on)
  starts only after a node group matching its nodeSelector exists (else the await times out on Pending pods);
- EKS nodes start only after their subnets' egress (default route and route-table association)
  exists (else nodes cannot pull images or reach the EKS API and the node group fails);
- the cluster's Kubernetes version is in standard support on the stack's `today`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from typing import Any

from testbed.engine import Resource
from testbed.gates import Result, Stack, subject
from testbed.lifecycle import kinds, support
from testbed.lifecycle.graph import Graph
from testbed.lifecycle.schedule import delete_heights
from testbed.plan import plain

GATE = "lifecycle"
SOURCE_LBC = (
    "aws-load-balancer-controller #2014 and issue 11: the controller deletes the load balancer behind a finalizer"
)
SOURCE_AKS = "cloud-provider-azure needs the role and the IP to delete the Service's rules; Azure/AKS#4522"
SOURCE_AWAIT = "pulumi-kubernetes awaits readiness (10 min); Pending pods never get ready"
SOURCE_EGRESS = "EKS nodes in private subnets reach ECR and the EKS API through the NAT route"
WELL_KNOWN_LABELS = {"kubernetes.io/os", "kubernetes.io/arch", "beta.kubernetes.io/os", "beta.kubernetes.io/arch"}
"""Labels every Linux node carries whatever its group's labels say."""

NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"
AGENT_POOL = "azure-native:containerservice:AgentPool"
MANAGED_CLUSTER = "azure-native:containerservice:ManagedCluster"
AWAITED_ADDONS = ("coredns",)
"""EKS add-ons whose create waits for their pods: ACTIVE only once CoreDNS runs, DEGRADED without nodes."""
WORKLOADS = ("kubernetes:apps/v1:Deployment", "kubernetes:apps/v1:StatefulSet", "kubernetes:apps/v1:DaemonSet")


class _Orders:
    """The stack's create closure and delete waves, computed once."""

    def __init__(self, stack: Stack):
        self.stack = stack
        self.graph = Graph(stack.resources)
        heights = delete_heights(self.graph)
        top = max(heights.values(), default=0)
        self.delete_wave = {urn: top - h for urn, h in heights.items()}

    def deleted_before(self, first: Resource, then: Resource) -> bool:
        """`first` goes before `then` under any dependency-respecting schedule (graph.Graph.deleted_before)."""
        return self.graph.deleted_before(first.urn, then.urn)

    def wave(self, resource: Resource) -> str:
        return f"wave {self.delete_wave[resource.urn] + 1}"

    def named(self, resource: Resource) -> str:
        """'RouteTableAssociation net-private-a (wave 5)': names alone repeat across types."""
        return f"{resource.type.rsplit(':', 1)[-1]} {resource.name} ({self.wave(resource)})"

    def created_before(self, first: Resource, then: Resource) -> bool:
        return self.graph.created_before(first.urn, then.urn)


# ---- what the LB controller needs -------------------------------------------------------------


def _node_groups_for(stack: Stack, selector: dict[str, str]) -> list[Resource]:
    """The node groups (EKS node groups, AKS agent pools and inline pools) whose labels satisfy `selector`."""
    wanted = {k: v for k, v in selector.items() if k not in WELL_KNOWN_LABELS}
    found = []
    for r in stack.resources:
        if r.type == NODE_GROUP:
            labels = [r.inputs.get("labels") or {}]
        elif r.type == AGENT_POOL:
            labels = [r.inputs.get("nodeLabels") or {}]
        elif r.type == MANAGED_CLUSTER:
            labels = [p.get("nodeLabels") or {} for p in r.inputs.get("agentPoolProfiles") or []]
        else:
            continue
        if any(all(group.get(k) == v for k, v in wanted.items()) for group in labels):
            found.append(r)
    return found


def _egress(stack: Stack, node_group: Resource) -> tuple[list[Resource], list[str]]:
    """The route-table associations and default routes of a node group's subnets, and NAT gateways they use;
    plus the subnets whose egress could not be found."""
    found: list[Resource] = []
    missing: list[str] = []
    for subnet_id in node_group.inputs.get("subnetIds") or []:
        associations = [
            r
            for r in stack.of_type("aws:ec2/routeTableAssociation:RouteTableAssociation")
            if r.inputs.get("subnetId") == subnet_id
        ]
        tables = {a.inputs.get("routeTableId") for a in associations}
        routes = [
            r
            for r in stack.of_type("aws:ec2/route:Route")
            if r.inputs.get("routeTableId") in tables and r.inputs.get("destinationCidrBlock") == "0.0.0.0/0"
        ]
        subnet = stack.by_id.get(subnet_id)
        if not associations or not routes:
            missing.append(subnet.name if subnet else str(subnet_id))
        found += associations + routes
        found += [stack.by_id[r.inputs["natGatewayId"]] for r in routes if r.inputs.get("natGatewayId") in stack.by_id]
    return found, missing


def _controller_needs(stack: Stack, release: Resource) -> list[Resource]:
    values = kinds.release_values(release)
    namespace = plain(release.inputs).get("namespace") or "default"
    account = (values.get("serviceAccount") or {}).get("name") or kinds.LBC_RELEASE
    accounts = [
        r
        for r, m in stack.kubernetes_objects
        if m.get("kind") == "ServiceAccount"
        and (m.get("metadata") or {}).get("name") == account
        and (m.get("metadata") or {}).get("namespace", "default") == namespace
    ]
    roles = [
        stack.by_urn[u]
        for a in accounts
        for u in a.dependencies
        if u in stack.by_urn and stack.by_urn[u].type == "aws:iam/role:Role"
    ]
    attachments = [
        r
        for r in stack.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
        if any(role.urn in r.dependencies for role in roles)
    ]
    groups = [g for g in _node_groups_for(stack, values.get("nodeSelector") or {}) if g.type == NODE_GROUP]
    egress = [e for g in groups for e in _egress(stack, g)[0]]
    coredns = [r for r in stack.of_type("aws:eks/addon:Addon") if r.inputs.get("addonName") == "coredns"]
    needs = [release, *accounts, *roles, *attachments, *groups, *egress, *coredns]
    return list({r.urn: r for r in needs}.values())


def _reconciled(stack: Stack, mutator: bool) -> Iterator[Resource]:
    for r in stack.resources:
        document = kinds.manifest(r)
        if kinds.is_alb_ingress(document) or kinds.is_target_group_binding(document):
            yield r
        elif kinds.is_load_balancer_service(document):
            if kinds.lbc_handles_service(document, mutator_webhook=mutator):
                yield r
        elif kinds.makes_load_balancer(r) and any(
            kinds.lbc_handles_service(kinds.as_service(s), mutator_webhook=mutator) for s in kinds.release_services(r)
        ):
            yield r


def _eks_destroy_order(stack: Stack, orders: _Orders) -> Iterator[Result]:
    if not stack.of_type("eks:index:Cluster"):
        return
    releases = [r for r in stack.resources if kinds.is_lbc_release(r)]
    mutator = any(kinds.release_values(r).get("enableServiceMutatorWebhook", True) for r in releases)
    needs = {r.urn: r for release in releases for r in _controller_needs(stack, release)}
    for resource in _reconciled(stack, mutator or not releases):
        if not releases:
            yield stack.finding(
                GATE,
                subject(resource),
                "destroy order",
                "makes a load balancer but no LB controller is installed",
                SOURCE_LBC,
            )
            continue
        late = sorted(
            (n for n in needs.values() if not orders.deleted_before(resource, n)),
            key=lambda n: (orders.delete_wave[n.urn], n.name),
        )
        yield from _deleted_too_late(
            stack,
            orders,
            resource,
            late,
            "does not depend on what the LB controller needs to delete its load balancer, so nothing keeps"
            " those from going first",
            SOURCE_LBC,
        )


def _deleted_too_late(
    stack: Stack, orders: _Orders, resource: Resource, late: list[Resource], why: str, source: str
) -> Iterator[Result]:
    """One destroy-order finding on `resource` when `late` (what it needs, which may be deleted before
    it) is not empty: its wave, `why`, and the late ones by name."""
    if late:
        names = ", ".join(orders.named(n) for n in late)
        yield stack.finding(
            GATE, subject(resource), "destroy order", f"({orders.wave(resource)}) {why}: {names}", source
        )


# ---- AKS ------------------------------------------------------------------------------------------


def _aks(stack: Stack, orders: _Orders) -> Iterator[Result]:
    if not stack.of_type(MANAGED_CLUSTER):
        return
    needs = stack.of_type("azure-native:authorization:RoleAssignment", "azure-native:network:PublicIPAddress")
    for resource, document in stack.kubernetes_objects:
        if not kinds.is_load_balancer_service(document):
            continue
        late = [n for n in needs if not orders.deleted_before(resource, n)]
        yield from _deleted_too_late(
            stack, orders, resource, late, "does not depend on what its load balancer rules need", SOURCE_AKS
        )
    pools = stack.of_type(AGENT_POOL)
    for i, first in enumerate(pools):
        for second in pools[i + 1 :]:
            if _cluster_of(first) != _cluster_of(second):
                continue
            if not (orders.created_before(first, second) or orders.created_before(second, first)):
                yield stack.finding(
                    GATE,
                    subject(second),
                    "create order",
                    f"agent pools {first.name} and {second.name} of one cluster may be created at the same time; "
                    "AKS refuses concurrent agent-pool operations (make one depend on the other)",
                    SOURCE_AKS,
                )


def _cluster_of(pool: Resource) -> tuple[Any, Any]:
    return pool.inputs.get("resourceGroupName"), pool.inputs.get("resourceName")


# ---- up waits for nodes and egress --------------------------------------------------------------


def _selectors(resource: Resource) -> list[dict[str, str]]:
    """The nodeSelectors a workload's await depends on ([{}] for a workload without one)."""
    if resource.type in WORKLOADS:
        pod = ((plain(resource.inputs).get("spec") or {}).get("template") or {}).get("spec") or {}
        return [dict(pod.get("nodeSelector") or {})]
    if resource.type == "aws:eks/addon:Addon" and resource.inputs.get("addonName") in AWAITED_ADDONS:
        try:
            values = json.loads(resource.inputs.get("configurationValues") or "{}")
        except (TypeError, json.JSONDecodeError):
            values = {}
        return [dict(values.get("nodeSelector") or {})]
    if resource.type == "kubernetes:helm.sh/v3:Release" and not resource.inputs.get("skipAwait"):
        found: list[dict[str, str]] = []

        def walk(value: Any) -> None:
            if isinstance(value, dict):
                for key, child in value.items():
                    if key == "nodeSelector" and isinstance(child, dict):
                        found.append(dict(child))
                    else:
                        walk(child)

        walk(kinds.release_values(resource))
        return found or [{}]
    return []


def _skips_await(resource: Resource) -> bool:
    annotations = (plain(resource.inputs).get("metadata") or {}).get("annotations") or {}
    return str(annotations.get("pulumi.com/skipAwait", "")).lower() == "true"


def _awaits(stack: Stack, orders: _Orders) -> Iterator[Result]:
    if not stack.of_type(NODE_GROUP, AGENT_POOL, MANAGED_CLUSTER):
        return
    for resource in stack.resources:
        if _skips_await(resource):
            continue
        for selector in _selectors(resource):
            groups = _node_groups_for(stack, selector)
            shown = ",".join(f"{k}={v}" for k, v in sorted(selector.items())) or "(none)"
            if not groups:
                yield stack.finding(
                    GATE, subject(resource), "nodeSelector", f"no node group matches {shown}", SOURCE_AWAIT
                )
            elif not any(orders.created_before(g, resource) for g in groups):
                names = ", ".join(g.name for g in groups)
                yield stack.finding(
                    GATE,
                    subject(resource),
                    "create order",
                    f"its await may start before a node group matching nodeSelector {shown} exists ({names})",
                    SOURCE_AWAIT,
                )


def _node_egress(stack: Stack, orders: _Orders) -> Iterator[Result]:
    for group in stack.of_type(NODE_GROUP):
        egress, missing = _egress(stack, group)
        if missing:
            yield stack.finding(
                GATE,
                subject(group),
                "subnetIds",
                f"no default route found for subnet(s) {', '.join(missing)}",
                SOURCE_EGRESS,
            )
        late = [e for e in egress if e.type != "aws:ec2/natGateway:NatGateway" and not orders.created_before(e, group)]
        if late:
            yield stack.finding(
                GATE,
                subject(group),
                "create order",
                f"nodes may start before their subnets' egress exists: {', '.join(sorted(e.name for e in late))}",
                SOURCE_EGRESS,
            )


# ---- versions -------------------------------------------------------------------------------------


def _versions(stack: Stack, today: date) -> Iterator[Result]:
    checks = [(r, r.inputs.get("version"), support.eks_calendar()) for r in stack.of_type("eks:index:Cluster")]
    checks += [(r, r.inputs.get("kubernetesVersion"), support.aks_calendar()) for r in stack.of_type(MANAGED_CLUSTER)]
    for resource, version, calendar in checks:
        phase, window = support.phase(calendar, version, today)
        if phase is support.SupportPhase.STANDARD:
            continue
        if phase is None or window is None:
            message = f"Kubernetes {version} is not in the {calendar.service} support calendar"
        elif phase is support.SupportPhase.UNRELEASED:
            message = f"Kubernetes {version} is not released on {calendar.service} until {window.release}"
        else:
            phase_name = calendar.extended_name if phase is support.SupportPhase.EXTENDED else "no support at all"
            message = (
                f"Kubernetes {version} is in {phase_name} on {today}: {calendar.service} standard support ended "
                f"{window.standard_end}"
            )
        yield stack.finding(GATE, subject(resource), "version", message, calendar.source)


def lifecycle_gate(stacks: Sequence[Stack], today: date | None = None) -> Iterable[Result]:
    for stack in stacks:
        orders = _Orders(stack)
        yield from _eks_destroy_order(stack, orders)
        yield from _aks(stack, orders)
        yield from _awaits(stack, orders)
        yield from _node_egress(stack, orders)
        yield from _versions(stack, today or stack.today)
