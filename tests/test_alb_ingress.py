"""SCENARIOS.md `alb-ingress`, item by item, on the recorded graph of stacks/Pulumi.alb-ingress.yaml.

Expected values are the seeds' (001/003's game-2048 manifest, 002's echoserver Ingress), written here.
"""

from __future__ import annotations

import json

import pytest

from stacks import scenario_module
from stacks.config import ConfigError, engine_value, load_config
from testbed.engine import run_program
from testbed.stackfile import read_stack_config
from tests.graph import by_k8s_name, of_type, one

STACK = "alb-ingress"
CERT = "arn:aws:acm:us-west-2:123456789012:certificate/11111111-2222-3333-4444-555555555555"
INGRESS = "kubernetes:networking.k8s.io/v1:Ingress"
A = "alb.ingress.kubernetes.io/"


def test_game_2048_namespace_deployment_and_nodeport_service(plan):
    namespace = by_k8s_name(plan, "kubernetes:core/v1:Namespace", "game-2048")
    deployment = by_k8s_name(plan, "kubernetes:apps/v1:Deployment", "deployment-2048")
    assert deployment.inputs["metadata"]["namespace"] == "game-2048"
    assert deployment.inputs["spec"]["replicas"] == 2
    assert deployment.inputs["spec"]["selector"]["matchLabels"] == {"app.kubernetes.io/name": "app-2048"}
    [container] = deployment.inputs["spec"]["template"]["spec"]["containers"]
    assert container["image"] == "public.ecr.aws/l6m2t8p7/docker-2048:latest"
    assert container["imagePullPolicy"] == "Always"
    assert container["ports"][0]["containerPort"] == 80
    service = by_k8s_name(plan, "kubernetes:core/v1:Service", "service-2048")
    assert service.inputs["spec"]["type"] == "NodePort"
    assert service.inputs["spec"]["ports"] == [{"port": 80, "targetPort": 80, "protocol": "TCP"}]
    assert namespace.urn in deployment.dependencies


def test_game_ingress(plan):
    ingress = by_k8s_name(plan, INGRESS, "ingress-2048")
    assert ingress.inputs["metadata"]["namespace"] == "game-2048"
    assert ingress.inputs["spec"]["ingressClassName"] == "alb"
    annotations = ingress.inputs["metadata"]["annotations"]
    assert annotations[A + "scheme"] == "internet-facing"
    assert annotations[A + "target-type"] == "ip"
    assert annotations[A + "target-group-attributes"] == "load_balancing.algorithm.type=round_robin"
    [rule] = ingress.inputs["spec"]["rules"]
    assert rule["http"]["paths"] == [
        {"path": "/", "pathType": "Prefix", "backend": {"service": {"name": "service-2048", "port": {"number": 80}}}}
    ]


def test_echoserver_ingress_without_a_certificate(plan):
    ingress = by_k8s_name(plan, INGRESS, "echoserver")
    assert ingress.inputs["metadata"]["namespace"] == "echoserver"
    annotations = ingress.inputs["metadata"]["annotations"]
    assert annotations[A + "group.name"] == "my-alb-group"
    assert annotations[A + "listen-ports"] == '[{"HTTP":80}]'
    assert A + "certificate-arn" not in annotations and A + "ssl-redirect" not in annotations
    assert json.loads(annotations[A + "actions.rule-echoserver"]) == {
        "type": "fixed-response",
        "fixedResponseConfig": {"contentType": "text/plain", "statusCode": "200", "messageBody": "Path is /"},
    }
    [rule] = ingress.inputs["spec"]["rules"]
    assert rule["host"] == "www.example.com"
    assert rule["http"]["paths"] == [
        {
            "path": "/echo-server",
            "pathType": "Prefix",
            "backend": {"service": {"name": "echoserver", "port": {"number": 80}}},
        },
        {
            "path": "/",
            "pathType": "Prefix",
            "backend": {"service": {"name": "rule-echoserver", "port": {"name": "use-annotation"}}},
        },
    ]
    # Without a certificate, the stack says what it left out.
    [warning] = plan.warnings
    assert "certificateArn is not set" in warning
    assert "left out: listen-ports HTTPS 443, certificate-arn, ssl-redirect 443" in warning
    assert plan.outputs["notes"]["https"] == warning


