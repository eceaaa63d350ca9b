"""SCENARIOS.md `nlb-keepalive` and issue 4, item by item, on the recorded graph of
stacks/Pulumi.nlb-keepalive.yaml. Expected values are seed 000's (and the NLB defaults it
refers to), written here.
"""

from __future__ import annotations

import functools

import pytest

from stacks import scenario_module
from stacks.config import load_config
from testbed.engine import Secret, run_program
from tests import keepalive_checks as checks
from tests.graph import by_id, one
from tests.plans import load_stack, refusal, stack_config

STACK = "nlb-keepalive"
LB = "aws:lb/loadBalancer:LoadBalancer"
TG = "aws:lb/targetGroup:TargetGroup"
LISTENER = "aws:lb/listener:Listener"
SG = "aws:ec2/securityGroup:SecurityGroup"
Config = scenario_module(STACK).Config


def nlb(plan):
    return one(plan, LB, "nlb-lb")


def test_same_namespaces_server_and_client_as_alb_keepalive(plan):
    checks.check_namespaces(plan)
    checks.check_server(plan, keep_alive=20)
    checks.check_pods_are_restricted(plan)
    dns_name = plan.outputs["loadBalancerDnsName"]
    assert dns_name.endswith(".elb.ap-northeast-2.amazonaws.com")
    checks.check_client(plan, nlb(plan), dns_name)


def test_nlb_is_internal_in_one_private_subnet_of_zone_a(plan):
    lb = nlb(plan)
    assert lb.inputs["loadBalancerType"] == "network"
    assert lb.inputs["internal"] is True
    [subnet] = [by_id(plan, s) for s in lb.inputs["subnets"]]
    assert subnet.name == "net-private-ap-northeast-2a"
    assert lb.inputs["enableCrossZoneLoadBalancing"] is False
    assert "idleTimeout" not in lb.inputs, "an NLB's idle timeout is a TCP listener attribute"
    assert lb.inputs["securityGroups"] == [one(plan, SG, "nlb-sg").id]


def test_tcp_listener_with_the_tcp_idle_timeout_forwards_to_a_tcp_ip_target_group(plan):
    listener = one(plan, LISTENER)
    target_group = one(plan, TG)
    assert (listener.inputs["protocol"], listener.inputs["port"]) == ("TCP", 80)
    assert listener.inputs["tcpIdleTimeoutSeconds"] == 350
    assert listener.inputs["loadBalancerArn"] == nlb(plan).id
    assert listener.inputs["defaultActions"] == [{"type": "forward", "targetGroupArn": target_group.id}]
    assert (target_group.inputs["protocol"], target_group.inputs["targetType"], target_group.inputs["port"]) == (
        "TCP",
        "ip",
        8000,
    )
    # Packets reach the pods from the NLB's own addresses: what the binding's rule admits.
    assert target_group.inputs["preserveClientIp"] == "false"


def test_target_group_binding_admits_the_nlbs_security_group(plan):
    checks.check_binding(plan, target_group=one(plan, TG), security_group=one(plan, SG, "nlb-sg"))


def test_outputs_and_no_warning_at_the_seed_values(plan):
    assert plan.warnings == []  # keep-alive 20 s < TCP idle 350 s: the server closes first
    assert isinstance(plan.outputs["kubeconfig"], Secret)
    runs = plan.outputs["experiments"]
    assert (
        runs["interval30"]["command"] == "kubectl -n client exec -it deploy/client -c client -- python client.py 30 4"
    )
    assert "its FIN passed through the NLB" in runs["interval30"]["expect"]
    assert "peer_closed_after_s within 20 ± 2 s" in runs["interval70"]["expect"]
    # The silent drop needs a keep-alive longer than the idle timeout: the output says how.
    assert runs["silentDrop"]["command"].startswith(
        "pulumi config set --path testbed:nlb.tcpIdleTimeoutSeconds 60 && "
        "pulumi config set --path testbed:server.keepAliveSeconds 120 && pulumi up && "
    )
    assert "request 2: connection == 'reused' (no FIN or RST reached the client" in runs["silentDrop"]["expect"]
    assert plan.outputs["commands"]["listenerAttributes"].endswith(one(plan, LISTENER).id)


load = functools.partial(load_stack, Config, STACK)


def test_silent_drop_knobs_reach_the_listener_and_the_plan_warns():
    overrides = {"testbed:server": {"keepAliveSeconds": 120}, "testbed:nlb": {"tcpIdleTimeoutSeconds": 60}}
    recording = run_program(STACK, stack_config(STACK, **overrides))
    assert one(recording, LISTENER).inputs["tcpIdleTimeoutSeconds"] == 60
    [warning] = recording.warnings
    assert "no FIN or RST is sent" in warning
    drop = recording.outputs["experiments"]["silentDrop"]
    assert drop["command"] == "kubectl -n client exec -it deploy/client -c client -- python client.py 70 3"
    assert "request 2: error_kind == 'reset'" in drop["expect"]


