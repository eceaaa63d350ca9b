"""The load balancer, binding and keep-alive workload components used directly, as a platform
team would: their graphs, their validation before any child, two at once, and every
TargetGroupBinding spec they can produce against the controller's CRD.
"""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as kubernetes
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from components.aws import load_balancers as lb
from components.errors import ArgsError
from k8s.capture import PacketCapture, tcpdump_args
from k8s.keepalive import KeepAliveClient, KeepAliveClientArgs, KeepAliveServer, KeepAliveServerArgs
from k8s.keepalive_programs import ProgramImage
from testbed.engine import run_program
from tests import keepalive_checks as checks
from tests.graph import ancestors, of_type, one
from tests.rejections import rejections

CONFIG = {"aws:region": "eu-west-1"}
SUBNETS = {"eu-west-1a": "subnet-a", "eu-west-1b": "subnet-b"}


def alb_args(**overrides) -> lb.ApplicationLoadBalancerArgs:
    return lb.ApplicationLoadBalancerArgs(
        **{"vpc_id": "vpc-1", "subnet_ids": SUBNETS, "vpc_cidr": "10.1.0.0/16", "target_port": 8000, **overrides}
    )


def nlb_args(**overrides) -> lb.NetworkLoadBalancerArgs:
    return lb.NetworkLoadBalancerArgs(
        **{
            "vpc_id": "vpc-1",
            "subnet_ids": {"eu-west-1a": "subnet-a"},
            "vpc_cidr": "10.1.0.0/16",
            "target_port": 8000,
            **overrides,
        }
    )


def errors_of(build) -> tuple[list[ArgsError], list[str]]:
    """The ArgsErrors `build` raised, and the types it registered."""
    errors, recording = rejections(CONFIG, build)
    return errors, [r.type for r in recording.resources]


