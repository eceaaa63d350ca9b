"""Azure components used directly, as a platform team would: graphs, validation before any child, two at once."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from components import azure
from components.azure.aks import spec_problems, system_pool_problems
from components.azure.names import (
    cluster_name_problem,
    default_dns_prefix,
    dns_prefix_problem,
    identity_name_problem,
    pool_name_problem,
)
from components.azure.public_ip import role_definition_id
from components.errors import ArgsError
from components.k8s_labels import parse_taint, taint_problem, tolerations_for
from testbed.engine import run_program
from tests.graph import ancestors, of_type, one
from tests.rejections import rejections

CONFIG = {"azure-native:location": "westeurope"}
SUB = "/subscriptions/0b1f6471-1bf0-4dda-aec3-111122223333"


def test_role_definition_id_is_in_the_scopes_subscription():
    assert role_definition_id(f"{SUB}/resourceGroups/rg-network", "abc") == (
        f"{SUB}/providers/Microsoft.Authorization/roleDefinitions/abc"
    )
    assert role_definition_id(SUB, "abc") == f"{SUB}/providers/Microsoft.Authorization/roleDefinitions/abc"
    with pytest.raises(ValueError, match="is not a scope under /subscriptions/<id>"):
        role_definition_id("/providers/Microsoft.Management/managementGroups/mg", "abc")


def groups(name: str = "rg", **overrides) -> azure.ResourceGroups:
    args = {"location": "westeurope", "names": {"cluster": f"{name}-aks", "network": f"{name}-net"}, **overrides}
    return azure.ResourceGroups(name, azure.ResourceGroupsArgs(**args))


def public_ip(resource_name: str, rg: azure.ResourceGroups, name: str, **overrides) -> azure.StaticPublicIp:
    """A public IP in `rg`'s network group, in westeurope."""
    args = {
        "name": name,
        "resource_group_name": rg.names["network"],
        "resource_group_id": rg.ids["network"],
        "location": "westeurope",
        **overrides,
    }
    return azure.StaticPublicIp(resource_name, azure.StaticPublicIpArgs(**args))


def test_public_ip_without_a_principal_grants_nothing_and_may_be_let_go():
    def program():
        rg = groups()
        public_ip("ip", rg, "pip-demo", zones=(), retain=False)

    recording = run_program("t", CONFIG, program=program)
    assert of_type(recording, "azure-native:authorization:RoleAssignment") == []
    pip = one(recording, "azure-native:network:PublicIPAddress")
    assert "zones" not in pip.inputs, "no zones: a region without availability zones"
    assert pip.options == {}


def test_existing_groups_are_looked_up_and_must_be_named_roles_never_retained():
    def program():
        rg = groups(existing=("network",))
        public_ip("ip", rg, "pip-theirs", existing=True, network_contributor_principal_id="principal")
        with pytest.raises(ArgsError) as err:
            groups("bad", existing=("network", "dns"), retain_on_delete=("network",))
        assert str(err.value).splitlines() == [
            "ResourceGroups: retain_on_delete: 'network' is an existing group, which the stack never deletes",
            "ResourceGroups: existing: 'dns' is not one of the roles ['cluster', 'network']",
        ]

    recording = run_program("t", {**CONFIG, "azure-native:location": "westeurope"}, program=program)
    assert [g.inputs["resourceGroupName"] for g in of_type(recording, "azure-native:resources:ResourceGroup")] == [
        "rg-aks"
    ]
    assert of_type(recording, "azure-native:network:PublicIPAddress") == []
    role = one(recording, "azure-native:authorization:RoleAssignment")
    assert role.inputs["scope"].endswith("/resourceGroups/rg-net")


