"""SCENARIOS.md `ingress-nginx-vs-alb`, item by item, on the recorded graph of
stacks/Pulumi.ingress-nginx-vs-alb.yaml. Expected values are seed 002's, written here."""

from __future__ import annotations

import json
import re

from testbed.engine import Secret
from tests.graph import by_k8s_name, of_type, one

STACK = "ingress-nginx-vs-alb"
INGRESS = "kubernetes:networking.k8s.io/v1:Ingress"
RELEASE = "kubernetes:helm.sh/v3:Release"


def values(release) -> dict:
    raw = release.inputs["values"]
    return raw.value if isinstance(raw, Secret) else raw


def test_one_echo_server_behind_both_paths(plan):
    deployment = by_k8s_name(plan, "kubernetes:apps/v1:Deployment", "echoserver")
    assert deployment.inputs["metadata"]["namespace"] == "echoserver"
    service = by_k8s_name(plan, "kubernetes:core/v1:Service", "echoserver")
    assert service.inputs["spec"]["type"] == "ClusterIP"
    for ingress in of_type(plan, INGRESS):
        [rule] = ingress.inputs["spec"]["rules"]
        [path] = rule["http"]["paths"]
        assert path["backend"]["service"] == {"name": "echoserver", "port": {"number": 80}}


def test_ingress_nginx_release_is_pinned_behind_an_nlb_with_cluster_policy(plan):
    release = one(plan, RELEASE, "ingress-nginx-release")
    assert release.inputs["chart"] == "ingress-nginx"
    assert re.fullmatch(r"\d+\.\d+\.\d+", release.inputs["version"]), "the chart version is pinned"
    assert release.inputs["repositoryOpts"]["repo"] == "https://kubernetes.github.io/ingress-nginx"
    service = values(release)["controller"]["service"]
    assert service["type"] == "LoadBalancer"
    assert service["loadBalancerClass"] == "service.k8s.aws/nlb"
    assert service["externalTrafficPolicy"] == "Cluster"
    assert service["annotations"] == {
        "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type": "instance",
        "service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing",
        # The entry hop pinned to the client node (see test_outputs_both_urls_and_the_comparison_commands).
        "service.beta.kubernetes.io/aws-load-balancer-target-node-labels": "role=client",
    }
    assert values(release)["controller"]["ingressClassResource"]["name"] == "nginx"


def test_nginx_ingress_rewrites_like_the_seed(plan):
    ingress = by_k8s_name(plan, INGRESS, "echoserver-nginx")
    assert ingress.inputs["spec"]["ingressClassName"] == "nginx"
    assert ingress.inputs["metadata"]["annotations"]["nginx.ingress.kubernetes.io/rewrite-target"] == "/$2"
    [rule] = ingress.inputs["spec"]["rules"]
    [path] = rule["http"]["paths"]
    assert path["path"] == "/test(/|$)(.*)"
    assert path["pathType"] == "ImplementationSpecific"


def test_alb_ingress_rewrites_the_same_way_with_a_transform(plan):
    ingress = by_k8s_name(plan, INGRESS, "echoserver-alb")
    annotations = ingress.inputs["metadata"]["annotations"]
    assert ingress.inputs["spec"]["ingressClassName"] == "alb"
    assert annotations["alb.ingress.kubernetes.io/target-type"] == "ip"
    [transform] = json.loads(annotations["alb.ingress.kubernetes.io/transforms.echoserver"])
    assert transform == {
        "type": "url-rewrite",
        "urlRewriteConfig": {"rewrites": [{"regex": "^/test(/|$)(.*)", "replace": "/$2"}]},
    }
    [rule] = ingress.inputs["spec"]["rules"]
    assert rule["http"]["paths"][0]["path"] == "/test"
    # Both rewrite the same requests to the same paths.
    nginx = re.compile("^/test(/|$)(.*)")
    alb = re.compile(transform["urlRewriteConfig"]["rewrites"][0]["regex"])
    for request in ("/test", "/test/", "/test/index.html", "/test/a/b?x=1"):
        assert nginx.sub(r"/\2", request) == alb.sub(r"/\2", request)


def test_everything_that_makes_a_load_balancer_depends_on_the_controller(plan):
    controller = one(plan, RELEASE, "lbc-release").urn
    assert controller in one(plan, RELEASE, "ingress-nginx-release").dependencies
    assert controller in by_k8s_name(plan, INGRESS, "echoserver-alb").dependencies
    nginx_ingress = by_k8s_name(plan, INGRESS, "echoserver-nginx")
    assert one(plan, RELEASE, "ingress-nginx-release").urn in nginx_ingress.dependencies


def test_outputs_both_urls_and_the_comparison_commands(plan):
    assert plan.outputs["albUrl"].endswith("/test/") and plan.outputs["nginxUrl"].endswith("/test/")
    commands = plan.outputs["commands"]
    assert "get svc ingress-nginx-controller" in commands["nginxUrl"]
    assert "get ingress echoserver-alb" in commands["albUrl"]
    for path in ("Nginx", "Alb"):
        assert "time_total" in commands[f"latencyVia{path}"] and "seq 1 100" in commands[f"latencyVia{path}"]
        assert "HTTPConnection" in commands[f"longLivedVia{path}"]
    assert "reboot-instances" in commands["restartNode"]
    # The node rebooted is the NLB's only entry node: the client node, which runs neither pod.
    assert commands["restartNode"].startswith("NODE=$(kubectl get nodes -l role=client ")
    service_annotations = one(plan, RELEASE, "ingress-nginx-release").inputs["values"]["controller"]["service"][
        "annotations"
    ]
    assert service_annotations["service.beta.kubernetes.io/aws-load-balancer-target-node-labels"] == "role=client"
    assert plan.outputs["paths"]["nginx"].count("->") == 4 and plan.outputs["paths"]["alb"].count("->") == 2
