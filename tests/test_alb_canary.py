"""SCENARIOS.md `alb-canary`, item by item, on the recorded graph of stacks/Pulumi.alb-canary.yaml.

Expected values are seed 003's (the ng / ng-canary manifests and the traffic-split Ingress), written here;
the weighted-routing JSON is in tests/seed_documents.py, which test_annotations checks the builder against too.
"""

from __future__ import annotations

import json

import pytest

from stacks import scenario_module
from stacks.config import ConfigError, load_config
from testbed.engine import run_program
from testbed.stackfile import read_stack_config
from tests.graph import by_k8s_name, of_type, one
from tests.seed_documents import SEED_003_WEIGHTED_ROUTING

STACK = "alb-canary"
INGRESS = "kubernetes:networking.k8s.io/v1:Ingress"
A = "alb.ingress.kubernetes.io/"


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("ng", "Im Primary service and being served from $HOSTNAME"),
        ("ng-canary", "Im Canary service and being served from $HOSTNAME"),
    ],
)
def test_each_version_is_an_nginx_page_naming_itself_with_a_service(plan, name, message):
    deployment = by_k8s_name(plan, "kubernetes:apps/v1:Deployment", name)
    assert deployment.inputs["metadata"]["namespace"] == "default"
    assert deployment.inputs["spec"]["replicas"] == 1
    assert deployment.inputs["spec"]["selector"]["matchLabels"]["app"] == name
    [container] = deployment.inputs["spec"]["template"]["spec"]["containers"]
    assert container["image"].startswith("nginx:")
    assert f'echo "{message}" > /usr/share/nginx/html/index.html' in container["command"][2]
    assert 'nginx -g "daemon off;"' in container["command"][2]
    assert container["ports"][0]["containerPort"] == 80
    service = by_k8s_name(plan, "kubernetes:core/v1:Service", name)
    assert service.inputs["spec"]["selector"]["app"] == name
    assert service.inputs["spec"]["ports"] == [{"port": 80, "targetPort": 80, "protocol": "TCP"}]


def test_traffic_split_ingress(plan):
    ingress = by_k8s_name(plan, INGRESS, "traffic-split")
    annotations = ingress.inputs["metadata"]["annotations"]
    assert annotations[A + "group.name"] == "traffic-split"
    assert annotations[A + "load-balancer-name"] == "traffic-split"
    assert annotations[A + "target-type"] == "ip"
    assert annotations[A + "scheme"] == "internet-facing"
    assert json.loads(annotations[A + "actions.weighted-routing"]) == SEED_003_WEIGHTED_ROUTING
    assert ingress.inputs["spec"]["ingressClassName"] == "alb"
    [rule] = ingress.inputs["spec"]["rules"]
    assert rule["http"]["paths"] == [
        {
            "pathType": "ImplementationSpecific",
            "backend": {"service": {"name": "weighted-routing", "port": {"name": "use-annotation"}}},
        }
    ]


def test_ingress_depends_on_the_controller_and_the_services(plan):
    ingress = one(plan, INGRESS)
    assert one(plan, "kubernetes:helm.sh/v3:Release", "lbc-release").urn in ingress.dependencies
    for name in ("ng", "ng-canary"):
        assert by_k8s_name(plan, "kubernetes:core/v1:Service", name).urn in ingress.dependencies


def split_of(recording) -> dict[str, int]:
    annotations = one(recording, INGRESS).inputs["metadata"]["annotations"]
    groups = json.loads(annotations[A + "actions.weighted-routing"])["forwardConfig"]["targetGroups"]
    return {g["serviceName"]: g["weight"] for g in groups}


def test_the_knob_is_the_canarys_percentage_and_weights_sum_to_100():
    canary = {**json.loads(read_stack_config(STACK)["testbed:canary"]), "canaryWeightPercent": 10}
    recording = run_program(STACK, {**read_stack_config(STACK), "testbed:canary": json.dumps(canary)})
    assert split_of(recording) == {"ng": 90, "ng-canary": 10}
    assert recording.outputs["weights"] == {"ng": 90, "ng-canary": 10}


def test_outputs_the_url_and_the_100_request_check(plan):
    assert plan.outputs["url"].startswith("http://traffic-split-")
    check = plan.outputs["commands"]["requestsPerVersion"]
    assert "seq 1 100" in check and "Im [A-Za-z]* service" in check and "uniq -c" in check
    expect = plan.outputs["commands"]["expected"]
    assert "'Im Primary service and being served from' within 3 sigma of 50%" in expect
    assert "'Im Canary service and being served from' within 3 sigma of 50%" in expect
    split = plan.outputs["experiments"]["split"]
    assert split["expect"] == expect
    assert split["command"].startswith("for i in $(seq 1 100); do curl -s") and split["command"].endswith(
        "{url}/; done"
    )


def test_bad_knobs_are_one_line_each():
    module = scenario_module(STACK)
    canary = {**json.loads(read_stack_config(STACK)["testbed:canary"]), "canaryWeightPercent": 101}
    alb = {"loadBalancerName": "internal-traffic", "groupName": "Traffic"}
    raw = {**read_stack_config(STACK), "testbed:canary": json.dumps(canary), "testbed:alb": json.dumps(alb)}
    with pytest.raises(ConfigError) as caught:
        load_config(module.Config, raw, stack=STACK)
    assert caught.value.lines == [
        "testbed:canary.canaryWeightPercent: 101: at most 100",
        "testbed:alb.groupName: 'Traffic': allowed: at most 63 of a-z, 0-9, '-' and '.', starting and ending"
        " with a letter or digit",
        "testbed:alb.loadBalancerName: 'internal-traffic': must not begin with 'internal-'",
    ]


def test_a_namespace_of_its_own_is_created_before_the_pages():
    raw = read_stack_config(STACK)
    canary = {**json.loads(raw["testbed:canary"]), "namespace": "canary"}
    recording = run_program(STACK, {**raw, "testbed:canary": json.dumps(canary)})
    namespace = one(recording, "kubernetes:core/v1:Namespace")
    assert namespace.inputs["metadata"]["name"] == "canary"
    for kind in ("kubernetes:apps/v1:Deployment", "kubernetes:core/v1:Service"):
        for resource in of_type(recording, kind):
            if resource.inputs["metadata"].get("namespace") == "canary":
                assert namespace.urn in resource.dependencies, resource.name
