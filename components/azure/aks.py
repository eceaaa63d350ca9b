"""AKS: a control-plane identity, the cluster with its node pools, and a Kubernetes provider for it.

`ClusterIdentity` is a user-assigned managed identity for the AKS control plane. Creating it
ahead of the cluster lets its role assignments (Network Contributor on a resource group holding
the node subnet and the Service's public IP) exist *before* AKS first reconciles anything; a
system-assigned identity only exists once the cluster does, so the first subnet join and the
first LoadBalancer Service would race the role assignment (AKS managed-identity docs: "you can't
perform the role assignment until after cluster creation").

`AksCluster` creates:
- the managed cluster: explicit name, Kubernetes version, Kubernetes RBAC, OIDC issuer,
  Azure CNI in overlay mode (kubenet retires on 2028-03-31), a Standard load balancer with
  load-balancer outbound, the user-assigned control-plane identity; created after `wait_for`;
- exactly one System pool inline (`agentPoolProfiles`, which the Azure API requires), as you
  specify it (`system_pool`). Pulumi never changes it after creation (`ignore_changes`): an edit of
  the inline array can replace the whole cluster (pulumi-azure-native#1808, diffed by index) or
  put every pool into Scaling (#4264). Change it by replacing the cluster on purpose;
- every other pool (`user_pools`, none by default) as its own `AgentPool` resource,
  keyed by pool name, so adding, resizing or removing one touches nothing else; each after the one
  before it in `user_pools`, since AKS runs one agent-pool operation per cluster at a time;
- `placement(selector)`, where a workload runs (components/placement.py): the selector, the
  tolerations of the matching pools' taints, and those pools to wait for (the cluster itself for
  the inline System pool);
- the kubeconfig of the cluster's user credentials (`listManagedClusterUserCredentials`: a
  certificate-based kubeconfig when Entra ID integration is off, so no kubelogin), as a secret,
  and a Kubernetes provider built from it.
"""

from __future__ import annotations

import base64
import ipaddress
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any

import pulumi
import pulumi_kubernetes as kubernetes
from pulumi_azure_native import containerservice, managedidentity

from ..component import Component
from ..errors import field_problems, raise_if_any
from ..k8s_labels import label_problem, taint_problem, tolerations_for
from ..limits import azure as limits
from ..placement import NodePool, Placement, place
from ..specs import Spec
from .names import (
    cidr_problem,
    cluster_name_problem,
    default_dns_prefix,
    dns_prefix_problem,
    identity_name_problem,
    kubernetes_version_problem,
    location_problem,
    overlap_problem,
    pool_name_problem,
    vm_size_problem,
    zones_problem,
)
from .versions import AKS_VERSION

# Label prefixes AKS reserves for itself (AKS use-node-taints / create-node-pools docs).
RESERVED_LABEL_PREFIXES = ("kubernetes.azure.com/", "kubernetes.io/", "k8s.io/")


@dataclass(frozen=True, kw_only=True)
class AgentPoolSpec(Spec):
    """One AKS node pool (Linux, virtual machine scale set)."""

    vm_size: str
    """Azure VM size of every node, e.g. Standard_D2s_v5 (2 vCPUs, 8 GiB)."""
    count: Annotated[int, limits.POOL_NODE_COUNT] = 1
    """Number of nodes (no autoscaling: a test bed pins its node counts); AKS takes at most 1000 per pool,
    and a System pool needs >= 2."""
    zones: Sequence[str] | None = None
    """Availability zones, e.g. ["1"]; null: no zone pinning."""
    labels: Mapping[str, str] = field(default_factory=dict)
    """Kubernetes labels of every node, e.g. role: server."""
    taints: Sequence[str] = ()
    """Taints as key=value:Effect."""

    def __post_init__(self) -> None:
        raise_if_any("AgentPoolSpec", spec_problems(self))


def spec_problems(spec: AgentPoolSpec) -> list[tuple[str, str]]:
    """Every problem with one node pool spec on its own, whatever the pool's role, as (field, reason)."""
    problems: list[tuple[str, str]] = []
    if problem := vm_size_problem(spec.vm_size):
        problems.append(("vm_size", problem))
    counts = limits.POOL_NODE_COUNT
    if spec.count not in counts:
        problems.append(("count", f"{spec.count}: a pool takes {counts.low} to {counts.high} nodes"))
    if spec.zones is not None and (problem := zones_problem(list(spec.zones))):
        problems.append(("zones", problem))
    for key, value in spec.labels.items():
        if problem := label_problem(key, value):
            problems.append(("labels", problem))
        elif key.startswith(RESERVED_LABEL_PREFIXES):
            problems.append(("labels", f"{key!r}: AKS reserves the prefixes {', '.join(RESERVED_LABEL_PREFIXES)}"))
    for taint in spec.taints:
        if problem := taint_problem(taint):
            problems.append(("taints", problem))
    return problems


