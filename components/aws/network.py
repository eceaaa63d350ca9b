"""Network: the VPC every EKS test bed stands in.

Creates, under one component:
- a VPC (DNS support and hostnames on, as EKS requires) and an internet gateway;
- per availability zone, a public and a private subnet (layout in `subnets.py`), keyed by
  the zone's name so that adding a zone never renames the others;
- one NAT gateway in the first zone (the default, as eksctl's `nat.gateway: Single`) or one
  per zone, with an Elastic IP each;
- a public route table (default route to the internet gateway) and one private route table
  per zone (default route to that zone's NAT, or to the single NAT);
- the subnet tags the AWS Load Balancer Controller discovers subnets by:
  `kubernetes.io/role/elb=1` on public subnets, `kubernetes.io/role/internal-elb=1` on private
  ones and `kubernetes.io/cluster/<cluster>=shared` on both (docs/deploy/subnet_discovery.md).

Outputs: `vpc_id`, and `public_subnet_ids` / `private_subnet_ids` as mappings from zone
name to subnet id, which node groups use to pin themselves to zones; `egress`, the resources
the private subnets reach the internet (and so AWS APIs) through: what nodes must wait for on
`up` and what must outlive, on `destroy`, everything that calls AWS from those nodes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import pulumi
import pulumi_aws as aws

from ..component import Component
from ..errors import raise_if_any
from ..limits import aws as limits
from .subnets import SubnetPair, plan_subnets, vpc_cidr_problem, zones_problem
from .tags import tag_problems

NatGateways = Literal["single", "one-per-az"]

ELB_ROLE_TAG = "kubernetes.io/role/elb"
INTERNAL_ELB_ROLE_TAG = "kubernetes.io/role/internal-elb"


def cluster_tag(cluster_name: str) -> str:
    """The tag key the LB controller uses to tie subnets to a cluster."""
    return f"kubernetes.io/cluster/{cluster_name}"


@dataclass(frozen=True, kw_only=True)
class NetworkArgs:
    """Shape of the test-bed VPC."""

    availability_zones: Sequence[str]
    """Zones to spread subnets over, e.g. ("ap-northeast-2a", "ap-northeast-2c"). EKS needs >= 2."""
    cluster_name: str
    """EKS cluster whose LB controller may use these subnets (the discovery tag)."""
    cidr_block: str = "10.0.0.0/16"
    """VPC CIDR, /16 to /20."""
    nat_gateways: NatGateways = "single"
    """`single`: one NAT in the first zone (cheap); `one-per-az`: a NAT in every zone (zone-resilient)."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags added to every resource of the network."""


