"""Every bed's up and destroy order, read from the recorded dependency graph.

Pulumi deletes a resource only after everything that depends on it, and creates it only after
everything it depends on. So:
- on EKS, each object the LB controller reconciles must reach, through dependencies, everything
  the controller needs to act: else destroy deletes them in the same first wave and the
  controller's finalizers hang, orphaning the load balancers (issue 11);
- nodes must reach their subnets' egress (NAT, route, association);
- workloads must reach a node group their nodeSelector matches;
- on AKS, agent pools must be ordered one after another (AKS refuses concurrent pool operations).
"""

from __future__ import annotations

import json

import pytest

from components.k8s_labels import matches
from testbed.engine import Recording, Resource
from testbed.gates.destroy import reconciled_by_controller
from testbed.plan import is_helm_release, is_kubernetes_object, plain
from testbed.stackfile import known_stacks
from tests.graph import missing_needs, needs, of_type

AWS_STACKS = sorted(s for s in known_stacks() if s != "aks-tcp")
LBC_RELEASE = "aws-load-balancer-controller"
SYSTEM_SELECTOR = {"role": "infra"}


def _release(recording: Recording, name: str) -> Resource:
    (found,) = [r for r in of_type(recording, "kubernetes:helm.sh/v3:Release") if r.inputs.get("name") == name]
    return found


def _reconciled(recording: Recording) -> list[Resource]:
    """Objects the LB controller acts on: Ingresses, LoadBalancer Services, TargetGroupBindings, and
    Helm releases (other than the controller's) whose values make a LoadBalancer Service."""
    found = []
    for r in recording.resources:
        if is_helm_release(r):
            values = json.dumps(plain(r.inputs.get("values") or {}))
            if r.inputs.get("name") != LBC_RELEASE and '"LoadBalancer"' in values:
                found.append(r)
        elif is_kubernetes_object(r) and reconciled_by_controller(r, plain(r.inputs)):
            found.append(r)
    return found


def _private_egress(recording: Recording) -> list[Resource]:
    routes = [r for r in of_type(recording, "aws:ec2/route:Route") if "-private-" in r.name]
    associations = [r for r in of_type(recording, "aws:ec2/routeTableAssociation:RouteTableAssociation")]
    return [*of_type(recording, "aws:ec2/natGateway:NatGateway"), *routes, *associations]


