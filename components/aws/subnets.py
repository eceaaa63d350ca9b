"""Subnet layout of a test-bed VPC: pure arithmetic, no Pulumi.

Each availability zone gets a private and a public subnet whose CIDRs depend only on
the zone's letter, never on its position in the list: adding or removing a zone never
moves (and so never replaces) the subnets of the others.

For a VPC of prefix /p (16 <= p <= 20):
- private subnets are /p+3 blocks 0..5 (zone a..f): 8192 addresses each in a /16, room for
  pod IPs from the VPC CNI, including the contiguous /28s prefix delegation needs;
- public subnets are /p+6 blocks inside the seventh /p+3 block (load balancers and NAT only).
The eighth /p+3 block is left free.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from ..limits import aws as limits

MIN_VPC_PREFIX = 16
MAX_VPC_PREFIX = 20
MAX_ZONE_LETTER = "f"  # zones a..f: the most any AWS region has

_ZONE = limits.ZONE


@dataclass(frozen=True)
class SubnetPair:
    """The two subnets of one availability zone."""

    availability_zone: str
    private_cidr: ipaddress.IPv4Network
    public_cidr: ipaddress.IPv4Network


def zone_region(zone: str) -> str | None:
    """The region of an availability-zone name ('ap-northeast-2a' -> 'ap-northeast-2'), or None."""
    match = _ZONE.match(zone)
    return match["region"] if match else None


def vpc_cidr_problem(cidr: str) -> str | None:
    """Why `cidr` cannot be a test-bed VPC, or None when it can."""
    try:
        vpc = ipaddress.IPv4Network(cidr)
    except ValueError:
        return f"{cidr!r} is not an IPv4 network like '10.0.0.0/16'"
    if not MIN_VPC_PREFIX <= vpc.prefixlen <= MAX_VPC_PREFIX:
        return f"{cidr} must be a /{MIN_VPC_PREFIX} to /{MAX_VPC_PREFIX}"
    if not vpc.is_private:
        return f"{cidr} is not a private (RFC 1918) range"
    return None


def public_access_cidr_problem(cidr: str) -> str | None:
    """Why `cidr` cannot be in EKS publicAccessCidrs (a public IPv4 CIDR), or None."""
    try:
        network = ipaddress.IPv4Network(cidr)
    except ValueError:
        return f"{cidr!r}: an IPv4 CIDR like 203.0.113.7/32 (host bits zero)"
    if any(network.subnet_of(ipaddress.IPv4Network(private)) for private in limits.PRIVATE_IPV4_RANGES):
        return f"{cidr!r}: a public range; EKS refuses private ones ({', '.join(limits.PRIVATE_IPV4_RANGES)}) here"
    return None


def zones_problem(zones: list[str], region: str | None = None) -> str | None:
    """Why `zones` cannot hold the subnets (in `region`, when given), or None when they can."""
    for zone in zones:
        match = _ZONE.match(zone)
        if match is None:
            return f"{zone!r} is not an availability zone name like 'ap-northeast-2a'"
        if match["letter"] > MAX_ZONE_LETTER:
            return f"{zone!r}: zone letters a..{MAX_ZONE_LETTER} are supported"
        if region is not None and match["region"] != region:
            return f"{zone!r} is not in region {region}"
    if len(set(zones)) != len(zones):
        return f"zones repeat: {zones}"
    if len({zone_region(zone) for zone in zones}) > 1:
        return f"zones span several regions: {zones}"
    return None


def plan_subnets(vpc_cidr: str, zones: list[str]) -> dict[str, SubnetPair]:
    """CIDRs of the private and public subnet of every zone, keyed by zone name."""
    problem = vpc_cidr_problem(vpc_cidr) or zones_problem(zones)
    if problem:
        raise ValueError(problem)
    vpc = ipaddress.IPv4Network(vpc_cidr)
    private_blocks = list(vpc.subnets(new_prefix=vpc.prefixlen + 3))
    public_blocks = list(private_blocks[6].subnets(new_prefix=vpc.prefixlen + 6))
    plan = {}
    for zone in zones:
        slot = ord(zone[-1]) - ord("a")
        plan[zone] = SubnetPair(zone, private_blocks[slot], public_blocks[slot])
    return plan