class Network(Component):
    """A VPC with public and private subnets per zone, NAT and LB-controller discovery tags."""

    vpc_id: pulumi.Output[str]
    """The VPC's id."""
    public_subnet_ids: dict[str, pulumi.Output[str]]
    """Zone name -> public subnet id (internet-facing load balancers, NAT)."""
    private_subnet_ids: dict[str, pulumi.Output[str]]
    """Zone name -> private subnet id (nodes, pods, internal load balancers)."""
    egress: list[pulumi.Resource]
    """NAT gateways, the private subnets' default routes and route-table associations, and the public
    ones the NAT gateways send through. Depend on them from whatever runs in the private subnets: Pulumi
    then creates it after egress works and deletes it before egress goes (with no VPC endpoints, a
    pod's only way to AWS APIs, e.g. the LB controller's, is this path)."""

    def __init__(self, name: str, args: NetworkArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("testbed:aws:Network", name, None, opts)
        layout = _validate(args)
        vpc, igw = self._vpc(name, args)
        public, private = self._subnets(name, args, vpc, layout)
        egress = self._public_routes(name, args, vpc, igw, public)
        nats = self._nat_gateways(name, args, igw, public)
        egress += nats.values()
        egress += self._private_routes(name, args, vpc, private, nats)
        self.egress = egress
        self.publish(
            vpc_id=vpc.id,
            public_subnet_ids={zone: subnet.id for zone, subnet in public.items()},
            private_subnet_ids={zone: subnet.id for zone, subnet in private.items()},
        )

    def _vpc(self, name: str, args: NetworkArgs) -> tuple[aws.ec2.Vpc, aws.ec2.InternetGateway]:
        """The VPC and its internet gateway."""
        child = pulumi.ResourceOptions(parent=self)
        vpc = aws.ec2.Vpc(
            f"{name}-vpc",
            cidr_block=args.cidr_block,
            enable_dns_support=True,
            enable_dns_hostnames=True,
            tags=_tagged(args, f"{name}-vpc"),
            opts=child,
        )
        igw = aws.ec2.InternetGateway(f"{name}-igw", vpc_id=vpc.id, tags=_tagged(args, f"{name}-igw"), opts=child)
        return vpc, igw

    def _subnets(
        self, name: str, args: NetworkArgs, vpc: aws.ec2.Vpc, layout: dict[str, SubnetPair]
    ) -> tuple[dict[str, aws.ec2.Subnet], dict[str, aws.ec2.Subnet]]:
        """Zone -> public subnet and zone -> private subnet, tagged for LB-controller discovery."""
        child = pulumi.ResourceOptions(parent=self)
        discovery = {cluster_tag(args.cluster_name): "shared"}
        public: dict[str, aws.ec2.Subnet] = {}
        private: dict[str, aws.ec2.Subnet] = {}
        for zone in args.availability_zones:
            public[zone] = aws.ec2.Subnet(
                f"{name}-public-{zone}",
                vpc_id=vpc.id,
                availability_zone=zone,
                cidr_block=str(layout[zone].public_cidr),
                map_public_ip_on_launch=False,
                tags=_tagged(args, f"{name}-public-{zone}", **discovery, **{ELB_ROLE_TAG: "1"}),
                opts=child,
            )
            private[zone] = aws.ec2.Subnet(
                f"{name}-private-{zone}",
                vpc_id=vpc.id,
                availability_zone=zone,
                cidr_block=str(layout[zone].private_cidr),
                tags=_tagged(args, f"{name}-private-{zone}", **discovery, **{INTERNAL_ELB_ROLE_TAG: "1"}),
                opts=child,
            )
        return public, private

    def _public_routes(
        self,
        name: str,
        args: NetworkArgs,
        vpc: aws.ec2.Vpc,
        igw: aws.ec2.InternetGateway,
        public: dict[str, aws.ec2.Subnet],
    ) -> list[pulumi.Resource]:
        """One public route table, its default route to the internet gateway and its association with
        every public subnet: the egress the NAT gateways send through."""
        child = pulumi.ResourceOptions(parent=self)
        public_rt = aws.ec2.RouteTable(
            f"{name}-public-rt", vpc_id=vpc.id, tags=_tagged(args, f"{name}-public"), opts=child
        )
        egress: list[pulumi.Resource] = [
            aws.ec2.Route(
                f"{name}-public-default",
                route_table_id=public_rt.id,
                destination_cidr_block="0.0.0.0/0",
                gateway_id=igw.id,
                opts=child,
            )
        ]
        for zone, subnet in public.items():
            egress.append(
                aws.ec2.RouteTableAssociation(
                    f"{name}-public-{zone}", route_table_id=public_rt.id, subnet_id=subnet.id, opts=child
                )
            )
        return egress

    def _nat_gateways(
        self, name: str, args: NetworkArgs, igw: aws.ec2.InternetGateway, public: dict[str, aws.ec2.Subnet]
    ) -> dict[str, aws.ec2.NatGateway]:
        """Zone -> NAT gateway (with its Elastic IP): the first zone only, or every zone with `one-per-az`."""
        zones = list(args.availability_zones)
        nat_zones = zones if args.nat_gateways == "one-per-az" else zones[:1]
        nats: dict[str, aws.ec2.NatGateway] = {}
        for zone in nat_zones:
            eip = aws.ec2.Eip(
                f"{name}-nat-{zone}",
                domain="vpc",
                tags=_tagged(args, f"{name}-nat-{zone}"),
                opts=pulumi.ResourceOptions(parent=self),
            )
            nats[zone] = aws.ec2.NatGateway(
                f"{name}-nat-{zone}",
                allocation_id=eip.id,
                subnet_id=public[zone].id,
                connectivity_type="public",
                tags=_tagged(args, f"{name}-nat-{zone}"),
                # A NAT gateway needs the VPC's internet gateway to reach the internet.
                opts=pulumi.ResourceOptions(parent=self, depends_on=[igw]),
            )
        return nats

    def _private_routes(
        self,
        name: str,
        args: NetworkArgs,
        vpc: aws.ec2.Vpc,
        private: dict[str, aws.ec2.Subnet],
        nats: dict[str, aws.ec2.NatGateway],
    ) -> list[pulumi.Resource]:
        """Per zone, a private route table with a default route to that zone's NAT (or the single
        one) and its association with the zone's private subnet."""
        child = pulumi.ResourceOptions(parent=self)
        first_nat = next(iter(nats.values()))
        egress: list[pulumi.Resource] = []
        for zone, subnet in private.items():
            private_rt = aws.ec2.RouteTable(
                f"{name}-private-{zone}", vpc_id=vpc.id, tags=_tagged(args, f"{name}-private-{zone}"), opts=child
            )
            private_default = aws.ec2.Route(
                f"{name}-private-{zone}-default",
                route_table_id=private_rt.id,
                destination_cidr_block="0.0.0.0/0",
                nat_gateway_id=nats.get(zone, first_nat).id,
                opts=child,
            )
            association = aws.ec2.RouteTableAssociation(
                f"{name}-private-{zone}", route_table_id=private_rt.id, subnet_id=subnet.id, opts=child
            )
            egress += [private_default, association]
        return egress


def _tagged(args: NetworkArgs, name_tag: str, **extra: str) -> dict[str, str]:
    """`args.tags` with the resource's Name tag and `extra` on top."""
    return {**args.tags, "Name": name_tag, **extra}


def _validate(args: NetworkArgs) -> dict[str, SubnetPair]:
    """All problems with `args` at once; the subnet layout when there are none."""
    problems: list[tuple[str, str]] = []
    zones = list(args.availability_zones)
    if len(zones) < 2:
        problems.append(("availability_zones", f"EKS needs subnets in at least 2 zones, got {zones}"))
    if problem := zones_problem(zones):
        problems.append(("availability_zones", problem))
    if problem := vpc_cidr_problem(args.cidr_block):
        problems.append(("cidr_block", problem))
    if args.nat_gateways not in ("single", "one-per-az"):
        problems.append(("nat_gateways", f"{args.nat_gateways!r} is not one of 'single', 'one-per-az'"))
    if not args.cluster_name:
        problems.append(("cluster_name", "must not be empty"))
    room = limits.TAGS_PER_RESOURCE - limits.TAGS_ADDED_BY_COMPONENTS
    problems += [(f"tags[{key}]" if key else "tags", reason) for key, reason in tag_problems(args.tags, room=room)]
    raise_if_any("Network", problems)
    return plan_subnets(args.cidr_block, zones)