def test_every_component_validates_everything_before_creating_anything():
    # A valid resource group and location for all three: only their own arguments are wrong.
    where = {"resource_group_name": "rg", "location": "westeurope"}
    errors, recording = rejections(
        CONFIG,
        lambda: groups(location="West Europe", names={"a": "x y", "b": "X Y"}, retain_on_delete=("c",)),
        lambda: azure.Network(
            "net",
            azure.NetworkArgs(
                **where,
                vnet_name="vnet",
                address_space="10.1.0.0/16",
                subnets={"a": "10.2.0.0/24", "b": "10.1.0.0/24", "c": "10.1.0.0/25"},
            ),
        ),
        lambda: azure.StaticPublicIp(
            "ip",
            azure.StaticPublicIpArgs(
                **where,
                name="ip",
                resource_group_id=f"{SUB}/resourceGroups/rg",
                zones=("1", "1"),
                tags={"k8s-azure-service": "default/x"},
            ),
        ),
        lambda: azure.AksCluster(
            "aks",
            azure.AksClusterArgs(
                **where,
                cluster_name="demo",
                node_subnet_id="subnet",
                control_plane_identity_id="identity",
                kubernetes_version="1.3",
                system_pool=azure.AgentPoolSpec(vm_size="Standard_B2s", count=1),
                user_pools={
                    "system": azure.AgentPoolSpec(vm_size="Standard_D2s_v5"),
                    "Apps": azure.AgentPoolSpec(vm_size="Standard_D2s_v5"),
                },
                service_cidr="10.244.0.0/16",
            ),
        ),
    )
    rg, net, ip, aks = errors
    assert [f for f, _ in rg.problems] == ["location", "names['a']", "names['b']", "names", "retain_on_delete"]
    assert [f for f, _ in net.problems] == ["subnets['a']", "subnets"]
    assert str(net).splitlines() == [
        "Network: subnets['a']: 10.2.0.0/24 is not inside the address space 10.1.0.0/16",
        "Network: subnets: subnet b 10.1.0.0/24 overlaps subnet c 10.1.0.0/25",
    ]
    assert [f for f, _ in ip.problems] == ["zones", "tags"]
    assert str(ip).splitlines()[1] == (
        "StaticPublicIp: tags: 'k8s-azure-service':"
        " the cloud provider deletes an IP tagged k8s-azure-* with its Service"
    )
    assert [f for f, _ in aks.problems] == [
        "kubernetes_version",
        "system_pool.vm_size",
        "system_pool.count",
        "user_pools['Apps']",
        "user_pools['system']",
        "dns_service_ip",
        "service_cidr",
    ]
    assert sorted(r.type for r in recording.resources) == sorted(
        [
            "testbed:azure:ResourceGroups",
            "testbed:azure:Network",
            "testbed:azure:StaticPublicIp",
            "testbed:azure:AksCluster",
        ]
    ), "no child before validation passes"


def bed(prefix: str) -> azure.AksCluster:
    """A second, independent AKS bed next to the first (what a platform team composes)."""
    rg = groups(prefix)
    net = azure.Network(
        f"{prefix}-net",
        azure.NetworkArgs(resource_group_name=rg.names["network"], location="westeurope", vnet_name=f"vnet-{prefix}"),
    )
    identity = azure.ClusterIdentity(
        f"{prefix}-id",
        azure.ClusterIdentityArgs(
            identity_name=f"id-{prefix}", resource_group_name=rg.names["cluster"], location="westeurope"
        ),
    )
    pip = public_ip(f"{prefix}-ip", rg, f"pip-{prefix}", network_contributor_principal_id=identity.principal_id)
    return azure.AksCluster(
        f"{prefix}-aks",
        azure.AksClusterArgs(
            cluster_name=prefix,
            resource_group_name=rg.names["cluster"],
            location="westeurope",
            node_subnet_id=net.subnet_ids["snet-nodes"],
            control_plane_identity_id=identity.id,
            system_pool=azure.AgentPoolSpec(vm_size="Standard_D4s_v5", count=2),
            user_pools={
                "apps": azure.AgentPoolSpec(
                    vm_size="Standard_D2s_v5", count=0, labels={"role": "apps"}, taints=("role=apps:NoSchedule",)
                )
            },
            wait_for=[pip.role_assignment],
        ),
    )


