"""SCENARIOS.md `alb-keepalive` and issue 4, item by item, on the recorded graph of
stacks/Pulumi.alb-keepalive.yaml. Expected values are seed 000's, written here.
"""

from __future__ import annotations

import functools

import pytest

from stacks import scenario_module
from stacks.config import load_config
from testbed.engine import Secret, run_program
from tests import keepalive_checks as checks
from tests.graph import by_id, of_type, one
from tests.plans import load_stack, refusal, stack_config

STACK = "alb-keepalive"
LB = "aws:lb/loadBalancer:LoadBalancer"
TG = "aws:lb/targetGroup:TargetGroup"
LISTENER = "aws:lb/listener:Listener"
SG = "aws:ec2/securityGroup:SecurityGroup"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
ZONES = ["ap-northeast-2a", "ap-northeast-2c"]
Config = scenario_module(STACK).Config


def alb(plan):
    return one(plan, LB, "alb-lb")


def test_namespaces_client_and_server(plan):
    checks.check_namespaces(plan)


def test_server_is_the_seeds_gunicorn_on_role_server_with_a_cluster_ip_service(plan):
    checks.check_server(plan, keep_alive=20)


def test_client_idles_on_role_client_with_host_wired_from_the_alb(plan):
    dns_name = plan.outputs["loadBalancerDnsName"]
    assert dns_name.startswith("internal-") and dns_name.endswith(".ap-northeast-2.elb.amazonaws.com")
    checks.check_client(plan, alb(plan), dns_name)


def test_pods_meet_the_restricted_standard_without_capture(plan):
    checks.check_pods_are_restricted(plan)


def test_alb_is_internal_in_the_private_subnets_of_both_zones(plan):
    lb = alb(plan)
    assert lb.inputs["loadBalancerType"] == "application"
    assert lb.inputs["internal"] is True
    subnets = [by_id(plan, s) for s in lb.inputs["subnets"]]
    assert sorted(s.inputs["availabilityZone"] for s in subnets) == ZONES
    assert all(s.name.startswith("net-private-") for s in subnets)
    assert lb.inputs["idleTimeout"] == 60  # idle_timeout.timeout_seconds, the seed's (default) value
    assert lb.inputs["securityGroups"] == [one(plan, SG, "alb-sg").id]


def test_alb_security_group_allows_http_80_from_the_vpc_and_8000_to_the_targets(plan):
    group = one(plan, SG, "alb-sg")
    [ingress] = of_type(plan, INGRESS)
    assert {k: ingress.inputs[k] for k in ("securityGroupId", "ipProtocol", "fromPort", "toPort", "cidrIpv4")} == {
        "securityGroupId": group.id,
        "ipProtocol": "tcp",
        "fromPort": 80,
        "toPort": 80,
        "cidrIpv4": "10.0.0.0/16",
    }
    [egress] = of_type(plan, EGRESS)
    assert (egress.inputs["fromPort"], egress.inputs["toPort"], egress.inputs["cidrIpv4"]) == (
        8000,
        8000,
        "10.0.0.0/16",
    )
    assert group.inputs["vpcId"] == one(plan, "aws:ec2/vpc:Vpc").id


def test_listener_http_80_forwards_to_an_http_ip_target_group_on_8000_checked_on_index(plan):
    listener = one(plan, LISTENER)
    target_group = one(plan, TG)
    assert (listener.inputs["protocol"], listener.inputs["port"]) == ("HTTP", 80)
    assert listener.inputs["loadBalancerArn"] == alb(plan).id
    assert listener.inputs["defaultActions"] == [{"type": "forward", "targetGroupArn": target_group.id}]
    assert "tcpIdleTimeoutSeconds" not in listener.inputs
    assert target_group.inputs["protocol"] == "HTTP"
    assert target_group.inputs["targetType"] == "ip"
    assert target_group.inputs["port"] == 8000
    assert target_group.inputs["vpcId"] == one(plan, "aws:ec2/vpc:Vpc").id
    health = target_group.inputs["healthCheck"]
    assert (health["protocol"], health["path"], health["port"]) == ("HTTP", "/index", "traffic-port")


def test_target_group_binding_in_server_after_the_controller(plan):
    checks.check_binding(plan, target_group=one(plan, TG), security_group=one(plan, SG, "alb-sg"))


def test_keep_alive_not_longer_than_idle_timeout_warns_but_builds(plan):
    [warning] = plan.warnings
    assert "testbed:server.keepAliveSeconds (20) is not longer than testbed:alb.idleTimeoutSeconds (60)" in warning
    assert "configure the idle timeout of your application to be larger than the idle timeout" in warning
    assert len(of_type(plan, LB)) == 1


