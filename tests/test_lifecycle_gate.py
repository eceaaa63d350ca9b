"""The lifecycle gate: each invariant catches a planted violation and passes the same program fixed."""

from __future__ import annotations

from datetime import date

import pulumi
import pulumi_aws as aws
import pulumi_eks as eks
import pulumi_kubernetes as kubernetes
import pytest

from testbed.engine import run_program
from testbed.gates import Stack, run_gates
from testbed.gates.lifecycle import lifecycle_gate
from testbed.plan import Plan
from testbed.stackfile import known_stacks, read_stack_config

CONFIG = {"aws:region": "ap-northeast-2"}
IN_STANDARD_SUPPORT = date(2026, 6, 1)
"""1.33 (the version the planted clusters use) is in standard support until 2026-07-29."""


def planted(program, today: date = IN_STANDARD_SUPPORT) -> Stack:
    return Stack(Plan("planted", run_program("planted", CONFIG, program=program)), dict(CONFIG), today=today)


def findings(stack: Stack) -> list[tuple[str, str, str]]:
    report = run_gates([stack], only=["lifecycle"], allowlist=[])
    return sorted((f.subject, f.field, f.message) for f in report.findings)


def about(found: list[tuple[str, str, str]], subject: str, field: str) -> list[str]:
    return [message for s, f, message in found if s == subject and f == field]


def opts(*depends_on, provider=None) -> pulumi.ResourceOptions:
    return pulumi.ResourceOptions(provider=provider, depends_on=list(depends_on))


def node_group(role: str, *depends_on, node_role_arn="arn:aws:iam::1:role/n", subnet_ids=()) -> aws.eks.NodeGroup:
    """A one-node group of cluster `c` named and labelled role=`role`, created after `depends_on`."""
    return aws.eks.NodeGroup(
        role,
        cluster_name="c",
        node_role_arn=node_role_arn,
        subnet_ids=list(subnet_ids),
        labels={"role": role},
        scaling_config={"desired_size": 1, "min_size": 1, "max_size": 1},
        opts=opts(*depends_on),
    )


# ---- EKS: what the LB controller needs outlives what it reconciles ---------------------------------


def eks_bed(*, safe: bool, after_release: bool = True):
    """A private subnet behind a NAT route, a node group, CoreDNS, the controller and four things it reconciles."""

    def program():
        vpc = aws.ec2.Vpc("vpc", cidr_block="10.0.0.0/16")
        public = aws.ec2.Subnet("public", vpc_id=vpc.id, cidr_block="10.0.0.0/24")
        private = aws.ec2.Subnet("private", vpc_id=vpc.id, cidr_block="10.0.1.0/24")
        nat = aws.ec2.NatGateway("nat", subnet_id=public.id, allocation_id=aws.ec2.Eip("nat", domain="vpc").id)
        table = aws.ec2.RouteTable("private", vpc_id=vpc.id)
        route = aws.ec2.Route(
            "default", route_table_id=table.id, destination_cidr_block="0.0.0.0/0", nat_gateway_id=nat.id
        )
        association = aws.ec2.RouteTableAssociation("private", route_table_id=table.id, subnet_id=private.id)
        cluster = eks.Cluster("eks", name="c", version="1.33", skip_default_node_group=True)
        node_role = aws.iam.Role("node", assume_role_policy="{}")
        egress = [route, association] if safe else []
        group = node_group("infra", cluster, *egress, node_role_arn=node_role.arn, subnet_ids=[private.id])
        coredns = aws.eks.Addon("coredns", cluster_name="c", addon_name="coredns", opts=opts(group))
        p = kubernetes.Provider("k8s", kubeconfig=pulumi.Output.secret("{}"), opts=opts(cluster))
        role = aws.iam.Role("lbc", assume_role_policy="{}")
        attachment = aws.iam.RolePolicyAttachment("lbc", role=role.name, policy_arn="arn:aws:iam::aws:policy/x")
        account = kubernetes.core.v1.ServiceAccount(
            "lbc",
            metadata={
                "name": "aws-load-balancer-controller",
                "namespace": "kube-system",
                "annotations": {"eks.amazonaws.com/role-arn": role.arn},
            },
            opts=opts(provider=p),
        )
        release = kubernetes.helm.v3.Release(
            "lbc",
            name="aws-load-balancer-controller",
            chart="aws-load-balancer-controller",
            namespace="kube-system",
            values={"serviceAccount": {"create": False, "name": "aws-load-balancer-controller"}},
            opts=opts(account, attachment, group, *([coredns] if safe else []), provider=p),
        )
        after = opts(release, provider=p)
        kubernetes.networking.v1.Ingress(
            "ing",
            metadata={"name": "i"},
            spec={"ingressClassName": "alb"},
            opts=after if after_release else opts(provider=p),
        )
        kubernetes.core.v1.Service(
            "svc", metadata={"name": "s"}, spec={"type": "LoadBalancer", "ports": [{"port": 80}]}, opts=after
        )
        kubernetes.apiextensions.CustomResource(
            "tgb",
            api_version="elbv2.k8s.aws/v1beta1",
            kind="TargetGroupBinding",
            metadata={"name": "t"},
            spec={"serviceRef": {"name": "s", "port": 80}, "targetGroupARN": "arn:tg", "targetType": "ip"},
            opts=after,
        )
        kubernetes.helm.v3.Release(
            "nginx",
            chart="ingress-nginx",
            values={"controller": {"service": {"type": "LoadBalancer", "loadBalancerClass": "service.k8s.aws/nlb"}}},
            opts=after,
        )
        kubernetes.core.v1.Service("internal", metadata={"name": "c"}, spec={"ports": [{"port": 80}]}, opts=after)

    return program


