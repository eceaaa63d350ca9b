"""The controller-driven load balancer workloads used directly: validation before any child (exact
messages), two instances side by side, and the controller dependency of everything that makes a
load balancer."""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as kubernetes
import pytest

from components.aws.annotations import NlbServiceAnnotations
from components.errors import ArgsError
from k8s.echoserver import EchoServer, EchoServerArgs
from k8s.graceful import GracefulApp, GracefulAppArgs
from k8s.ingress import Ingress, IngressArgs, IngressPath
from k8s.nginx_page import NginxPage, NginxPageArgs
from testbed.engine import run_program
from tests.graph import ancestors, of_type

CONFIG = {"aws:region": "eu-west-1"}


def provider() -> kubernetes.Provider:
    return kubernetes.Provider("k8s", kubeconfig=pulumi.Output.secret("{}"))


def controller(p: kubernetes.Provider) -> kubernetes.helm.v3.Release:
    return kubernetes.helm.v3.Release(
        "lbc",
        name="aws-load-balancer-controller",
        chart="aws-load-balancer-controller",
        version="3.5.0",
        opts=pulumi.ResourceOptions(provider=p),
    )


def problems(build) -> list[str]:
    """The ArgsError lines `build(provider, release)` raises; nothing but the release may exist then."""
    caught: list[str] = []

    def program():
        p = provider()
        release = controller(p)
        try:
            build(p, release)
        except ArgsError as err:
            caught.extend(str(err).splitlines())

    recording = run_program("t", CONFIG, program=program)
    made = [r.type for r in recording.resources if r.custom and r.type.startswith("kubernetes:")]
    assert set(made) == {"kubernetes:helm.sh/v3:Release"}, f"validation must come before any child: {made}"
    return caught


def test_echo_server_validates_before_creating_anything():
    assert problems(
        lambda p, release: EchoServer(
            "echo",
            EchoServerArgs(provider=p, replicas=101, load_balancer=NlbServiceAnnotations(), service_ports=()),
        )
    ) == [
        "EchoServer: replicas: 101 is not in 0..100",
        "EchoServer: controller: required with load_balancer: the NLB Service must depend on the controller",
        "EchoServer: service_ports: empty; the Service needs a port",
    ]


def test_graceful_app_needs_a_grace_period_longer_than_its_hook():
    assert problems(
        lambda p, release: GracefulApp(
            "app",
            GracefulAppArgs(
                provider=p,
                controller=release,
                ingress_annotations={},
                pre_stop_sleep_seconds=120,
                termination_grace_period_seconds=120,
                health_path="health",
            ),
        )
    ) == [
        "GracefulApp: termination_grace_period_seconds: 120 must exceed the preStop sleep (120) plus the server's"
        " 10 s to finish its requests (130): the kubelet kills the pod when the grace period ends",
        "GracefulApp: health_path: 'health' must start with '/'",
    ]


def test_ingress_and_page_validation():
    assert problems(
        lambda p, release: Ingress(
            "ing",
            IngressArgs(
                provider=p,
                namespace="default",
                name="Web",
                ingress_class_name="alb",
                controller=release,
                paths=[IngressPath(path=None, service_name="web", service_port=0)],
            ),
        )
    ) == [
        "Ingress: name: 'Web' is not a Kubernetes object name (a-z, 0-9, '-')",
        "Ingress: paths[0].path: required with path_type Prefix",
        "Ingress: paths[0].service_port: 0 is not a port 1-65535",
    ]
    assert problems(
        lambda p, release: NginxPage("page", NginxPageArgs(provider=p, name="Ng", message='say "$HOME"'))
    ) == [
        "NginxPage: name: 'Ng' is not a Service name (a DNS-1035 label)",
        "NginxPage: message: 'say \"$HOME\"': no quotes, $, ` or backslashes (it goes into a shell echo)",
    ]


def test_two_echo_servers_coexist_and_their_nlbs_wait_for_the_controller():
    def program():
        p = provider()
        release = controller(p)
        for name in ("a", "b"):
            EchoServer(
                name,
                EchoServerArgs(
                    provider=p,
                    namespace=name,
                    create_namespace=True,
                    service_name=f"svc-{name}",
                    load_balancer=NlbServiceAnnotations(target_type="ip", scheme="internal"),
                    controller=release,
                ),
            )

    recording = run_program("t", CONFIG, program=program)
    services = of_type(recording, "kubernetes:core/v1:Service")
    assert sorted(s.name for s in services) == ["a-service", "b-service"]
    release = next(r for r in recording.resources if r.name == "lbc")
    for service in services:
        assert release.urn in service.dependencies
        assert service.inputs["spec"]["loadBalancerClass"] == "service.k8s.aws/nlb"
        assert ancestors(recording, service) == [service.name[0]]


@pytest.mark.parametrize("namespace", ["default", "apps"])
def test_graceful_app_orders_its_deployment_last(namespace):
    def program():
        p = provider()
        GracefulApp(
            "g", GracefulAppArgs(provider=p, controller=controller(p), ingress_annotations={}, namespace=namespace)
        )

    recording = run_program("t", CONFIG, program=program)
    deployment = of_type(recording, "kubernetes:apps/v1:Deployment")[0]
    kinds = {r.urn: r.type for r in recording.resources}
    before = {kinds[u].rsplit(":", 1)[1] for u in deployment.dependencies if u in kinds}
    assert {"Service", "Ingress", "ConfigMap"} <= before
    assert ("NamespacePatch" if namespace == "default" else "Namespace") in before