def system_pool_problems(vm_size: str | None, count: int | None) -> list[tuple[str, str]]:
    """What a System pool needs beyond a valid spec (AKS use-system-pools), as (field, reason): no B-series
    `vm_size`, `count` >= 2. It takes the two values (None: not checked), so that a stack config can say
    them beside a spec's own problems."""
    problems: list[tuple[str, str]] = []
    if vm_size is not None and vm_size.lower().startswith("standard_b"):
        problems.append(("vm_size", f"{vm_size!r}: AKS does not allow B-series (burstable) VMs in a System pool"))
    counts = limits.SYSTEM_POOL_NODE_COUNT
    if count is not None and count not in counts:
        problems.append(("count", f"{count}: a System pool needs {counts.low} to {counts.high} nodes"))
    return problems


def service_network_problems(pod_cidr: str, service_cidr: str, dns_service_ip: str) -> list[tuple[str, str]]:
    """Problems with the overlay pod CIDR, the Service CIDR and the cluster DNS address, as (field, reason)."""
    problems: list[tuple[str, str]] = []
    if problem := cidr_problem(pod_cidr, max_prefix=24):
        problems.append(("pod_cidr", problem))
    if problem := cidr_problem(service_cidr, max_prefix=24):
        problems.append(("service_cidr", problem))
    elif dns_service_ip:
        try:
            address = ipaddress.IPv4Address(dns_service_ip)
        except ValueError:
            problems.append(("dns_service_ip", f"{dns_service_ip!r} is not an IPv4 address"))
        else:
            network = ipaddress.IPv4Network(service_cidr)
            if address not in network or address in (network.network_address, network.network_address + 1):
                problems.append(
                    (
                        "dns_service_ip",
                        f"{dns_service_ip} must be inside the Service CIDR {service_cidr}, not its first two addresses",
                    )
                )
    if problem := overlap_problem({"pod_cidr": pod_cidr, "service_cidr": service_cidr}):
        problems.append(("service_cidr", problem))
    return problems


@dataclass(frozen=True, kw_only=True)
class ClusterIdentityArgs:
    identity_name: str
    """Azure name of the user-assigned identity, e.g. id-<cluster>."""
    resource_group_name: pulumi.Input[str]
    location: str
    tags: Mapping[str, str] = field(default_factory=dict)