def test_no_warning_when_keep_alive_is_longer():
    module = scenario_module(STACK)
    cfg = load(**{"testbed:server": {"keepAliveSeconds": 61}})
    assert module.keep_alive_warning(cfg) is None
    assert module.keep_alive_warning(load(**{"testbed:server": {"keepAliveSeconds": 60}})) is not None


def test_outputs_give_the_dns_name_a_secret_kubeconfig_and_the_seeds_runs(plan):
    outputs = plan.outputs
    assert isinstance(outputs["kubeconfig"], Secret)
    assert outputs["loadBalancerDnsName"] == checks.env(checks.deployment(plan, "client"), "client")["HOST"]
    runs = {name: run["command"] for name, run in outputs["experiments"].items()}
    assert runs == {
        "interval3": "kubectl -n client exec -it deploy/client -c client -- python client.py 3 10",
        "interval30": "kubectl -n client exec -it deploy/client -c client -- python client.py 30 4",
        "interval70": "kubectl -n client exec -it deploy/client -c client -- python client.py 70 3",
    }
    expect = {name: run["expect"] for name, run in outputs["experiments"].items()}
    assert "from request 2 on: connection == 'reused'" in expect["interval3"]
    assert "server_peer is the same for every request" in expect["interval3"]
    assert "server_peer differs between requests" in expect["interval30"] and "new backend" in expect["interval30"]
    assert "from request 2 on: reason == 'peer FIN while idle'" in expect["interval70"]
    assert "peer_closed_after_s within 60 ± 2 s (the ALB's idle timeout)" in expect["interval70"]
    commands = outputs["commands"]
    assert commands["captures"].startswith("packet capture is off")
    assert commands["targetHealth"].startswith("aws elbv2 describe-target-health --region ap-northeast-2 ")
    assert commands["targetHealth"].endswith(one(plan, TG).id)


@pytest.fixture(scope="module")
def tuned():
    """The stack with every experiment knob moved off the seed's value, and capture on."""
    overrides = {
        "testbed:capture": {"enabled": True},
        "testbed:server": {"keepAliveSeconds": 75},
        "testbed:alb": {"idleTimeoutSeconds": 65},
        "testbed:client": {"endpoint": "/slow?wait=11", "hostHeader": "www.example.com"},
    }
    return run_program(STACK, stack_config(STACK, **overrides))


def test_knobs_reach_the_alb_server_and_client(tuned):
    assert one(tuned, LB).inputs["idleTimeout"] == 65
    command = checks.container(checks.deployment(tuned, "server"), "server")["command"]
    assert command[command.index("--keep-alive") + 1] == "75"
    variables = checks.env(checks.deployment(tuned, "client"), "client")
    assert (variables["ENDPOINT"], variables["HOST_HEADER"]) == ("/slow?wait=11", "www.example.com")
    assert tuned.warnings == [], "keep-alive 75 s is longer than the 65 s idle timeout"
    expect = tuned.outputs["experiments"]["interval70"]["expect"]
    assert "peer_closed_after_s within 65 ± 2 s" in expect
    assert "the ALB closes its idle backend connection after 65 s" in expect


