"""SCENARIOS.md `nlb-ip`, item by item, on the recorded graph of stacks/Pulumi.nlb-ip.yaml.

Expected values are the seeds' (001's echo-service-nlb.yaml, 003's options), written here.
"""

from __future__ import annotations

import pytest

from stacks import scenario_module
from stacks.config import ConfigError, load_config
from tests import plans
from tests.graph import of_type, one

STACK = "nlb-ip"
CERT = "arn:aws:acm:ap-northeast-2:123456789012:certificate/11111111-2222-3333-4444-555555555555"
SERVICE = "kubernetes:core/v1:Service"
DEPLOYMENT = "kubernetes:apps/v1:Deployment"
A = "service.beta.kubernetes.io/"


def test_echo_server_deployment(plan):
    deployment = one(plan, DEPLOYMENT)
    assert deployment.inputs["metadata"]["name"] == "deploy-echo"
    assert deployment.inputs["metadata"]["namespace"] == "default"
    spec = deployment.inputs["spec"]
    assert spec["replicas"] == 2
    assert spec["selector"]["matchLabels"]["app"] == "deploy-websrv"
    pod = spec["template"]["spec"]
    assert pod["terminationGracePeriodSeconds"] == 0
    [container] = pod["containers"]
    assert container["name"] == "akos-websrv"
    assert container["image"].endswith("/echoserver:1.5")
    assert container["ports"] == [{"containerPort": 8080, "name": "http"}]


def test_nlb_service_has_the_seeds_annotations_and_class(plan):
    service = one(plan, SERVICE)
    assert service.inputs["metadata"]["name"] == "svc-nlb-ip-type"
    assert service.inputs["metadata"]["annotations"] == {
        A + "aws-load-balancer-nlb-target-type": "ip",
        A + "aws-load-balancer-scheme": "internet-facing",
        A + "aws-load-balancer-healthcheck-port": "8080",
        # the seed's aws-load-balancer-cross-zone-load-balancing-enabled: "true", in its current form
        A + "aws-load-balancer-attributes": "load_balancing.cross_zone.enabled=true",
        A + "aws-load-balancer-target-group-attributes": "deregistration_delay.timeout_seconds=60",
    }
    spec = service.inputs["spec"]
    assert spec["type"] == "LoadBalancer"
    assert spec["loadBalancerClass"] == "service.k8s.aws/nlb"
    assert spec["ports"] == [{"name": "http", "port": 80, "targetPort": 8080, "protocol": "TCP"}]
    assert spec["selector"]["app"] == "deploy-websrv"


def test_the_service_depends_on_the_controller_release(plan):
    release = one(plan, "kubernetes:helm.sh/v3:Release", "lbc-release")
    assert release.urn in one(plan, SERVICE).dependencies


def test_outputs_the_url_and_the_seeds_check(plan):
    assert plan.outputs["url"].startswith("http://k8s-default-svcnlbip-")
    commands = plan.outputs["commands"]
    assert (
        "get svc svc-nlb-ip-type" in commands["url"] and ".status.loadBalancer.ingress[0].hostname" in commands["url"]
    )
    check = commands["requestsPerPod"]
    assert "seq 1 100" in check and "grep Hostname" in check and "sort | uniq -c" in check


def plan_with(**config):
    return plans.plan_with(STACK, **config)


def test_proxy_protocol_and_tls_options():
    nlb = {
        "scheme": "internet-facing",
        "targetType": "ip",
        "healthcheckPort": 8080,
        "crossZone": True,
        "deregistrationDelaySeconds": 60,
        "proxyProtocolV2": True,
        "certificateArn": CERT,
    }
    recording = plan_with(**{"testbed:nlb": nlb})
    service = one(recording, SERVICE)
    annotations = service.inputs["metadata"]["annotations"]
    assert annotations[A + "aws-load-balancer-proxy-protocol"] == "*"
    assert annotations[A + "aws-load-balancer-ssl-cert"] == CERT
    assert annotations[A + "aws-load-balancer-ssl-ports"] == "443"
    assert [p["port"] for p in service.inputs["spec"]["ports"]] == [80, 443]
    assert any("proxyProtocolV2 is on" in w and "400" in w for w in recording.warnings)


def test_no_tls_without_a_certificate(plan):
    annotations = one(plan, SERVICE).inputs["metadata"]["annotations"]
    assert not any(k.startswith(A + "aws-load-balancer-ssl") for k in annotations)
    assert A + "aws-load-balancer-proxy-protocol" not in annotations
    assert plan.warnings == []


def config_lines(**overrides) -> list[str]:
    module = scenario_module(STACK)
    raw = plans.stack_config(STACK, **overrides)
    with pytest.raises(ConfigError) as caught:
        load_config(module.Config, raw, stack=STACK)
    return caught.value.lines


def test_bad_knobs_are_one_line_each():
    assert config_lines(**{"testbed:nlb": {"deregistrationDelaySeconds": 3601, "certificateArn": "my-cert"}}) == [
        "testbed:nlb.deregistrationDelaySeconds: 3601: at most 3600",
        "testbed:nlb.certificateArn: 'my-cert' is not a certificate ARN; allowed: "
        "arn:aws:acm:<region>:<account>:certificate/<id> or arn:aws:iam::<account>:server-certificate/<name>",
    ]
    assert config_lines(**{"testbed:workloads": {"nodeSelector": {"role": "gpu"}}}) == [
        "testbed:workloads.nodeSelector: {'role': 'gpu'}: no node group has these labels, so the pods could not run"
    ]


def test_one_component_owns_the_workload(plan):
    assert len(of_type(plan, "testbed:k8s:EchoServer")) == 1


def test_instance_targets_need_the_traffic_port_health_check():
    # With instance targets the NLB checks the nodes, where the pods' 8080 does not answer.
    assert config_lines(**{"testbed:nlb": {"targetType": "instance"}}) == [
        "testbed:nlb.healthcheckPort: 8080: with targetType instance the NLB checks the nodes, where only the "
        "Service's NodePort answers; allowed: traffic-port"
    ]
    recording = plan_with(**{"testbed:nlb": {"targetType": "instance", "healthcheckPort": "traffic-port"}})
    annotations = one(recording, SERVICE).inputs["metadata"]["annotations"]
    assert annotations[A + "aws-load-balancer-healthcheck-port"] == "traffic-port"
    assert annotations[A + "aws-load-balancer-nlb-target-type"] == "instance"


def test_a_namespace_of_its_own_is_created_first():
    recording = plan_with(**{"testbed:echoserver": {"namespace": "echo"}})
    namespace = one(recording, "kubernetes:core/v1:Namespace")
    assert namespace.inputs["metadata"]["name"] == "echo"
    assert namespace.urn in one(recording, DEPLOYMENT).dependencies
    assert namespace.urn in one(recording, SERVICE).dependencies
