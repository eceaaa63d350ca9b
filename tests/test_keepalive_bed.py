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


def test_the_knobs_a_component_takes_by_name_are_its_own_arguments():
    alb = scenario_module("alb-keepalive")
    nlb = scenario_module("nlb-keepalive")
    assert alb.AlbConfig(idleTimeoutSeconds=70).own_knobs() == {
        "idle_timeout_seconds": 70,
        "client_keep_alive_seconds": 3600,
    }
    assert nlb.NlbConfig(crossZone=True).own_knobs() == {"tcp_idle_timeout_seconds": 350, "cross_zone": True}
    for module, args in ((alb, alb.ApplicationLoadBalancerArgs), (nlb, nlb.NetworkLoadBalancerArgs)):
        knobs = module.Config.model_fields[module.Config.LOAD_BALANCER].default
        assert set(knobs.component_knobs) <= set(args.__dataclass_fields__)
    assert nlb.NlbConfig().health_check().healthy_threshold == 3
    assert alb.AlbConfig().health_check().path == "/index"