RECONCILED = [
    "kubernetes:core/v1:Service svc",
    "kubernetes:elbv2.k8s.aws/v1beta1:TargetGroupBinding tgb",
    "kubernetes:helm.sh/v3:Release nginx",
    "kubernetes:networking.k8s.io/v1:Ingress ing",
]


def test_objects_the_controller_reconciles_go_before_its_egress_and_coredns():
    found = findings(planted(eks_bed(safe=False)))
    for reconciled in RECONCILED:
        [message] = about(found, reconciled, "destroy order")
        for needed in ("Addon coredns", "Route default", "RouteTableAssociation private", "NatGateway nat"):
            assert needed in message, (reconciled, needed)
        for met in ("Release lbc", "ServiceAccount lbc", "Role lbc", "RolePolicyAttachment lbc", "NodeGroup infra"):
            assert met not in message, (reconciled, met)
    assert not about(found, "kubernetes:core/v1:Service internal", "destroy order")
    assert about(planted_fixed := findings(planted(eks_bed(safe=True))), RECONCILED[0], "destroy order") == []
    assert planted_fixed == []


def test_an_object_that_does_not_wait_for_the_controller_misses_everything_it_needs():
    found = findings(planted(eks_bed(safe=True, after_release=False)))
    [message] = about(found, "kubernetes:networking.k8s.io/v1:Ingress ing", "destroy order")
    needed = message.split("nothing keeps those from going first: ")[1]
    assert sorted(n.split(" (wave")[0] for n in needed.split(", ")) == [
        "Addon coredns",
        "NatGateway nat",
        "NodeGroup infra",
        "Release lbc",
        "Role lbc",
        "RolePolicyAttachment lbc",
        "Route default",
        "RouteTableAssociation private",
        "ServiceAccount lbc",
    ]
    assert [s for s, f, _ in found] == ["kubernetes:networking.k8s.io/v1:Ingress ing"]


def test_nodes_wait_for_their_subnets_egress():
    found = findings(planted(eks_bed(safe=False)))
    [message] = about(found, "aws:eks/nodeGroup:NodeGroup infra", "create order")
    assert message == "nodes may start before their subnets' egress exists: default, private"


def test_a_reconciled_object_without_a_controller_is_a_finding():
    def program():
        eks.Cluster("eks", name="c", version="1.33", skip_default_node_group=True)
        p = kubernetes.Provider("k8s", kubeconfig=pulumi.Output.secret("{}"))
        kubernetes.networking.v1.Ingress(
            "ing", metadata={"name": "i"}, spec={"ingressClassName": "alb"}, opts=opts(provider=p)
        )

    assert ("kubernetes:networking.k8s.io/v1:Ingress ing", "destroy order") in {
        (s, f) for s, f, m in findings(planted(program)) if "no LB controller" in m
    }


# ---- workloads await their node groups --------------------------------------------------------------


def workload_bed(*, wait: bool, selector: dict[str, str]):
    def program():
        cluster = eks.Cluster("eks", name="c", version="1.33", skip_default_node_group=True)
        group = node_group("server", cluster)
        p = kubernetes.Provider("k8s", kubeconfig=pulumi.Output.secret("{}"), opts=opts(cluster))
        labels = {"app": "server"}
        kubernetes.apps.v1.Deployment(
            "server",
            metadata={"name": "server"},
            spec={
                "selector": {"matchLabels": labels},
                "template": {
                    "metadata": {"labels": labels},
                    "spec": {"nodeSelector": selector, "containers": [{"name": "s", "image": "i"}]},
                },
            },
            opts=opts(*([group] if wait else []), provider=p),
        )

    return program


def test_a_workload_awaits_only_after_a_matching_node_group_exists():
    selector = {"role": "server", "kubernetes.io/os": "linux"}
    found = findings(planted(workload_bed(wait=False, selector=selector)))
    assert about(found, "kubernetes:apps/v1:Deployment server", "create order") == [
        "its await may start before a node group matching nodeSelector kubernetes.io/os=linux,role=server exists "
        "(server)"
    ]
    assert (
        about(
            findings(planted(workload_bed(wait=True, selector=selector))),
            "kubernetes:apps/v1:Deployment server",
            "create order",
        )
        == []
    )