def test_capture_adds_tcpdump_sidecars_and_says_how_to_fetch(tuned):
    recording = tuned
    for app, port in (("server", "8000"), ("client", "80")):
        deployment = checks.deployment(recording, app)
        sidecar = checks.container(deployment, "tcpdump")
        assert sidecar["image"] == "nicolaka/netshoot:v0.15"
        assert sidecar["command"][0] == "tcpdump" and sidecar["command"][-3:] == ["tcp", "port", port]
        assert f"/captures/{app}.pcap" in sidecar["command"]
        context = sidecar["securityContext"]
        assert context["capabilities"] == {"add": ["NET_RAW", "NET_ADMIN"], "drop": ["ALL"]}
        assert context["runAsUser"] == 0 and context["readOnlyRootFilesystem"] is True
        volumes = {v["name"]: v for v in checks.pod_spec(deployment)["volumes"]}
        assert volumes["captures"]["emptyDir"]["sizeLimit"] == "560M"
    for ns in of_type(recording, checks.NAMESPACE):
        assert ns.inputs["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "privileged"
    commands = recording.outputs["commands"]
    assert commands["fetchServerCaptures"] == (
        "kubectl -n server cp -c tcpdump "
        "$(kubectl -n server get pod -l app=server -o jsonpath='{.items[0].metadata.name}'):/captures captures/server"
    )
    assert commands["fetchClientCaptures"].startswith("kubectl -n client cp -c tcpdump $(kubectl -n client get pod")
    assert "captures" not in commands


load = functools.partial(load_stack, Config, STACK)


def test_stack_file_and_defaults_are_the_seeds():
    for cfg in (load(), load_config(Config, {"aws:region": "ap-northeast-2"}, stack=STACK)):
        assert (cfg.server.keep_alive_seconds, cfg.server.timeout_seconds, cfg.server.log_level) == (20, 10, "debug")
        assert cfg.server.node_selector == {"role": "server"}
        assert cfg.client.node_selector == {"role": "client"}
        assert cfg.client.endpoint == "/index"
        assert cfg.alb.idle_timeout_seconds == 60
        assert cfg.alb.health_check_path == "/index"
        assert cfg.load_balancer_zones() == ZONES
        assert cfg.capture.enabled is False


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        (
            {"testbed:alb": {"idleTimeoutSeconds": 0}},
            "testbed:alb.idleTimeoutSeconds: 0: at least 1",
        ),
        (
            {"testbed:alb": {"idleTimeoutSeconds": 4001}},
            "testbed:alb.idleTimeoutSeconds: 4001: at most 4000",
        ),
        (
            {"testbed:alb": {"clientKeepAliveSeconds": 59}},
            "testbed:alb.clientKeepAliveSeconds: 59: at least 60",
        ),
        (
            {"testbed:alb": {"availabilityZones": ["ap-northeast-2a"]}},
            "testbed:alb.availabilityZones: ['ap-northeast-2a']: an ALB needs subnets in at least 2 zones",
        ),
        (
            {"testbed:alb": {"availabilityZones": ["ap-northeast-2a", "ap-northeast-2b"]}},
            "testbed:alb.availabilityZones: 'ap-northeast-2b' is not one of availabilityZones "
            "['ap-northeast-2a', 'ap-northeast-2c']",
        ),
        (
            {"testbed:alb": {"healthCheckPath": "index"}},
            "testbed:alb.healthCheckPath: 'index' must start with / and hold no spaces",
        ),
        (
            {"testbed:alb": {"idleTimeout": 60}},
            "testbed:alb.idleTimeout: unknown key; known keys: availabilityZones, clientKeepAliveSeconds, "
            "deregistrationDelaySeconds, healthCheckPath, idleTimeoutSeconds",
        ),
        (
            {"testbed:server": {"keepAliveSeconds": 0}},
            "testbed:server.keepAliveSeconds: 0: at least 1",
        ),
        (
            {"testbed:server": {"logLevel": "trace"}},
            "testbed:server.logLevel: 'trace': one of debug, info, warning, error, critical",
        ),
        (
            {"testbed:server": {"nodeSelector": {"role": "backend"}}},
            "testbed:server.nodeSelector: {'role': 'backend'}: no node group has these labels",
        ),
        (
            {"testbed:client": {"endpoint": "slow?wait=11"}},
            "testbed:client.endpoint: 'slow?wait=11' must start with / and hold no spaces",
        ),
        (
            {"testbed:images": {"python": "", "custom": ""}},
            "testbed:images.python: empty while custom is empty: no image would run the programs",
        ),
        (
            {"testbed:images": {"custom": "My Image"}},
            "testbed:images.custom: 'My Image' is not an image reference like registry/name:tag",
        ),
        (
            {"testbed:capture": {"enabled": True, "files": 0}},
            "testbed:capture.files: 0: at least 1",
        ),
    ],
)
def test_bad_values_are_one_line_naming_the_key(overrides, expected):
    assert refusal(Config, STACK, **overrides) == [expected]


def test_alb_zones_must_cover_the_servers_zone():
    from stacks.config import ConfigError

    groups = {
        "infra": {"labels": {"role": "infra"}},
        "server": {"labels": {"role": "server"}, "availabilityZones": ["ap-northeast-2c"]},
        "client": {"labels": {"role": "client"}},
    }
    zones = ["ap-northeast-2a", "ap-northeast-2b", "ap-northeast-2c"]
    with pytest.raises(ConfigError) as caught:
        load(
            **{
                "testbed:availabilityZones": zones,
                "testbed:nodeGroups": groups,
                "testbed:alb": {"availabilityZones": ["ap-northeast-2a", "ap-northeast-2b"]},
            }
        )
    assert caught.value.lines == [
        "testbed:alb.availabilityZones: ['ap-northeast-2a', 'ap-northeast-2b'] leaves out ap-northeast-2c, "
        "where node group 'server' runs the server: targets there would never get traffic"
    ]


def test_only_the_region_reproduces_the_stack_file(plan):
    """Every knob in the stack file is at its default, the seed's value."""
    from testbed.plan import Plan, plan_json

    minimal = run_program(STACK, {"aws:region": "ap-northeast-2"})
    assert plan_json(Plan(STACK, minimal)) == plan_json(Plan(STACK, plan))