class ClusterIdentity(pulumi.ComponentResource):
    """A user-assigned managed identity for an AKS control plane, to be granted roles before the cluster exists."""

    id: pulumi.Output[str]
    """Resource id: goes into the cluster's `identity.userAssignedIdentities`."""
    principal_id: pulumi.Output[str]
    """Object id: the principal of role assignments."""
    client_id: pulumi.Output[str]

    def __init__(self, name: str, args: ClusterIdentityArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("testbed:azure:ClusterIdentity", name, None, opts)
        problems = field_problems(
            ("identity_name", identity_name_problem(args.identity_name)),
            ("location", location_problem(args.location)),
        )
        raise_if_any("ClusterIdentity", problems)
        identity = managedidentity.UserAssignedIdentity(
            f"{name}-identity",
            resource_name_=args.identity_name,
            resource_group_name=args.resource_group_name,
            location=args.location,
            tags=dict(args.tags),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.id = identity.id
        self.principal_id = identity.principal_id
        self.client_id = identity.client_id
        self.register_outputs({"id": self.id, "principalId": self.principal_id, "clientId": self.client_id})


@dataclass(frozen=True, kw_only=True)
class AksClusterArgs:
    """What the AKS cluster looks like and where it lives."""

    cluster_name: str
    resource_group_name: pulumi.Input[str]
    location: str
    node_subnet_id: pulumi.Input[str]
    """Subnet of every node (bring-your-own: the control-plane identity needs subnets/join/action on it)."""
    control_plane_identity_id: pulumi.Input[str]
    """Resource id of a user-assigned identity (see ClusterIdentity)."""
    system_pool: AgentPoolSpec
    """The inline System pool (required; >= 2 nodes of >= 4 vCPUs, AKS's minimum). Never changed
    by Pulumi after creation (see module docstring)."""
    kubernetes_version: str = AKS_VERSION
    dns_prefix: str | None = None
    """API server DNS prefix; default: the cluster name ('_' -> '-', at most 54 characters)."""
    system_pool_name: str = "system"
    user_pools: Mapping[str, AgentPoolSpec] = field(default_factory=dict)
    """Pool name -> User pool, each an AgentPool resource. Default: none (the System pool runs everything)."""
    pod_cidr: str = "10.244.0.0/16"
    """Overlay pod addresses (not in the virtual network)."""
    service_cidr: str = "10.0.0.0/16"
    """Kubernetes Service addresses; 10.0.0.0/16 is AKS's own default."""
    dns_service_ip: str = "10.0.0.10"
    """The cluster DNS Service's address, inside `service_cidr` (AKS's default)."""
    wait_for: Sequence[pulumi.Resource] = ()
    """Created before the cluster: e.g. the control-plane identity's role assignments."""
    tags: Mapping[str, str] = field(default_factory=dict)


class AksCluster(Component):
    """An AKS cluster with one inline System pool, User pools as AgentPools, and a Kubernetes provider."""

    cluster_name: str
    resource_group_name: pulumi.Output[str]
    node_resource_group: pulumi.Output[str]
    """The MC_ group AKS manages: the `kubernetes` load balancer and its probes live there."""
    fqdn: pulumi.Output[str]
    oidc_issuer_url: pulumi.Output[str]
    kubeconfig: pulumi.Output[str]
    """Kubeconfig (YAML) of the user credentials; secret."""
    provider: kubernetes.Provider
    user_pools: dict[str, containerservice.AgentPool]
    managed_cluster: containerservice.ManagedCluster
    _pools: dict[str, NodePool]
    """Pool name (the System pool's too) -> what `placement` reads of it."""

    def __init__(self, name: str, args: AksClusterArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("testbed:azure:AksCluster", name, None, opts)
        _validate(args)
        self.managed_cluster = self._managed_cluster(name, args)
        self.user_pools = self._user_pools(name, args)
        # The inline System pool comes with the cluster; each User pool is its own resource.
        self._pools = {
            args.system_pool_name: _node_pool(args.system_pool, self.managed_cluster),
            **{pool: _node_pool(spec, self.user_pools[pool]) for pool, spec in args.user_pools.items()},
        }
        self.kubeconfig = self._kubeconfig(args)
        self.provider = kubernetes.Provider(
            f"{name}-k8s",
            kubeconfig=self.kubeconfig,
            enable_server_side_apply=True,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self._outputs(args)

    def placement(self, node_selector: Mapping[str, str]) -> Placement:
        """Where pods with `node_selector` run: that selector, the tolerations of the taints of every
        pool it matches (the System pool's included), and those pools to wait for (the cluster itself
        for the System pool). ArgsError when it matches none."""
        return place("AksCluster", node_selector, self._pools, "pool")

    def _managed_cluster(self, name: str, args: AksClusterArgs) -> containerservice.ManagedCluster:
        return containerservice.ManagedCluster(
            f"{name}-aks",
            resource_name_=args.cluster_name,
            resource_group_name=args.resource_group_name,
            location=args.location,
            dns_prefix=args.dns_prefix or default_dns_prefix(args.cluster_name),
            kubernetes_version=args.kubernetes_version,
            enable_rbac=True,
            identity=containerservice.ManagedClusterIdentityArgs(
                type="UserAssigned", user_assigned_identities=[args.control_plane_identity_id]
            ),
            oidc_issuer_profile=containerservice.ManagedClusterOIDCIssuerProfileArgs(enabled=True),
            network_profile=containerservice.ContainerServiceNetworkProfileArgs(
                network_plugin="azure",
                network_plugin_mode="overlay",
                load_balancer_sku="standard",
                outbound_type="loadBalancer",
                pod_cidr=args.pod_cidr,
                service_cidr=args.service_cidr,
                dns_service_ip=args.dns_service_ip,
            ),
            agent_pool_profiles=[
                containerservice.ManagedClusterAgentPoolProfileArgs(
                    name=args.system_pool_name, mode="System", **_pool_properties(args.system_pool, args.node_subnet_id)
                )
            ],
            sku=containerservice.ManagedClusterSKUArgs(name="Base", tier="Free"),
            tags=dict(args.tags),
            opts=pulumi.ResourceOptions(
                parent=self, depends_on=list(args.wait_for), ignore_changes=["agentPoolProfiles"]
            ),
        )

    def _user_pools(self, name: str, args: AksClusterArgs) -> dict[str, containerservice.AgentPool]:
        # One pool operation at a time on a cluster: AKS refuses a second while one runs
        # (OperationNotAllowed, Azure/AKS#4522; azurerm holds a per-cluster lock for this). Each pool
        # depends on the one before it, so Pulumi creates, updates and deletes them one after another.
        pools: dict[str, containerservice.AgentPool] = {}
        previous: list[pulumi.Resource] = []
        for pool, spec in args.user_pools.items():
            pools[pool] = containerservice.AgentPool(
                f"{name}-{pool}",
                agent_pool_name=pool,
                resource_name_=self.managed_cluster.name,
                resource_group_name=args.resource_group_name,
                mode="User",
                **_pool_properties(spec, args.node_subnet_id),
                opts=pulumi.ResourceOptions(parent=self, depends_on=previous),
            )
            previous = [pools[pool]]
        return pools

    def _kubeconfig(self, args: AksClusterArgs) -> pulumi.Output[str]:
        credentials = containerservice.list_managed_cluster_user_credentials_output(
            resource_group_name=args.resource_group_name,
            resource_name=self.managed_cluster.name,
            opts=pulumi.InvokeOutputOptions(parent=self),
        )
        return pulumi.Output.secret(credentials.kubeconfigs.apply(lambda k: _decode(k[0].value)))

    def _outputs(self, args: AksClusterArgs) -> None:
        cluster = self.managed_cluster
        self.resource_group_name = pulumi.Output.from_input(args.resource_group_name)
        self.publish(
            cluster_name=args.cluster_name,
            node_resource_group=cluster.node_resource_group.apply(lambda g: g or ""),
            fqdn=cluster.fqdn,
            oidc_issuer_url=cluster.oidc_issuer_profile.apply(lambda p: (p.issuer_url or "") if p else ""),
            kubeconfig=self.kubeconfig,
        )


def _pool_properties(spec: AgentPoolSpec, subnet_id: pulumi.Input[str]) -> dict[str, Any]:
    """What the inline System pool and a User pool's AgentPool alike say of their nodes."""
    return {
        "os_type": "Linux",
        "type": "VirtualMachineScaleSets",
        "vm_size": spec.vm_size,
        "count": spec.count,
        "availability_zones": list(spec.zones) if spec.zones else None,
        "vnet_subnet_id": subnet_id,
        "node_labels": dict(spec.labels),
        "node_taints": list(spec.taints),
    }


def _node_pool(spec: AgentPoolSpec, resource: pulumi.Resource) -> NodePool:
    return NodePool(spec.labels, tuple(tolerations_for(tuple(spec.taints))), resource)


def _decode(value: str) -> str:
    """The API returns the kubeconfig file base64-encoded (CredentialResultResponse.value)."""
    return base64.b64decode(value).decode()


def _validate(args: AksClusterArgs) -> None:
    problems = field_problems(
        ("cluster_name", cluster_name_problem(args.cluster_name)),
        ("dns_prefix", dns_prefix_problem(args.dns_prefix or default_dns_prefix(args.cluster_name))),
        ("location", location_problem(args.location)),
        ("kubernetes_version", kubernetes_version_problem(args.kubernetes_version)),
    )
    # Each AgentPoolSpec checked itself as it was made; here, what depends on its name and role.
    if problem := pool_name_problem(args.system_pool_name):
        problems.append(("system_pool_name", problem))
    system = system_pool_problems(args.system_pool.vm_size, args.system_pool.count)
    problems.extend((f"system_pool.{fld}", reason) for fld, reason in system)
    for pool in args.user_pools:
        if problem := pool_name_problem(pool):
            problems.append((f"user_pools[{pool!r}]", problem))
    if args.system_pool_name in args.user_pools:
        problems.append((f"user_pools[{args.system_pool_name!r}]", "has the System pool's name"))
    problems.extend(service_network_problems(args.pod_cidr, args.service_cidr, args.dns_service_ip))
    raise_if_any("AksCluster", problems)