def test_the_coredns_add_on_waits_for_its_nodes():
    def program(wait: bool):
        def declare():
            cluster = eks.Cluster("eks", name="c", version="1.33", skip_default_node_group=True)
            group = node_group("infra", cluster)
            aws.eks.Addon(
                "coredns",
                cluster_name="c",
                addon_name="coredns",
                configuration_values='{"nodeSelector": {"role": "infra"}}',
                opts=opts(cluster, *([group] if wait else [])),
            )

        return declare

    assert about(findings(planted(program(wait=False))), "aws:eks/addon:Addon coredns", "create order") == [
        "its await may start before a node group matching nodeSelector role=infra exists (infra)"
    ]
    assert about(findings(planted(program(wait=True))), "aws:eks/addon:Addon coredns", "create order") == []


def test_a_workload_no_node_group_matches_is_a_finding():
    found = findings(planted(workload_bed(wait=True, selector={"role": "client"})))
    assert about(found, "kubernetes:apps/v1:Deployment server", "nodeSelector") == ["no node group matches role=client"]


# ---- AKS -------------------------------------------------------------------------------------------


def aks_bed(*, safe: bool):
    def program():
        cluster = pulumi.CustomResource(
            "azure-native:containerservice:ManagedCluster",
            "aks",
            {"resourceName": "aks", "resourceGroupName": "rg", "kubernetesVersion": "1.35"},
        )
        address = pulumi.CustomResource(
            "azure-native:network:PublicIPAddress",
            "pip",
            {"publicIpAddressName": "p", "resourceGroupName": "rg-network"},
        )
        role = pulumi.CustomResource(
            "azure-native:authorization:RoleAssignment",
            "role",
            {"principalId": "p", "scope": "/x", "roleDefinitionId": "r"},
        )
        pool = {"resourceName": "aks", "resourceGroupName": "rg", "count": 1, "vmSize": "Standard_D2s_v5"}
        client = pulumi.CustomResource(
            "azure-native:containerservice:AgentPool",
            "client",
            {**pool, "agentPoolName": "client", "nodeLabels": {"role": "client"}},
            opts=opts(cluster),
        )
        pulumi.CustomResource(
            "azure-native:containerservice:AgentPool",
            "server",
            {**pool, "agentPoolName": "server", "nodeLabels": {"role": "server"}},
            opts=opts(cluster, *([client] if safe else [])),
        )
        p = kubernetes.Provider("k8s", kubeconfig=pulumi.Output.secret("{}"), opts=opts(cluster))
        kubernetes.core.v1.Service(
            "tcp",
            metadata={"name": "t"},
            spec={"type": "LoadBalancer", "ports": [{"port": 9999}]},
            opts=opts(*([address, role] if safe else []), provider=p),
        )

    return program


def test_the_aks_service_goes_before_the_role_and_the_ip_and_pools_come_one_at_a_time():
    found = findings(planted(aks_bed(safe=False)))
    [service] = about(found, "kubernetes:core/v1:Service tcp", "destroy order")
    assert "RoleAssignment role" in service and "PublicIPAddress pip" in service
    assert about(found, "azure-native:containerservice:AgentPool server", "create order") == [
        "agent pools client and server of one cluster may be created at the same time; AKS refuses concurrent "
        "agent-pool operations (make one depend on the other)"
    ]
    assert findings(planted(aks_bed(safe=True))) == []


# ---- versions ----------------------------------------------------------------------------------------


def test_a_cluster_in_extended_support_is_a_finding_from_the_day_after_standard_support_ends():
    program = workload_bed(wait=True, selector={})
    assert about(findings(planted(program, today=date(2026, 7, 29))), "eks:index:Cluster eks", "version") == []
    assert about(findings(planted(program, today=date(2026, 7, 30))), "eks:index:Cluster eks", "version") == [
        "Kubernetes 1.33 is in extended support on 2026-07-30: Amazon EKS standard support ended 2026-07-29"
    ]


def test_an_aks_version_past_community_support_is_a_finding():
    found = findings(planted(aks_bed(safe=True), today=date(2027, 4, 1)))
    assert about(found, "azure-native:containerservice:ManagedCluster aks", "version") == [
        "Kubernetes 1.35 is in LTS (supportPlan AKSLongTermSupport, Premium tier only) on 2027-04-01: "
        "AKS standard support ended 2027-03-31"
    ]


# ---- every stack -------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", known_stacks())
def test_every_stack_passes_the_lifecycle_gate(plan_stack, name):
    raw = read_stack_config(name)
    stack = Stack(Plan(raw.get("testbed:scenario", name), plan_stack(name)), raw, today=date(2026, 11, 27))
    assert [f.line() for f in lifecycle_gate([stack])] == []