def test_https_parts_with_a_certificate():
    echo = {**json.loads(read_stack_config(STACK)["testbed:echoserver"]), "certificateArn": CERT}
    recording = run_program(STACK, {**read_stack_config(STACK), "testbed:echoserver": json.dumps(echo)})
    annotations = by_k8s_name(recording, INGRESS, "echoserver").inputs["metadata"]["annotations"]
    assert json.loads(annotations[A + "listen-ports"]) == [{"HTTP": 80}, {"HTTPS": 443}]
    assert annotations[A + "certificate-arn"] == CERT
    assert annotations[A + "ssl-redirect"] == "443"
    assert recording.warnings == []
    assert recording.outputs["echoUrl"] == "https://www.example.com/echo-server"
    assert recording.outputs["echoCurl"].startswith("curl -s -k --connect-to www.example.com:443:k8s-myalbgroup-")


def test_rewrite_is_surfaced_and_available_as_a_transform(plan):
    note = plan.outputs["notes"]["rewrite"]
    assert "could not rewrite" in note and "#835" in note and "v2.14.1" in note and "transforms" in note
    annotations = by_k8s_name(plan, INGRESS, "echoserver").inputs["metadata"]["annotations"]
    assert not any(k.startswith(A + "transforms.") for k in annotations), "the seed's default: no rewrite"
    echo = {**json.loads(read_stack_config(STACK)["testbed:echoserver"]), "rewritePath": True}
    recording = run_program(STACK, {**read_stack_config(STACK), "testbed:echoserver": json.dumps(echo)})
    annotations = by_k8s_name(recording, INGRESS, "echoserver").inputs["metadata"]["annotations"]
    assert json.loads(annotations[A + "transforms.echoserver"]) == [
        {
            "type": "url-rewrite",
            "urlRewriteConfig": {"rewrites": [{"regex": "^/echo-server(/|$)(.*)", "replace": "/$2"}]},
        }
    ]


def test_algorithm_knob():
    alb = {"scheme": "internet-facing", "targetType": "ip", "loadBalancingAlgorithm": "least_outstanding_requests"}
    recording = run_program(STACK, {**read_stack_config(STACK), "testbed:alb": json.dumps(alb)})
    for name in ("ingress-2048", "echoserver"):
        annotations = by_k8s_name(recording, INGRESS, name).inputs["metadata"]["annotations"]
        assert annotations[A + "target-group-attributes"] == "load_balancing.algorithm.type=least_outstanding_requests"


def test_every_ingress_depends_on_the_controller_release(plan):
    release = one(plan, "kubernetes:helm.sh/v3:Release", "lbc-release")
    ingresses = of_type(plan, INGRESS)
    assert len(ingresses) == 2
    assert all(release.urn in i.dependencies for i in ingresses)


def test_outputs(plan):
    assert plan.outputs["gameUrl"].startswith("http://k8s-game2048-ingress2-")
    # The rule matches host www.example.com: the URL names it, the curl reaches it through the ALB.
    assert plan.outputs["echoUrl"] == "http://www.example.com/echo-server"
    assert plan.outputs["echoCurl"].startswith("curl -s --connect-to www.example.com:80:k8s-myalbgroup-")
    assert plan.outputs["echoCurl"].endswith(":80 http://www.example.com/echo-server")
    commands = plan.outputs["commands"]
    assert "get ingress ingress-2048" in commands["gameUrl"]
    assert "Host: www.example.com" in commands["fixedResponse"]
    assert "seq 1 100" in commands["requestsPerPod"] and "uniq -c" in commands["requestsPerPod"]
    assert "load_balancing.algorithm.type" in commands["algorithm"]


def test_bad_knobs_are_one_line_each():
    module = scenario_module(STACK)
    echo = {**json.loads(read_stack_config(STACK)["testbed:echoserver"]), "groupName": "My_Group", "path": "/"}
    raw = {
        **read_stack_config(STACK),
        "testbed:echoserver": json.dumps(echo),
        "testbed:alb": engine_value({"loadBalancingAlgorithm": "fastest"}),
    }
    with pytest.raises(ConfigError) as caught:
        load_config(module.Config, raw, stack=STACK)
    assert caught.value.lines == [
        "testbed:alb.loadBalancingAlgorithm: 'fastest': one of round_robin, least_outstanding_requests, "
        "weighted_random",
        "testbed:echoserver.groupName: 'My_Group': allowed: at most 63 of a-z, 0-9, '-' and '.', starting and ending"
        " with a letter or digit",
    ]
    echo = {**json.loads(read_stack_config(STACK)["testbed:echoserver"]), "path": "/"}
    with pytest.raises(ConfigError) as caught:
        load_config(module.Config, {**read_stack_config(STACK), "testbed:echoserver": json.dumps(echo)}, stack=STACK)
    assert caught.value.lines == [
        "testbed:echoserver.path: '/' is taken by the fixed-response action; allowed: a sub-path"
    ]