def test_two_albs_coexist_with_their_own_children():
    def program():
        lb.ApplicationLoadBalancer("a", alb_args())
        lb.ApplicationLoadBalancer(
            "b", alb_args(idle_timeout_seconds=4000, ingress_cidrs=["10.1.2.0/24", "10.1.3.0/24"])
        )

    recording = run_program("t", CONFIG, program=program)
    lbs = {r.name: r for r in of_type(recording, "aws:lb/loadBalancer:LoadBalancer")}
    assert (lbs["a-lb"].inputs["idleTimeout"], lbs["b-lb"].inputs["idleTimeout"]) == (60, 4000)
    rules = sorted(
        r.inputs["cidrIpv4"] for r in of_type(recording, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
    )
    assert rules == ["10.1.0.0/16", "10.1.2.0/24", "10.1.3.0/24"]
    for resource in recording.resources:
        if not resource.type.startswith("testbed:"):
            assert resource.name.startswith(f"{ancestors(recording, resource)[-1]}-")


def test_alb_validates_everything_before_creating_anything():
    errors, types = errors_of(
        lambda: lb.ApplicationLoadBalancer(
            "a-name-much-too-long-for-aws",
            alb_args(
                subnet_ids={"eu-west-1a": "subnet-a"},
                idle_timeout_seconds=0,
                client_keep_alive_seconds=59,
                vpc_cidr="10.1.0.0/33",
                health_check=lb.HealthCheck(path="index", timeout_seconds=30, interval_seconds=10),
            ),
        )
    )
    [err] = errors
    assert [field for field, _ in err.problems] == [
        "name",
        "vpc_cidr",
        "health_check.path",
        "health_check.timeout_seconds",
        "subnet_ids",
        "idle_timeout_seconds",
        "client_keep_alive_seconds",
    ]
    assert (
        "ApplicationLoadBalancer: idle_timeout_seconds: 0 is outside the allowed range 1-4000 seconds"
        in str(err).splitlines()
    )
    assert types == ["testbed:aws:ApplicationLoadBalancer"]


def test_nlb_takes_one_zone_and_validates_its_tcp_idle_timeout():
    recording = run_program(
        "t", CONFIG, program=lambda: lb.NetworkLoadBalancer("n", nlb_args(tcp_idle_timeout_seconds=6000))
    )
    assert one(recording, "aws:lb/listener:Listener").inputs["tcpIdleTimeoutSeconds"] == 6000
    assert one(recording, "aws:lb/loadBalancer:LoadBalancer").inputs["subnets"] == ["subnet-a"]
    for bad in (59, 6001):
        errors, types = errors_of(lambda bad=bad: lb.NetworkLoadBalancer("n", nlb_args(tcp_idle_timeout_seconds=bad)))
        assert [str(e) for e in errors] == [
            f"NetworkLoadBalancer: tcp_idle_timeout_seconds: {bad} is outside the allowed range 60-6000 seconds"
        ]
        assert types == ["testbed:aws:NetworkLoadBalancer"]
    errors, _ = errors_of(lambda: lb.NetworkLoadBalancer("n", nlb_args(subnet_ids={})))
    assert str(errors[0]) == "NetworkLoadBalancer: subnet_ids: an NLB needs a subnet in at least 1 zone"


def _provider() -> kubernetes.Provider:
    return kubernetes.Provider("k8s", kubeconfig="{}")


def test_binding_needs_the_controller_and_waits_for_it():
    def build(controller):
        provider = _provider()
        return lb.TargetGroupBinding(
            "tgb",
            lb.TargetGroupBindingArgs(
                provider=provider,
                controller=controller(provider),
                namespace="ns",
                service_name="svc",
                service_port="http",
                target_group_arn="arn:aws:elasticloadbalancing:eu-west-1:1:targetgroup/x/1",
            ),
        )

    errors, types = errors_of(lambda: build(lambda provider: None))
    assert str(errors[0]).startswith("TargetGroupBinding: controller: the LB controller's Helm release is required")
    assert "kubernetes:elbv2.k8s.aws/v1beta1:TargetGroupBinding" not in types

    recording = run_program(
        "t",
        CONFIG,
        program=lambda: build(
            lambda provider: kubernetes.core.v1.ConfigMap("controller", opts=pulumi.ResourceOptions(provider=provider))
        ),
    )
    binding = one(recording, checks.TGB)
    assert one(recording, "kubernetes:core/v1:ConfigMap", "controller").urn in binding.explicit_dependencies
    assert binding.provider == one(recording, "pulumi:providers:kubernetes").urn
    assert "networking" not in binding.inputs["spec"]
    checks.validate_against_crd(binding.inputs)


arns = st.from_regex(
    r"arn:aws:elasticloadbalancing:[a-z]{2}-[a-z]+-\d:\d{12}:targetgroup/[a-z0-9-]{1,32}/[0-9a-f]{16}", fullmatch=True
)
ports = st.one_of(st.integers(1, 65535), st.from_regex(r"[a-z][a-z0-9-]{0,14}", fullmatch=True))


@settings(max_examples=40, deadline=None)
@given(
    arn=arns,
    service=st.from_regex(r"[a-z][a-z0-9-]{0,30}", fullmatch=True),
    service_port=ports,
    target_type=st.sampled_from(["ip", "instance"]),
    group=st.one_of(st.none(), st.from_regex(r"sg-[0-9a-f]{17}", fullmatch=True)),
    target_port=ports,
)
def test_every_binding_spec_passes_the_controllers_crd(arn, service, service_port, target_type, group, target_port):
    spec = lb.target_group_binding_spec(
        target_group_arn=arn,
        service_name=service,
        service_port=service_port,
        target_type=target_type,
        from_security_group_id=group,
        target_port=target_port,
    )
    checks.validate_against_crd(
        {
            "apiVersion": "elbv2.k8s.aws/v1beta1",
            "kind": "TargetGroupBinding",
            "metadata": {"name": service},
            "spec": spec,
        }
    )


def test_crd_check_rejects_a_typo():
    import jsonschema

    spec = lb.target_group_binding_spec(target_group_arn="arn", service_name="s", service_port=80)
    spec["targetGroupArn"] = spec.pop("targetGroupARN")  # the controller would prune it and bind nothing
    with pytest.raises(jsonschema.ValidationError):
        checks.validate_against_crd({"apiVersion": "v", "kind": "k", "metadata": {}, "spec": spec})


def test_server_with_a_custom_image_needs_no_configmap_nor_init_container():
    def program():
        KeepAliveServer(
            "s",
            KeepAliveServerArgs(
                provider=_provider(),
                keep_alive_seconds=75,
                images=ProgramImage(custom_image="registry.example/keepalive:1"),
            ),
        )

    recording = run_program("t", CONFIG, program=program)
    assert of_type(recording, "kubernetes:core/v1:ConfigMap") == []
    deployment = one(recording, checks.DEPLOYMENT)
    spec = checks.pod_spec(deployment)
    assert "initContainers" not in spec or spec["initContainers"] == []
    main = checks.container(deployment, "server")
    assert main["image"] == "registry.example/keepalive:1"
    assert main["command"][main["command"].index("--keep-alive") + 1] == "75"
    assert "PYTHONPATH" not in checks.env(deployment, "server")


def test_client_host_header_and_tls_follow_their_args():
    def program():
        KeepAliveClient(
            "c",
            KeepAliveClientArgs(
                provider=_provider(), host="lb.example", host_header="www.example.com", port=443, use_tls=True
            ),
        )

    recording = run_program("t", CONFIG, program=program)
    variables = checks.env(one(recording, checks.DEPLOYMENT), "client")
    assert {k: variables[k] for k in ("HOST", "HOST_HEADER", "PORT", "USE_TLS")} == {
        "HOST": "lb.example",
        "HOST_HEADER": "www.example.com",
        "PORT": "443",
        "USE_TLS": "true",
    }


def test_workload_arguments_are_checked_before_any_child():
    errors, types = errors_of(
        lambda: KeepAliveServer(
            "s",
            KeepAliveServerArgs(
                provider=_provider(),
                keep_alive_seconds=0,
                log_level="trace",
                node_selector={},
                capture=PacketCapture(files=0),
            ),
        )
    )
    [err] = errors
    assert [f for f, _ in err.problems] == ["node_selector", "capture.files", "keep_alive_seconds", "log_level"]
    assert [t for t in types if t.startswith("kubernetes:")] == []
    assert "testbed:k8s:KeepAliveServer" in types


def test_tcpdump_keeps_a_bounded_ring_of_pcaps():
    args = tcpdump_args(PacketCapture(file_megabytes=10, files=3), role="server", port=8000)
    assert args[args.index("-C") + 1] == "10" and args[args.index("-W") + 1] == "3"
    assert "-Z" not in args, "no user switch: the sidecar has no SETUID/SETGID capability"
