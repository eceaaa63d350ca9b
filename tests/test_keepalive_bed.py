"""stacks/keepalive_bed.py: alb-keepalive and nlb-keepalive are one build with the load balancer
as its parameter; the zones a load balancer takes by default come from its own config."""

from __future__ import annotations

from stacks import scenario_module
from stacks.keepalive import LoadBalancerConfig

ZONES = ["ap-northeast-2a", "ap-northeast-2c"]
LB_TYPES = {"testbed:aws:ApplicationLoadBalancer", "testbed:aws:NetworkLoadBalancer"}


def test_default_zones_all_for_an_alb_the_first_for_an_nlb():
    alb = scenario_module("alb-keepalive").AlbConfig
    nlb = scenario_module("nlb-keepalive").NlbConfig
    assert alb().zones(ZONES) == ZONES
    assert nlb().zones(ZONES) == ZONES[:1]
    assert nlb(availabilityZones=ZONES).zones(ZONES[:1]) == ZONES


def test_every_load_balancer_config_is_a_loadbalancerconfig():
    for stack, key in (("alb-keepalive", "alb"), ("nlb-keepalive", "nlb")):
        config = scenario_module(stack).Config
        assert key == config.LOAD_BALANCER
        assert isinstance(config.model_fields[key].default, LoadBalancerConfig)


def outside_the_load_balancer(recording) -> set[tuple[str, str]]:
    """(type, name) of every resource that is not the load balancer component or under it."""
    lb_urns = {r.urn for r in recording.resources if r.type in LB_TYPES}
    return {(r.type, r.name) for r in recording.resources if r.urn not in lb_urns and r.parent not in lb_urns}


def test_both_beds_are_the_same_but_for_the_load_balancer(plan_stack):
    alb, nlb = plan_stack("alb-keepalive"), plan_stack("nlb-keepalive")
    assert outside_the_load_balancer(alb) == outside_the_load_balancer(nlb)
    shared = {"loadBalancerDnsName", "loadBalancerArn", "targetGroupArn", "experiments", "commands"}
    assert shared <= alb.outputs.keys() & nlb.outputs.keys()
    assert set(alb.outputs["commands"]) - {"albAttributes"} == set(nlb.outputs["commands"]) - {"listenerAttributes"}
