"""aks-tcp's stack config: the seed's names and ports, the typed config and its cross-field rules, and the
Service annotations the config asks for. The build is in stacks/aks_tcp.py."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    AfterValidator,
    Field,
    TypeAdapter,
    ValidationError,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    field_validator,
    model_validator,
)

from components.azure import AgentPoolSpec
from components.azure import annotations as azure_lb
from components.azure.aks import service_network_problems, system_pool_problems
from components.azure.names import (
    cluster_name_problem,
    kubernetes_version_problem,
    location_problem,
    network_name_problem,
    overlap_problem,
    pool_name_problem,
    resource_group_name_problem,
    tag_problems,
    zones_problem,
)
from components.azure.network import subnet_problems
from components.azure.versions import AKS_SUPPORT_CALENDAR, AKS_VERSION
from components.k8s_labels import matches
from components.limits import azure as limits
from k8s.versions import PYTHON_IMAGE
from stacks.config import (
    Loc,
    SpecDefaults,
    StackModel,
    checked_by,
    cluster_name_or_stack,
    failed_keys,
    raise_problems,
    with_problems,
    within,
)
from stacks.support import version_check

# The seed's names and ports (seed 004's manifests).
NAMESPACE = "kimmap"
BACKEND = "kimmap-backend"
SERVICE = "kimmap-backend-tcp"
SERVICE_PORT = 9999
SERVICE_PORT_NAME = "tcp-client"
BACKEND_PORT = 8888
BACKEND_NODE_SELECTOR = {"role": "server"}
SYSTEM_POOL_NAME = "system"
NODE_SUBNET = "snet-nodes"
# AKS names the Standard load balancer of public Services `kubernetes` in the node resource group.
AKS_LOAD_BALANCER = "kubernetes"


class ResourceGroupsConfig(StackModel):
    """Resource groups (seed: the load balancer's group differs from the cluster's by company policy)."""

    cluster: str = ""
    """Group of the cluster and its identity. Default: rg-<clusterName>."""
    network: str = "rg-network"
    """Group of the virtual network and the public IP (seed: rg-network)."""


class NetworkConfig(StackModel):
    """The virtual network in the network group. Azure CNI overlay: pods take addresses outside it."""

    vnet_name: str = ""
    """Virtual network name. Default: vnet-<clusterName>."""
    address_space: str = "10.224.0.0/16"
    """Virtual network CIDR (AKS's own default range)."""
    node_subnet: str = "10.224.0.0/24"
    """CIDR of the node subnet `snet-nodes`, inside addressSpace: one address per node."""
    pod_cidr: str = "10.244.0.0/16"
    """Overlay pod CIDR; must not overlap the virtual network or serviceCidr."""
    service_cidr: str = "10.0.0.0/16"
    """ClusterIP range; must not overlap the virtual network or podCidr."""
    dns_service_ip: str = "10.0.0.10"
    """CoreDNS's ClusterIP, inside serviceCidr."""


NodePoolConfig = Annotated[AgentPoolSpec, SpecDefaults(vm_size="Standard_D2s_v5")]
"""An AKS node pool in a stack file: the component's own spec, with 2 vCPUs and 8 GiB (the seed gave no size) as
the default a component leaves to its user."""
_NODE_POOL = TypeAdapter(NodePoolConfig)


def _pool_name(name: str) -> str:
    problem = pool_name_problem(name) or ("is the System pool's name" if name == SYSTEM_POOL_NAME else None)
    raise_problems([((), problem)] if problem else [])
    return name


PoolName = Annotated[str, AfterValidator(_pool_name)]
"""A User pool's name, its key in `nodePools`, checked as a key: a bad name and a bad spec are both said."""


def _system_minimums(vm_size: Any, count: Any) -> list[tuple[Loc, str]]:
    """The System pool's minimums (components/azure/aks.py) on values of the right type; others: None."""
    vm_size = vm_size if isinstance(vm_size, str) else None
    count = count if isinstance(count, int) and not isinstance(count, bool) else None
    return [((_camel(fld),), reason) for fld, reason in system_pool_problems(vm_size, count)]


def node_pool(keys: Mapping[str, Any]) -> AgentPoolSpec:
    """A node pool from stack-config keys (camelCase), as a stack file would give it."""
    return _NODE_POOL.validate_python(dict(keys))


SEED_SYSTEM_POOL: Mapping[str, Any] = {
    # 4 vCPUs and 2 nodes: the system pool minimums of AKS use-system-pools.md; no B-series.
    "vmSize": "Standard_D4s_v5",
    "count": 2,
    "labels": {"role": "infra"},
    # Keeps the bed's own pods off the system nodes (AKS: "CriticalAddonsOnly=true:NoSchedule").
    "taints": ["CriticalAddonsOnly=true:NoSchedule"],
}
SEED_USER_POOLS: Mapping[str, Mapping[str, Any]] = {
    "server": {"vmSize": "Standard_D2s_v5", "labels": {"role": "server"}},
    "client": {"vmSize": "Standard_D2s_v5", "labels": {"role": "client"}},
}
"""Seed 004's roles as in the EKS seeds: infra (system), server and client nodes, labelled role=<name>.
The bed's choice, not a component default: `AksClusterArgs` has no default pools."""


class ClusterConfig(StackModel):
    """The AKS cluster."""

    kubernetes_version: Annotated[str, version_check(AKS_SUPPORT_CALENDAR, kubernetes_version_problem)] = AKS_VERSION
    """AKS Kubernetes version, quoted, e.g. "1.36", one of the AKS support calendar's (components/azure/versions.py;
    `az aks get-versions -l <location>` lists what a region offers). A plan warns when out of community support."""
    system_pool: NodePoolConfig = Field(default_factory=lambda: node_pool(SEED_SYSTEM_POOL))
    """The System pool `system` (role=infra): >= 2 nodes, no B-series. Fixed once the cluster exists."""
    node_pools: dict[PoolName, NodePoolConfig] = Field(
        default_factory=lambda: {name: node_pool(pool) for name, pool in SEED_USER_POOLS.items()}
    )
    """User pools by name (seed: server and client, labelled role=<name>)."""

    # Each pool's spec checks itself as it is made (AgentPoolSpec.__post_init__); here, what the System role
    # adds, said beside the spec's own problems (a bad taint does not hide a count of 1). PoolName: the names.
    @field_validator("system_pool", mode="wrap")
    @classmethod
    def _system_pool(cls, value: Any, handler: ValidatorFunctionWrapHandler) -> AgentPoolSpec:
        try:
            pool = handler(value)
        except ValidationError as err:
            if not isinstance(value, Mapping):
                raise
            failed = failed_keys(err)
            vm_size = None if "vmSize" in failed else value.get("vmSize")
            count = None if "count" in failed else value.get("count", AgentPoolSpec.count)
            raise with_problems(err, _system_minimums(vm_size, count)) from None
        raise_problems(_system_minimums(pool.vm_size, pool.count))
        return pool

    @model_validator(mode="after")
    def _pools(self) -> ClusterConfig:
        problems: list[tuple[Loc, str]] = []
        pools = {SYSTEM_POOL_NAME: self.system_pool, **self.node_pools}
        if not any(matches(BACKEND_NODE_SELECTOR, p.labels) for p in pools.values()):
            problems.append(
                (
                    ("nodePools",),
                    f"no pool has the label role=server, so {BACKEND} could not run (pools: {sorted(pools)})",
                )
            )
        raise_problems(problems)
        return self


class PublicIpConfig(StackModel):
    """The fixed public IP of the Service."""

    name: str = "kimmap-tcp-pip"
    """Azure name; the Service's azure-pip-name annotation (seed: kimmap-tcp-pip)."""
    zones: list[str] = ["1", "2", "3"]
    """Zones of the IP: zone-redundant by default; [] where the region has no zones. Fixed at creation."""
    retain: bool = True
    """Protect the IP (tear down with `pulumi destroy --exclude-protected`); once unprotected, the IP
    and rg-network are retained in Azure when the stack deletes them. Does not apply with `existing`."""
    existing: bool = False
    """true: the IP `name` and its group `resourceGroups.network` already exist (another team owns them,
    the seed's premise). The stack looks them up by name and never creates, changes or deletes them
    (nothing to protect; `zones` and `retain` do not apply); it still grants the cluster identity
    Network Contributor on the group and creates the virtual network there."""


class HealthProbeConfig(StackModel):
    """The Azure Load Balancer's health probe for port 9999 (seed: TCP, every 59 s)."""

    protocol: Literal["TCP", "HTTP", "HTTPS"] | None = "TCP"
    """port_9999_health-probe_protocol (seed: "TCP"). Ignored under Local unless `port` is set."""
    port: int | str | None = None
    """port_9999_health-probe_port: a Service port (number or name) whose NodePort to probe, or a raw port.
    Under Local, set it (e.g. 9999) to keep the probe on the server instead of kube-proxy's /healthz."""
    request_path: str | None = None
    """port_9999_health-probe_request-path, HTTP(S) probes only."""
    interval_seconds: int | None = 59
    """azure-load-balancer-health-probe-interval: seconds between probes, >= 5 (seed: 59)."""
    num_of_probe: int | None = 2
    """azure-load-balancer-health-probe-num-of-probe: consecutive results that flip a node (Azure probeThreshold),
    >= 2; interval x numOfProbe < 120."""


class ServiceConfig(StackModel):
    """Service kimmap-backend-tcp (LoadBalancer 9999 -> 8888)."""

    external_traffic_policy: Literal["Cluster", "Local"] = "Cluster"
    """Cluster (seed part 1) or Local (part 2: client source IP kept, no second hop)."""
    health_probe: HealthProbeConfig = HealthProbeConfig()
    """The load balancer's health probe."""
    tcp_idle_timeout_minutes: int | None = within(limits.TCP_IDLE_TIMEOUT_MINUTES, 4)
    """azure-load-balancer-tcp-idle-timeout: minutes before an idle flow is dropped (Azure default 4)."""
    tcp_reset: bool = True
    """Send TCP RST to both ends at the idle timeout (Standard LB default); false emits disable-tcp-reset."""
    allowed_ip_ranges: list[str] = []
    """azure-allowed-ip-ranges: client CIDRs the network security group admits; empty: anywhere."""


class BackendConfig(StackModel):
    """The TCP server kimmap-backend."""

    replicas: int = Field(1, ge=0, le=20)
    """Server pods (seed: one)."""
    image: str = PYTHON_IMAGE
    """Stock python image the program runs in (mounted from a ConfigMap; no image build)."""


class Config(StackModel):
    """aks-tcp: seed 004's raw TCP server behind the Azure Load Balancer on a fixed public IP."""

    location: Annotated[str, checked_by(location_problem)] = Field(alias="azure-native:location")
    """Azure location of everything (seed: not given; koreacentral: Seoul, with availability zones).
    The azure-native provider reads the same key."""
    cluster_name: str | None = None
    """AKS cluster name. Default: the stack name."""
    resource_groups: ResourceGroupsConfig = ResourceGroupsConfig()
    """The cluster's and the network's resource groups (seed: rg-network)."""
    network: NetworkConfig = NetworkConfig()
    """Virtual network, node subnet, overlay pod and Service CIDRs."""
    cluster: ClusterConfig = Field(default_factory=ClusterConfig)
    """AKS version and node pools."""
    public_ip: PublicIpConfig = PublicIpConfig()
    """The Service's fixed public IP (seed: kimmap-tcp-pip in rg-network)."""
    service: ServiceConfig = ServiceConfig()
    """externalTrafficPolicy and the load balancer annotations."""
    backend: BackendConfig = BackendConfig()
    """The TCP server Deployment."""
    tags: dict[str, str] = {}
    """Tags added to every Azure resource the bed creates."""

    @field_validator("tags")
    @classmethod
    def _tags(cls, value: dict[str, str]) -> dict[str, str]:
        raise_problems([((key,) if key else (), problem) for key, problem in tag_problems(value)])
        return value

    @field_validator("cluster_name")
    @classmethod
    def _cluster_name(cls, value: str | None, info: ValidationInfo) -> str:
        return cluster_name_or_stack(value, (info.context or {}).get("stack", ""), cluster_name_problem)

    @field_validator("resource_groups")
    @classmethod
    def _groups(cls, value: ResourceGroupsConfig, info: ValidationInfo) -> ResourceGroupsConfig:
        value = _named_after_cluster(value, info, "cluster", "rg")
        problems: list[tuple[Loc, str]] = []
        for key, name in (("cluster", value.cluster), ("network", value.network)):
            if name and (problem := resource_group_name_problem(name)):
                problems.append(((key,), problem))
        if value.cluster.lower() == value.network.lower():
            problems.append((("network",), f"{value.network!r} is also the cluster's group; the seed keeps them apart"))
        raise_problems(problems)
        return value

    @field_validator("network")
    @classmethod
    def _network(cls, value: NetworkConfig, info: ValidationInfo) -> NetworkConfig:
        value = _named_after_cluster(value, info, "vnet_name", "vnet")
        problems: list[tuple[Loc, str]] = []
        if value.vnet_name and (problem := network_name_problem(value.vnet_name)):
            problems.append((("vnetName",), problem))
        for fld, reason in subnet_problems(value.address_space, {NODE_SUBNET: value.node_subnet}):
            problems.append((("addressSpace",) if fld == "address_space" else ("nodeSubnet",), reason))
        for fld, reason in service_network_problems(value.pod_cidr, value.service_cidr, value.dns_service_ip):
            problems.append(((_camel(fld),), reason))
        for fld in ("pod_cidr", "service_cidr"):
            cidr = getattr(value, fld)
            if problem := overlap_problem({"addressSpace": value.address_space, _camel(fld): cidr}):
                problems.append(((_camel(fld),), problem))
        raise_problems(problems)
        return value

    @field_validator("public_ip")
    @classmethod
    def _public_ip(cls, value: PublicIpConfig) -> PublicIpConfig:
        problems: list[tuple[Loc, str]] = []
        if problem := network_name_problem(value.name):
            problems.append((("name",), problem))
        if problem := zones_problem(value.zones):
            problems.append((("zones",), problem))
        raise_problems(problems)
        return value

    @field_validator("service")
    @classmethod
    def _service(cls, value: ServiceConfig) -> ServiceConfig:
        # The resource group and the IP's name are checked with their own keys; here, the Service's knobs.
        problems = [
            (_SERVICE_KEYS[fld], reason)
            for fld, reason in azure_lb.problems(_lb_settings(value, resource_group=None, pip_name=None))
        ]
        raise_problems(problems)
        return value


_Named = TypeVar("_Named", bound=StackModel)


def _named_after_cluster(value: _Named, info: ValidationInfo, name_field: str, prefix: str) -> _Named:
    """`value` with `name_field` defaulted to `<prefix>-<clusterName>` where the stack file leaves it empty
    (the cluster name, itself defaulted to the stack name, is validated first)."""
    if getattr(value, name_field) or not info.data.get("cluster_name"):
        return value
    return value.model_copy(update={name_field: f"{prefix}-{info.data['cluster_name']}"})


# Where a problem the annotation builder finds sits under testbed:service.
_SERVICE_KEYS: dict[str, Loc] = {
    "health_probe_interval_seconds": ("healthProbe", "intervalSeconds"),
    "health_probe_num_of_probe": ("healthProbe", "numOfProbe"),
    f"port_health_probes[{SERVICE_PORT}]": ("healthProbe",),
    f"port_health_probes[{SERVICE_PORT}].protocol": ("healthProbe", "protocol"),
    f"port_health_probes[{SERVICE_PORT}].port": ("healthProbe", "port"),
    f"port_health_probes[{SERVICE_PORT}].request_path": ("healthProbe", "requestPath"),
    "tcp_idle_timeout_minutes": ("tcpIdleTimeoutMinutes",),
    "allowed_ip_ranges": ("allowedIpRanges",),
    "external_traffic_policy": ("externalTrafficPolicy",),
}


def _camel(snake: str) -> str:
    head, *rest = snake.split("_")
    return head + "".join(part.title() for part in rest)


def lb_settings(cfg: Config) -> azure_lb.AzureLoadBalancerSettings:
    """The seed's Service annotations, from the config."""
    return _lb_settings(cfg.service, resource_group=cfg.resource_groups.network, pip_name=cfg.public_ip.name)


def _lb_settings(
    service: ServiceConfig, *, resource_group: str | None, pip_name: str | None
) -> azure_lb.AzureLoadBalancerSettings:
    probe = service.health_probe
    return azure_lb.AzureLoadBalancerSettings(
        service_ports={SERVICE_PORT: SERVICE_PORT_NAME},
        external_traffic_policy=service.external_traffic_policy,
        resource_group=resource_group,
        pip_name=pip_name,
        health_probe_interval_seconds=probe.interval_seconds,
        health_probe_num_of_probe=probe.num_of_probe,
        port_health_probes={
            SERVICE_PORT: azure_lb.PortHealthProbe(
                protocol=probe.protocol, port=probe.port, request_path=probe.request_path
            )
        },
        tcp_idle_timeout_minutes=service.tcp_idle_timeout_minutes,
        tcp_reset=service.tcp_reset,
        allowed_ip_ranges=tuple(service.allowed_ip_ranges),
    )
