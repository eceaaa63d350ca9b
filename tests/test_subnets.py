"""Subnet layout: pure arithmetic, with properties checked over every valid input."""

from __future__ import annotations

import ipaddress
import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from components.aws.subnets import plan_subnets, vpc_cidr_problem, zone_region, zones_problem


def test_seed_layout():
    layout = plan_subnets("10.0.0.0/16", ["ap-northeast-2a", "ap-northeast-2c"])
    assert str(layout["ap-northeast-2a"].private_cidr) == "10.0.0.0/19"
    assert str(layout["ap-northeast-2c"].private_cidr) == "10.0.64.0/19"
    assert str(layout["ap-northeast-2a"].public_cidr) == "10.0.192.0/22"
    assert str(layout["ap-northeast-2c"].public_cidr) == "10.0.200.0/22"


def test_adding_a_zone_moves_no_other_subnet():
    two = plan_subnets("10.0.0.0/16", ["ap-northeast-2a", "ap-northeast-2c"])
    three = plan_subnets("10.0.0.0/16", ["ap-northeast-2b", "ap-northeast-2a", "ap-northeast-2c"])
    for zone in two:
        assert two[zone] == three[zone]


@pytest.mark.parametrize(
    ("cidr", "problem"),
    [
        ("10.0.0.0/8", "10.0.0.0/8 must be a /16 to /20"),
        ("10.0.0.0/24", "10.0.0.0/24 must be a /16 to /20"),
        ("8.8.0.0/16", "8.8.0.0/16 is not a private (RFC 1918) range"),
        ("10.0.0.1/16", "'10.0.0.1/16' is not an IPv4 network like '10.0.0.0/16'"),
        ("vpc", "'vpc' is not an IPv4 network like '10.0.0.0/16'"),
    ],
)
def test_bad_vpc_cidrs(cidr, problem):
    assert vpc_cidr_problem(cidr) == problem
    with pytest.raises(ValueError, match=r"must be|is not"):
        plan_subnets(cidr, ["ap-northeast-2a", "ap-northeast-2c"])


@pytest.mark.parametrize(
    ("zones", "region", "problem"),
    [
        (["ap-northeast-2a", "ap-northeast-2a"], None, "zones repeat: ['ap-northeast-2a', 'ap-northeast-2a']"),
        (["ap-northeast-2a", "us-east-1b"], None, "zones span several regions: ['ap-northeast-2a', 'us-east-1b']"),
        (["us-east-1a"], "ap-northeast-2", "'us-east-1a' is not in region ap-northeast-2"),
        (["ap-northeast-2"], None, "'ap-northeast-2' is not an availability zone name like 'ap-northeast-2a'"),
        (["ap-northeast-2g"], None, "'ap-northeast-2g': zone letters a..f are supported"),
    ],
)
def test_bad_zones(zones, region, problem):
    assert zones_problem(zones, region) == problem


def test_zone_region():
    assert zone_region("ap-northeast-2c") == "ap-northeast-2"
    assert zone_region("us-gov-west-1a") == "us-gov-west-1"
    assert zone_region("nope") is None


@given(
    prefix=st.integers(min_value=16, max_value=20),
    base=st.sampled_from(["10.0.0.0", "172.16.0.0", "192.168.0.0"]),
    letters=st.sets(st.sampled_from("abcdef"), min_size=1, max_size=6),
)
def test_every_layout_fits_the_vpc_and_never_overlaps(prefix, base, letters):
    if base == "192.168.0.0" and prefix < 16:
        return
    vpc = ipaddress.IPv4Network(f"{base}/{prefix}")
    zones = [f"eu-west-1{letter}" for letter in sorted(letters)]
    layout = plan_subnets(str(vpc), zones)
    cidrs = [c for pair in layout.values() for c in (pair.private_cidr, pair.public_cidr)]
    assert all(c.subnet_of(vpc) for c in cidrs)
    assert not any(a.overlaps(b) for a, b in itertools.combinations(cidrs, 2))
    for pair in layout.values():
        assert pair.private_cidr.num_addresses == 8 * pair.public_cidr.num_addresses
        assert pair.public_cidr.num_addresses >= 64  # ALBs need 8 free addresses per subnet
