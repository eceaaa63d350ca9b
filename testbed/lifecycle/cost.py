"""The hourly cost of a running bed: one line per billed thing, from the pinned price table.

Priced: the control plane (EKS standard or extended support by version and `today`; AKS tier),
nodes (EC2 instance types, Azure VM sizes) with their disks, NAT gateways, public IPv4 addresses,
load balancers Pulumi creates, and the ones the cluster creates for Kubernetes objects (an
Ingress of class alb, a LoadBalancer Service, a Helm release declaring one). What depends on
traffic is listed in `excluded`, not guessed. A thing the table has no price for is a warning,
never a silent zero.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from testbed.engine import Resource
from testbed.lifecycle import kinds, prices, support
from testbed.lifecycle.prices import HOURS_PER_MONTH, AwsRegion, AzureRegion, Price
from testbed.plan import plain

DEFAULT_NODE_DISK_GIB = 20
"""EKS managed node groups without a launch template get a 20 GiB root volume (CreateNodegroup diskSize)."""
DEFAULT_NODE_DISK_TYPE = "gp2"
"""Assumed when no launch template says; gp2 is the dearer of the two, so the estimate errs high."""


@dataclass(frozen=True)
class CostItem:
    urn: str
    what: str
    per_hour: float
    source: str


@dataclass
class Cost:
    region: str | None
    priced_at: date
    items: list[CostItem] = field(default_factory=list)
    excluded: list[str] = field(default_factory=lambda: list(prices.EXCLUDED))
    warnings: list[str] = field(default_factory=list)
    currency: str = "USD"

    @property
    def per_hour(self) -> float:
        return round(sum(i.per_hour for i in self.items), 4)

    def add(self, resource: Resource, what: str, price: Price, quantity: float = 1.0) -> None:
        self.items.append(
            CostItem(resource.urn, what, round(price.usd * quantity, 5), f"{price.source} ({price.checked})")
        )


def _stack_ids(resources: list[Resource]) -> dict[str, Resource]:
    return {r.id: r for r in resources if r.id}


def _aws(cost: Cost, table: AwsRegion, resources: list[Resource], today: date) -> None:
    by_id = _stack_ids(resources)
    public_subnets = [
        r
        for r in resources
        if r.type == "aws:ec2/subnet:Subnet" and "kubernetes.io/role/elb" in (r.inputs.get("tags") or {})
    ]
    mutator = any(
        kinds.release_values(r).get("enableServiceMutatorWebhook", True) for r in resources if kinds.is_lbc_release(r)
    )
    alb_groups: set[str] = set()
    for r in resources:
        inputs = plain(r.inputs)
        if r.type == "eks:index:Cluster":
            _eks_control_plane(cost, table, r, inputs, today)
        elif r.type == "aws:eks/nodeGroup:NodeGroup":
            _node_group(cost, table, r, inputs, by_id)
        elif r.type == "aws:ec2/instance:Instance":
            _instance(cost, table, r, inputs)
        elif r.type == "aws:ec2/natGateway:NatGateway":
            cost.add(r, "NAT gateway", table.nat_gateway)
        elif r.type == "aws:ec2/eip:Eip":
            cost.add(r, "public IPv4 address (Elastic IP)", table.public_ipv4)
        elif r.type == "aws:lb/loadBalancer:LoadBalancer":
            kind = inputs.get("loadBalancerType", "application")
            cost.add(r, f"{kind} load balancer", table.nlb if kind == "network" else table.alb)
            if not inputs.get("internal"):
                zones = len(inputs.get("subnets") or inputs.get("subnetMappings") or [])
                cost.add(
                    r, f"{zones} public IPv4 addresses of the internet-facing load balancer", table.public_ipv4, zones
                )
        elif kinds.is_alb_ingress(document := kinds.manifest(r)):
            group = kinds.annotations(document).get(kinds.GROUP_INGRESS) or r.urn
            if group in alb_groups:
                continue
            alb_groups.add(group)
            cost.add(r, "ALB the LB controller makes for this Ingress", table.alb)
            _public_addresses(cost, table, r, kinds.annotations(document).get(kinds.SCHEME_INGRESS), public_subnets)
        else:
            services = [document] if kinds.is_load_balancer_service(document) else []
            if kinds.makes_load_balancer(r) and not services:
                services = [kinds.as_service(s) for s in kinds.release_services(r)]
            for service in services:
                if not kinds.lbc_handles_service(service, mutator_webhook=mutator):
                    cost.warnings.append(
                        f"{r.name}: a LoadBalancer Service the LB controller does not handle is not priced"
                    )
                    continue
                cost.add(r, "NLB the LB controller makes for this Service", table.nlb)
                _public_addresses(cost, table, r, kinds.annotations(service).get(kinds.SCHEME_SERVICE), public_subnets)


def _public_addresses(
    cost: Cost, table: AwsRegion, r: Resource, scheme: str | None, public_subnets: list[Resource]
) -> None:
    if scheme == "internet-facing":
        zones = len(public_subnets) or 1
        cost.add(r, f"{zones} public IPv4 addresses of the internet-facing load balancer", table.public_ipv4, zones)


def _eks_control_plane(cost: Cost, table: AwsRegion, r: Resource, inputs: dict[str, Any], today: date) -> None:
    version = inputs.get("version")
    phase, window = support.phase(support.eks_calendar(), version, today)
    if phase is support.SupportPhase.EXTENDED and window is not None:
        cost.add(r, f"EKS control plane {version}, extended support since {window.standard_end}", table.eks_extended)
        extra = table.eks_extended.usd - table.eks_standard.usd
        cost.warnings.append(
            f"EKS {version} is in extended support on {today} (standard support ended {window.standard_end}): "
            f"${table.eks_extended.usd:.2f}/h instead of ${table.eks_standard.usd:.2f}/h (+${extra:.2f}/h)"
        )
        return
    if phase is not support.SupportPhase.STANDARD:
        said = phase.value if phase else "not in the support calendar"
        cost.warnings.append(f"EKS {version} is {said} on {today}; priced as standard support")
    cost.add(r, f"EKS control plane {version}, standard support", table.eks_standard)


def _instance(cost: Cost, table: AwsRegion, r: Resource, inputs: dict[str, Any]) -> None:
    """A plain EC2 instance (the bastion): its type, root volume and public address."""
    instance_type = str(inputs.get("instanceType"))
    price = table.ec2.get(instance_type)
    if price is None:
        cost.warnings.append(f"{r.name}: no price for {instance_type} in the table; not counted")
    else:
        cost.add(r, f"1 x {instance_type}", price)
    root = inputs.get("rootBlockDevice") or {}
    size, volume_type = int(root.get("volumeSize", DEFAULT_NODE_DISK_GIB)), str(root.get("volumeType", "gp2"))
    if disk := table.ebs_gb_month.get(volume_type):
        cost.add(r, f"{size} GiB EBS {volume_type} root volume", disk, size / HOURS_PER_MONTH)
    else:
        cost.warnings.append(f"{r.name}: no price for EBS {volume_type}; not counted")
    if inputs.get("associatePublicIpAddress"):
        cost.add(r, "its public IPv4 address", table.public_ipv4)


def _node_group(cost: Cost, table: AwsRegion, r: Resource, inputs: dict[str, Any], by_id: dict[str, Resource]) -> None:
    count = int((inputs.get("scalingConfig") or {}).get("desiredSize", 0))
    instance_type = (inputs.get("instanceTypes") or ["t3.medium"])[0]
    price = table.ec2.get(instance_type)
    if price is None:
        cost.warnings.append(f"{r.name}: no price for {instance_type} in the table; not counted")
    else:
        cost.add(r, f"{count} x {instance_type}", price, count)
    size, volume_type = DEFAULT_NODE_DISK_GIB, DEFAULT_NODE_DISK_TYPE
    template = by_id.get(str((inputs.get("launchTemplate") or {}).get("id")))
    if template is not None:
        ebs = ((template.inputs.get("blockDeviceMappings") or [{}])[0] or {}).get("ebs") or {}
        size, volume_type = int(ebs.get("volumeSize", size)), str(ebs.get("volumeType", volume_type))
    elif inputs.get("diskSize"):
        size = int(inputs["diskSize"])
    disk = table.ebs_gb_month.get(volume_type)
    if disk is None:
        cost.warnings.append(f"{r.name}: no price for EBS {volume_type}; not counted")
        return
    cost.add(r, f"{count} x {size} GiB EBS {volume_type} root volumes", disk, count * size / HOURS_PER_MONTH)


def _azure(cost: Cost, table: AzureRegion, resources: list[Resource], today: date) -> None:
    for r in resources:
        inputs = plain(r.inputs)
        if r.type == "azure-native:containerservice:ManagedCluster":
            tier = str((inputs.get("sku") or {}).get("tier", "Free"))
            cost.add(r, f"AKS {tier} tier", table.aks_tier.get(tier, table.aks_tier["Standard"]))
            _aks_version(cost, table, inputs.get("kubernetesVersion"), tier, today)
            for pool in inputs.get("agentPoolProfiles") or []:
                _pool(cost, table, r, pool)
            network = inputs.get("networkProfile") or {}
            if network.get("outboundType", "loadBalancer") == "loadBalancer":
                cost.add(r, "Standard LB AKS makes for outbound and Services", table.load_balancer)
                cost.add(r, "its managed outbound public IP", table.public_ip)
        elif r.type == "azure-native:containerservice:AgentPool":
            _pool(cost, table, r, inputs)
        elif r.type == "azure-native:network:PublicIPAddress":
            cost.add(r, "Standard static public IP", table.public_ip)


def _aks_version(cost: Cost, table: AzureRegion, version: object, tier: str, today: date) -> None:
    phase, window = support.phase(support.aks_calendar(), version, today)
    if phase is support.SupportPhase.EXTENDED and window is not None and tier != "Premium":
        premium = table.aks_tier["Premium"].usd
        cost.warnings.append(
            f"AKS {version} left community support on {window.standard_end}: on {today} it needs the Premium tier "
            f"with LTS (${premium:.2f}/h) or an upgrade"
        )
    elif phase not in (support.SupportPhase.STANDARD, support.SupportPhase.EXTENDED):
        said = phase.value if phase else "not in the support calendar"
        cost.warnings.append(f"AKS {version} is {said} on {today}")


def _pool(cost: Cost, table: AzureRegion, r: Resource, pool: dict[str, Any]) -> None:
    count = int(pool.get("count") or 0)
    size = str(pool.get("vmSize"))
    name = pool.get("name") or pool.get("agentPoolName") or r.name
    price = table.vm.get(size)
    if price is None:
        cost.warnings.append(f"{r.name}: no price for {size} in the table; not counted")
    else:
        cost.add(r, f"pool {name}: {count} x {size}", price, count)
    if pool.get("osDiskType") != "Ephemeral":
        cost.add(
            r,
            f"pool {name}: {count} x 128 GiB managed OS disk (P10)",
            table.managed_os_disk_month,
            count / HOURS_PER_MONTH,
        )


def cost_of(resources: list[Resource], region: str | None, today: date) -> Cost:
    """The hourly cost of the running bed in `region` on `today`."""
    cost = Cost(region, prices.PRICED_AT)
    if region in prices.AWS:
        _aws(cost, prices.AWS[region], resources, today)
    elif region in prices.AZURE:
        _azure(cost, prices.AZURE[region], resources, today)
    else:
        known = ", ".join(sorted([*prices.AWS, *prices.AZURE]))
        cost.warnings.append(f"no price table for region {region!r} (tables: {known}); cost not estimated")
    return cost
