"""SCENARIOS.md `alb-graceful`, item by item, on the recorded graph of stacks/Pulumi.alb-graceful.yaml.

Expected values are seed 003's (and the AWS blog it quotes), written here; the one departure
(the ALB health check interval) is asserted with its reason.
"""

from __future__ import annotations

import json

import pytest

from k8s.programs import PROGRAMS_HASH, files_digest
from stacks import scenario_module
from stacks.config import ConfigError, load_config
from testbed.engine import run_program
from testbed.stackfile import read_stack_config
from tests.graph import one

STACK = "alb-graceful"
INGRESS = "kubernetes:networking.k8s.io/v1:Ingress"
DEPLOYMENT = "kubernetes:apps/v1:Deployment"
SERVICE = "kubernetes:core/v1:Service"
A = "alb.ingress.kubernetes.io/"


def container(recording):
    [found] = one(recording, DEPLOYMENT).inputs["spec"]["template"]["spec"]["containers"]
    return found


def test_namespace_is_labelled_for_pod_readiness_gates(plan):
    patch = one(plan, "kubernetes:core/v1:NamespacePatch")
    assert patch.inputs["metadata"]["name"] == "default"
    assert patch.inputs["metadata"]["labels"] == {"elbv2.k8s.aws/pod-readiness-gate-inject": "enabled"}


def test_readiness_probe_prestop_and_grace_period(plan):
    app = container(plan)
    assert app["readinessProbe"] == {
        "httpGet": {"path": "/health", "port": 8080},
        "initialDelaySeconds": 3,
        "periodSeconds": 3,
    }
    command = app["lifecycle"]["preStop"]["exec"]["command"]
    assert command[2:] == ["drain", "--drain-file", "/var/run/graceful/draining", "--sleep", "120"]
    assert "--health-path" in app["command"] and app["command"][app["command"].index("--health-path") + 1] == "/health"
    assert "httpGet" not in app["livenessProbe"], "liveness must not fail while the pod drains"
    grace = one(plan, DEPLOYMENT).inputs["spec"]["template"]["spec"]["terminationGracePeriodSeconds"]
    assert grace == 150 and grace > 120


def test_the_program_is_mounted_from_a_configmap(plan):
    configmap = one(plan, "kubernetes:core/v1:ConfigMap")
    assert "def drain(" in configmap.inputs["data"]["graceful_server.py"]
    template = one(plan, DEPLOYMENT).inputs["spec"]["template"]
    volumes = template["spec"]["volumes"]
    assert {
        "name": "program",
        "configMap": {"name": configmap.inputs["metadata"]["name"], "defaultMode": 0o444},
    } in volumes
    # Editing the program changes the pod template, so the pods roll.
    assert template["metadata"]["annotations"] == {PROGRAMS_HASH: files_digest(configmap.inputs["data"])}


def test_ingress_health_check_on_the_same_path(plan):
    annotations = one(plan, INGRESS).inputs["metadata"]["annotations"]
    assert annotations[A + "healthcheck-path"] == "/health"
    assert annotations[A + "success-codes"] == "200-301"
    assert annotations[A + "target-type"] == "ip"  # readiness gates need ip targets
    assert annotations[A + "target-group-attributes"] == "deregistration_delay.timeout_seconds=60"
    # The seed's '3' is below the ALB minimum of 5 and must exceed the timeout: the nearest valid pair.
    assert annotations[A + "healthcheck-interval-seconds"] == "5"
    assert annotations[A + "healthcheck-timeout-seconds"] == "4"


def test_namespace_label_service_and_ingress_come_before_the_deployment(plan):
    deployment = one(plan, DEPLOYMENT)
    for before in (
        one(plan, "kubernetes:core/v1:NamespacePatch"),
        one(plan, SERVICE),
        one(plan, INGRESS),
    ):
        assert before.urn in deployment.explicit_dependencies, before.name
    ingress = one(plan, INGRESS)
    assert one(plan, "kubernetes:helm.sh/v3:Release", "lbc-release").urn in ingress.dependencies
    assert one(plan, SERVICE).urn in ingress.dependencies