def test_silent_drop_settings_warn_and_give_a_direct_run():
    module = scenario_module(STACK)
    cfg = load(**{"testbed:server": {"keepAliveSeconds": 120}, "testbed:nlb": {"tcpIdleTimeoutSeconds": 60}})
    warning = module.idle_warning(cfg)
    assert warning.startswith(
        "testbed:server.keepAliveSeconds (120) is not shorter than testbed:nlb.tcpIdleTimeoutSeconds (60)"
    )
    drop = module.silent_drop(cfg)
    assert (drop.argv, dict(drop.config)) == (("python", "client.py", "70", "3"), {})
    assert module.idle_warning(load()) is None


def test_defaults_are_the_seeds():
    cfg = load_config(Config, {"aws:region": "ap-northeast-2"}, stack=STACK)
    assert cfg.nlb.tcp_idle_timeout_seconds == 350
    assert cfg.load_balancer_zones() == ["ap-northeast-2a"]
    assert cfg.server.keep_alive_seconds == 20


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        (
            {"testbed:nlb": {"tcpIdleTimeoutSeconds": 59}},
            "testbed:nlb.tcpIdleTimeoutSeconds: 59: at least 60",
        ),
        (
            {"testbed:nlb": {"tcpIdleTimeoutSeconds": 6001}},
            "testbed:nlb.tcpIdleTimeoutSeconds: 6001: at most 6000",
        ),
        (
            {"testbed:nlb": {"availabilityZones": ["ap-northeast-2c"]}},
            "testbed:nlb.availabilityZones: ['ap-northeast-2c'] leaves out ap-northeast-2a, where node group "
            "'server' runs the server: targets there would never get traffic",
        ),
        (
            {"testbed:nlb": {"deregistrationDelaySeconds": 3601}},
            "testbed:nlb.deregistrationDelaySeconds: 3601: at most 3600",
        ),
    ],
)
def test_bad_values_are_one_line_naming_the_key(overrides, expected):
    assert refusal(Config, STACK, **overrides) == [expected]


def test_one_zone_is_allowed_and_two_work_too():
    assert load(**{"testbed:nlb": {"availabilityZones": ["ap-northeast-2a"]}}).load_balancer_zones() == [
        "ap-northeast-2a"
    ]
    both = ["ap-northeast-2a", "ap-northeast-2c"]
    assert load(**{"testbed:nlb": {"availabilityZones": both}}).load_balancer_zones() == both


@pytest.mark.parametrize(
    ("interval", "keep_alive", "idle", "words"),
    [
        (3, 20, 350, "from request 2 on: connection == 'reused'"),
        (30, 20, 350, "peer_closed_after_s within 20 ± 2 s"),
        (70, 20, 350, "its FIN passed through the NLB"),
        (70, 120, 60, "request 2: error_kind == 'reset'"),
        (130, 120, 60, "no FIN or RST reached the client while idle"),
    ],
)
def test_what_to_expect_through_an_nlb(interval, keep_alive, idle, words):
    from stacks.keepalive_experiments import nlb_expectations, timing

    t = timing(interval, 3, keep_alive=keep_alive, idle_timeout=idle, scale=1, whole_idle=True)
    assert words in "; ".join(e.describe() for e in nlb_expectations(t))


@pytest.mark.parametrize(
    ("interval", "keep_alive", "idle", "words", "absent"),
    [
        (3, 20, 60, "the ALB keeps its backend connection too", "reopened"),
        (30, 20, 60, "opens a new backend connection for each request", "reopened"),
        (70, 20, 60, "peer_closed_after_s within 60 ± 2 s", "'reused'"),
        (60, 20, 60, "ok == True", "connection =="),  # the idle close and the request meet: no claim either way
    ],
)
def test_what_to_expect_through_an_alb(interval, keep_alive, idle, words, absent):
    from stacks.keepalive_experiments import alb_expectations, timing

    t = timing(interval, 3, keep_alive=keep_alive, idle_timeout=idle, scale=1, whole_idle=False)
    text = "; ".join(e.describe() for e in alb_expectations(t))
    assert words in text and absent not in text


def test_only_the_region_reproduces_the_stack_file(plan):
    """Every knob in the stack file is at its default, the seed's value."""
    from testbed.plan import Plan, plan_json

    minimal = run_program(STACK, {"aws:region": "ap-northeast-2"})
    assert plan_json(Plan(STACK, minimal)) == plan_json(Plan(STACK, plan))
