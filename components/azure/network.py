"""Network: a virtual network and its subnets, for AKS nodes (Azure CNI overlay: pods do not use them).

Subnets are standalone `Subnet` resources and the virtual network declares none inline: mixing
the two makes each side delete what the other created (pulumi-azure-native#611). Keyed by name,
so adding a subnet never touches the others.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
from pulumi_azure_native import network

from ..errors import field_problems, raise_if_any
from .names import cidr_problem, location_problem, network_name_problem, overlap_problem


@dataclass(frozen=True, kw_only=True)
class NetworkArgs:
    """Shape of the virtual network."""

    resource_group_name: pulumi.Input[str]
    location: str
    vnet_name: str
    """Azure name of the virtual network."""
    address_space: str = "10.224.0.0/16"
    """The virtual network's CIDR (AKS's own default range)."""
    subnets: Mapping[str, str] = field(default_factory=lambda: {"snet-nodes": "10.224.0.0/24"})
    """Subnet name -> CIDR inside `address_space`."""
    tags: Mapping[str, str] = field(default_factory=dict)


class Network(pulumi.ComponentResource):
    """A virtual network with standalone subnets."""

    vnet_id: pulumi.Output[str]
    subnet_ids: dict[str, pulumi.Output[str]]
    """Subnet name -> subnet id."""

    def __init__(self, name: str, args: NetworkArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("testbed:azure:Network", name, None, opts)
        _validate(args)
        child = pulumi.ResourceOptions(parent=self)
        vnet = network.VirtualNetwork(
            f"{name}-vnet",
            virtual_network_name=args.vnet_name,
            resource_group_name=args.resource_group_name,
            location=args.location,
            address_space=network.AddressSpaceArgs(address_prefixes=[args.address_space]),
            tags=dict(args.tags),
            opts=child,
        )
        subnets = {
            subnet_name: network.Subnet(
                f"{name}-{subnet_name}",
                subnet_name=subnet_name,
                resource_group_name=args.resource_group_name,
                virtual_network_name=vnet.name,
                # The singular field: some Azure services read only `addressPrefix` and fail on a
                # subnet created with `addressPrefixes` (Azure/azure-cli#27422, azure-aci#621).
                address_prefix=cidr,
                opts=child,
            )
            for subnet_name, cidr in args.subnets.items()
        }
        self.vnet_id = vnet.id
        self.subnet_ids = {subnet_name: subnet.id for subnet_name, subnet in subnets.items()}
        self.register_outputs({"vnetId": self.vnet_id, "subnetIds": self.subnet_ids})


def subnet_problems(address_space: str, subnets: Mapping[str, str]) -> list[tuple[str, str]]:
    """Every problem with a virtual network's CIDR and its subnets, as (field, reason)."""
    problems: list[tuple[str, str]] = []
    if problem := cidr_problem(address_space, max_prefix=29):
        problems.append(("address_space", problem))
    if not subnets:
        problems.append(("subnets", "at least one subnet is needed"))
    for subnet_name, cidr in subnets.items():
        if problem := network_name_problem(subnet_name):
            problems.append((f"subnets[{subnet_name!r}]", problem))
        if problem := cidr_problem(cidr, max_prefix=29):
            problems.append((f"subnets[{subnet_name!r}]", problem))
        elif not cidr_problem(address_space, max_prefix=29) and not ipaddress.IPv4Network(cidr).subnet_of(
            ipaddress.IPv4Network(address_space)
        ):
            problems.append((f"subnets[{subnet_name!r}]", f"{cidr} is not inside the address space {address_space}"))
    if problem := overlap_problem({f"subnet {n}": c for n, c in subnets.items()}):
        problems.append(("subnets", problem))
    return problems


def _validate(args: NetworkArgs) -> None:
    problems = field_problems(
        ("location", location_problem(args.location)),
        ("vnet_name", network_name_problem(args.vnet_name)),
    )
    problems.extend(subnet_problems(args.address_space, args.subnets))
    raise_if_any("Network", problems)