def test_the_service_does_not_wait_for_the_pods_that_wait_for_it(plan):
    # pulumi-kubernetes waits for a new Service's endpoints to target live pods; the pods come
    # from a Deployment that waits for the Service: without skipAwait, `pulumi up` never ends.
    service = one(plan, SERVICE)
    assert service.urn in one(plan, DEPLOYMENT).explicit_dependencies
    assert service.inputs["metadata"]["annotations"] == {"pulumi.com/skipAwait": "true"}


def test_another_namespace_is_created_with_the_label():
    app = {**json.loads(read_stack_config(STACK)["testbed:app"]), "namespace": "graceful"}
    recording = run_program(STACK, {**read_stack_config(STACK), "testbed:app": json.dumps(app)})
    namespace = one(recording, "kubernetes:core/v1:Namespace")
    assert namespace.inputs["metadata"]["name"] == "graceful"
    assert namespace.inputs["metadata"]["labels"]["elbv2.k8s.aws/pod-readiness-gate-inject"] == "enabled"
    assert namespace.urn in one(recording, DEPLOYMENT).explicit_dependencies


def test_outputs_the_scale_in_check(plan):
    commands = plan.outputs["commands"]
    assert "http_code" in commands["load"] and "uniq -c" in commands["load"]
    assert commands["scaleIn"] == "kubectl -n default scale deployment graceful --replicas=1"
    assert "readinessGates" in commands["readinessGates"]
    run = plan.outputs["experiments"]["scaleIn"]
    assert "status < 500" in run["expect"] and "340 -> 0" in run["expect"] and "200 -> 30" in run["expect"]
    assert run["during"] == {"after 30 s": commands["scaleIn"]}


def test_a_deregistration_delay_longer_than_prestop_is_a_warning():
    ingress = {**json.loads(read_stack_config(STACK)["testbed:ingress"]), "deregistrationDelaySeconds": 300}
    recording = run_program(STACK, {**read_stack_config(STACK), "testbed:ingress": json.dumps(ingress)})
    assert recording.warnings == [
        "alb-graceful: ingress.deregistrationDelaySeconds 300 exceeds app.preStopSleepSeconds 120: a draining "
        "target can outlive its pod, and requests still in flight on it then fail with 5XX"
    ]


def test_bad_knobs_are_one_line_each():
    module = scenario_module(STACK)
    app = {**json.loads(read_stack_config(STACK)["testbed:app"]), "terminationGracePeriodSeconds": 120}
    ingress = {**json.loads(read_stack_config(STACK)["testbed:ingress"]), "successCodes": "200-600"}
    raw = {**read_stack_config(STACK), "testbed:app": json.dumps(app), "testbed:ingress": json.dumps(ingress)}
    with pytest.raises(ConfigError) as caught:
        load_config(module.Config, raw, stack=STACK)
    assert caught.value.lines == [
        "testbed:ingress.successCodes: '200-600': every code must lie within 200-499, and a range must go upwards",
    ]
    with pytest.raises(ConfigError) as caught:
        load_config(module.Config, {**read_stack_config(STACK), "testbed:app": json.dumps(app)}, stack=STACK)
    assert caught.value.lines == [
        "testbed:app.terminationGracePeriodSeconds: 120 must exceed the preStop sleep (120) plus the server's"
        " 10 s to finish its requests (130): the kubelet kills the pod when the grace period ends"
    ]
    seed_interval = {**json.loads(read_stack_config(STACK)["testbed:ingress"]), "healthcheckIntervalSeconds": 3}
    with pytest.raises(ConfigError) as caught:
        load_config(
            module.Config, {**read_stack_config(STACK), "testbed:ingress": json.dumps(seed_interval)}, stack=STACK
        )
    assert caught.value.lines == [
        "testbed:ingress.healthcheckIntervalSeconds: 3: at least 5",
    ]
    equal = {**json.loads(read_stack_config(STACK)["testbed:ingress"]), "healthcheckTimeoutSeconds": 5}
    with pytest.raises(ConfigError) as caught:
        load_config(module.Config, {**read_stack_config(STACK), "testbed:ingress": json.dumps(equal)}, stack=STACK)
    assert caught.value.lines == [
        "testbed:ingress.healthcheckIntervalSeconds: 5 must be greater than healthcheckTimeoutSeconds 5 "
        "(ELBv2 refuses the target group otherwise)",
    ]