def test_two_beds_coexist_and_every_child_is_parented_and_prefixed():
    def program():
        bed("blue")
        bed("green")

    recording = run_program("t", CONFIG, program=program)
    for resource in recording.resources:
        if resource.type.startswith("testbed:"):
            continue
        top = ancestors(recording, resource)[-1]
        assert resource.name.startswith(f"{top}-"), resource.name
    clusters = {c.inputs["resourceName"] for c in of_type(recording, "azure-native:containerservice:ManagedCluster")}
    assert clusters == {"blue", "green"}
    pools = of_type(recording, "azure-native:containerservice:AgentPool")
    assert sorted(p.name for p in pools) == ["blue-aks-apps", "green-aks-apps"]
    assert all(p.inputs["count"] == 0 and p.inputs["nodeTaints"] == ["role=apps:NoSchedule"] for p in pools)
    assert len(of_type(recording, "pulumi:providers:kubernetes")) == 2


def test_a_pool_spec_checks_itself_and_the_cluster_adds_its_name_and_role():
    assert spec_problems(azure.AgentPoolSpec(vm_size="Standard_D2s_v5", count=0)) == []
    with pytest.raises(ArgsError) as err:
        azure.AgentPoolSpec(
            vm_size="D4s_v5", count=1001, zones=("4",), labels={"kubernetes.io/role": "x"}, taints=("dedicated",)
        )
    assert err.value.problems == [
        ("vm_size", "'D4s_v5' is not an Azure VM size like 'Standard_D4s_v5'"),
        ("count", "1001: a pool takes 0 to 1000 nodes"),
        ("zones", "['4'] must be distinct zones among ['1', '2', '3'] (or empty: no zone)"),
        ("labels", "'kubernetes.io/role': AKS reserves the prefixes kubernetes.azure.com/, kubernetes.io/, k8s.io/"),
        ("taints", "taint 'dedicated' is not 'key=value:Effect'"),
    ]
    assert str(err.value).splitlines()[0] == (
        "AgentPoolSpec: vm_size: 'D4s_v5' is not an Azure VM size like 'Standard_D4s_v5'"
    )
    # A System pool's minimums hold for the pool in that role only: a one-node B-series pool is a valid spec.
    azure.AgentPoolSpec(vm_size="Standard_B2s", count=1)
    assert system_pool_problems("Standard_D4s_v5", 2) == []
    assert system_pool_problems("Standard_B2s", 1) == [
        ("vm_size", "'Standard_B2s': AKS does not allow B-series (burstable) VMs in a System pool"),
        ("count", "1: a System pool needs 2 to 1000 nodes"),
    ]
    assert pool_name_problem("server") is None
    assert pool_name_problem("averylongname") == (
        "'averylongname' is not an AKS node pool name: 1-12 lowercase letters and digits, starting with a letter"
    )


def test_taints_and_tolerations():
    assert parse_taint("CriticalAddonsOnly=true:NoSchedule") == ("CriticalAddonsOnly", "true", "NoSchedule")
    assert parse_taint("dedicated:NoExecute") == ("dedicated", "", "NoExecute")
    assert taint_problem("a=b:NoSchedule") is None
    assert (
        taint_problem("a=b:Never")
        == "taint 'a=b:Never': effect 'Never' is not one of NoSchedule, PreferNoSchedule, NoExecute"
    )
    assert tolerations_for(("role=server:NoSchedule",)) == [
        {"key": "role", "operator": "Equal", "value": "server", "effect": "NoSchedule"}
    ]


@given(key=st.from_regex(r"[a-z][a-z0-9]{0,10}", fullmatch=True), value=st.from_regex(r"[a-z0-9]{0,8}", fullmatch=True))
def test_every_well_formed_taint_parses_back(key, value):
    for effect in ("NoSchedule", "PreferNoSchedule", "NoExecute"):
        text = f"{key}={value}:{effect}"
        assert taint_problem(text) is None
        assert parse_taint(text) == (key, value, effect)


@given(name=st.from_regex(r"[A-Za-z0-9]([-_A-Za-z0-9]{0,61}[A-Za-z0-9])?", fullmatch=True))
def test_every_valid_cluster_name_gives_a_valid_dns_prefix(name):
    assert cluster_name_problem(name) is None
    prefix = default_dns_prefix(name)
    assert dns_prefix_problem(prefix) is None, prefix
    assert name.replace("_", "-").startswith(prefix)


def test_identity_names():
    assert identity_name_problem("id-aks-tcp") is None
    assert identity_name_problem("id") == (
        "'id' is not a managed identity name: 3-128 letters, digits, '-' and '_', starting with a letter or digit"
    )