def _controller_needs(recording: Recording) -> list[Resource]:
    def named(type_: str, suffix: str) -> Resource:
        (found,) = [r for r in of_type(recording, type_) if r.name.endswith(suffix)]
        return found

    system_groups = [
        g for g in of_type(recording, "aws:eks/nodeGroup:NodeGroup") if matches(SYSTEM_SELECTOR, g.inputs["labels"])
    ]
    coredns = [a for a in of_type(recording, "aws:eks/addon:Addon") if a.inputs["addonName"] == "coredns"]
    return [
        _release(recording, LBC_RELEASE),
        named("kubernetes:core/v1:ServiceAccount", "lbc-sa"),
        named("aws:iam/role:Role", "lbc-role"),
        named("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "lbc-role-policy"),
        *system_groups,
        *_private_egress(recording),
        *coredns,
    ]


@pytest.mark.parametrize("stack", AWS_STACKS)
def test_reconciled_objects_outlast_nothing_the_controller_needs(plan_stack, stack):
    recording = plan_stack(stack)
    required = _controller_needs(recording)
    assert len(required) >= 8  # release, SA, role, attachment, a node group, NAT, route, association, CoreDNS
    reconciled = _reconciled(recording)
    if stack != "eks-base":
        assert reconciled, f"{stack} makes a load balancer through the controller"
    for resource in reconciled:
        assert missing_needs(recording, resource, required) == [], resource.name


def test_the_ingress_nginx_release_is_among_the_reconciled(plan_stack):
    recording = plan_stack("ingress-nginx-vs-alb")
    assert _release(recording, "ingress-nginx") in _reconciled(recording)


@pytest.mark.parametrize("stack", AWS_STACKS)
def test_coredns_add_on_is_preserved_on_delete(plan_stack, stack):
    (coredns,) = [a for a in of_type(plan_stack(stack), "aws:eks/addon:Addon") if a.inputs["addonName"] == "coredns"]
    assert coredns.inputs["preserve"] is True


@pytest.mark.parametrize("stack", AWS_STACKS)
def test_nodes_start_after_their_subnets_egress(plan_stack, stack):
    recording = plan_stack(stack)
    by_id = {r.id: r for r in recording.resources if r.id}
    associations = of_type(recording, "aws:ec2/routeTableAssociation:RouteTableAssociation")
    for group in of_type(recording, "aws:eks/nodeGroup:NodeGroup"):
        reached = needs(recording, group)
        for subnet_id in group.inputs["subnetIds"]:
            (association,) = [a for a in associations if a.inputs["subnetId"] == subnet_id]
            table = by_id[association.inputs["routeTableId"]]
            (route,) = [
                r
                for r in of_type(recording, "aws:ec2/route:Route")
                if r.inputs["routeTableId"] == table.id and r.inputs["destinationCidrBlock"] == "0.0.0.0/0"
            ]
            nat = by_id[route.inputs["natGatewayId"]]
            assert {association.urn, route.urn, nat.urn} <= reached, (group.name, by_id[subnet_id].name)


def _selectors(resource: Resource) -> list[dict[str, str]]:
    """The nodeSelectors of a workload's pods: a Deployment's or StatefulSet's template, or every
    `nodeSelector` in a Helm release's values (the chart's pods)."""
    manifest = plain(resource.inputs)
    if is_helm_release(resource):
        found: list[dict[str, str]] = []
        pending: list[object] = [manifest.get("values") or {}]
        while pending:
            value = pending.pop()
            if isinstance(value, dict):
                if isinstance(value.get("nodeSelector"), dict):
                    found.append(value["nodeSelector"])
                pending.extend(v for k, v in value.items() if k != "nodeSelector")
        return found
    if is_kubernetes_object(resource) and manifest.get("kind") in ("Deployment", "StatefulSet"):
        return [(((manifest.get("spec") or {}).get("template") or {}).get("spec") or {}).get("nodeSelector") or {}]
    return []


def _node_pools(recording: Recording) -> list[tuple[Resource, dict[str, str]]]:
    """Every node group or agent pool with its node labels (an AKS System pool is the cluster itself)."""
    pools = [(g, g.inputs.get("labels") or {}) for g in of_type(recording, "aws:eks/nodeGroup:NodeGroup")]
    pools += [
        (p, p.inputs.get("nodeLabels") or {}) for p in of_type(recording, "azure-native:containerservice:AgentPool")
    ]
    for cluster in of_type(recording, "azure-native:containerservice:ManagedCluster"):
        pools += [(cluster, profile.get("nodeLabels") or {}) for profile in cluster.inputs["agentPoolProfiles"]]
    return pools


@pytest.mark.parametrize("stack", known_stacks())
def test_workloads_wait_for_a_node_group_their_selector_matches(plan_stack, stack):
    recording = plan_stack(stack)
    pools = _node_pools(recording)
    workloads = [(r, s) for r in recording.resources for s in _selectors(r)]
    assert workloads
    for workload, selector in workloads:
        # kubelet labels every node kubernetes.io/os (all our nodes are Linux); node groups do not list it.
        selector = {k: v for k, v in selector.items() if (k, v) != ("kubernetes.io/os", "linux")}
        matching = {p.urn for p, labels in pools if matches(selector, labels)}
        assert matching, f"{workload.name}: no node group matches {selector}"
        assert matching & needs(recording, workload), f"{workload.name} does not wait for its nodes {selector}"


@pytest.mark.parametrize("stack", ["alb-keepalive", "nlb-keepalive"])
def test_keepalive_deployments_wait_for_their_own_node_groups(plan_stack, stack):
    recording = plan_stack(stack)
    groups = {g.inputs["nodeGroupName"]: g for g in of_type(recording, "aws:eks/nodeGroup:NodeGroup")}
    deployments = {d.name: d for d in of_type(recording, "kubernetes:apps/v1:Deployment")}
    assert groups["server"].urn in deployments["server-deployment"].dependencies
    assert groups["client"].urn in deployments["client-deployment"].dependencies
    assert groups["client"].urn not in deployments["server-deployment"].dependencies


# ---- AKS -----------------------------------------------------------------------------------------


def test_aks_agent_pools_are_created_one_after_another(plan_stack):
    recording = plan_stack("aks-tcp")
    pools = of_type(recording, "azure-native:containerservice:AgentPool")
    assert len(pools) == 2
    for i, first in enumerate(pools):
        for second in pools[i + 1 :]:
            ordered = first.urn in needs(recording, second) or second.urn in needs(recording, first)
            assert ordered, f"{first.name} and {second.name} could run at once (OperationNotAllowed)"


def test_aks_service_goes_before_the_role_assignment_and_the_ip(plan_stack):
    recording = plan_stack("aks-tcp")
    (service,) = [
        r
        for r in of_type(recording, "kubernetes:core/v1:Service")
        if (plain(r.inputs).get("spec") or {}).get("type") == "LoadBalancer"
    ]
    required = [
        *of_type(recording, "azure-native:authorization:RoleAssignment"),
        *of_type(recording, "azure-native:network:PublicIPAddress"),
    ]
    assert len(required) == 2
    assert missing_needs(recording, service, required) == []


def test_with_a_nat_per_zone_each_node_group_waits_for_its_own_zones_nat():
    from stacks.config import engine_value
    from testbed.engine import run_program
    from testbed.stackfile import read_stack_config

    groups = json.loads(read_stack_config("eks-base")["testbed:nodeGroups"])
    groups["client"]["availabilityZones"] = ["ap-northeast-2c"]
    raw = {
        **read_stack_config("eks-base"),
        "testbed:network": engine_value({"vpcCidr": "10.0.0.0/16", "natGateways": "one-per-az"}),
        "testbed:nodeGroups": engine_value(groups),
    }
    recording = run_program("eks-base", raw)
    nats = {n.name: n for n in of_type(recording, "aws:ec2/natGateway:NatGateway")}
    assert sorted(nats) == ["net-nat-ap-northeast-2a", "net-nat-ap-northeast-2c"]
    (client,) = [g for g in of_type(recording, "aws:eks/nodeGroup:NodeGroup") if g.inputs["nodeGroupName"] == "client"]
    assert nats["net-nat-ap-northeast-2c"].urn in needs(recording, client)
