"""The upstream gates: each catches a planted violation, and every stack file passes them all."""

from __future__ import annotations

import json
import types
from datetime import date

import pulumi
import pulumi_aws as aws
import pulumi_eks as eks
import pulumi_kubernetes as kubernetes
import pytest

from components.aws.versions import METRICS_SERVER_CHART, METRICS_SERVER_CHART_VERSION
from k8s.versions import (
    INGRESS_NGINX_CHART,
    INGRESS_NGINX_CHART_VERSION,
    KUBE_OPS_VIEW_CHART,
    KUBE_OPS_VIEW_CHART_VERSION,
)
from testbed.engine import run_program
from testbed.gates import Stack, load_allowlist, run_gates
from testbed.gates import config_sweep as sweep_module
from testbed.gates.aws import attribute_catalog, attribute_problems, parse_string_map
from testbed.gates.checkov import checkov_command
from testbed.gates.kubernetes import strict_schema, unknown_values
from testbed.plan import Plan
from testbed.reference.derive import value_tree
from testbed.stackfile import known_stacks, read_stack_config

CONFIG = {"aws:region": "ap-northeast-2"}
PINNED_TODAY = date(2026, 11, 27)
"""The day the lifecycle gate judges version support on here, so the suite does not fail on a date."""


def planted(program) -> Stack:
    return Stack(Plan("planted", run_program("planted", CONFIG, program=program)), dict(CONFIG))


def findings(stack: Stack, gate: str) -> list[tuple[str, str, str]]:
    report = run_gates([stack], only=[gate], allowlist=[])
    return [(f.subject, f.field, f.message) for f in report.findings]


def provider():
    return kubernetes.Provider("k8s", kubeconfig=pulumi.Output.secret("{}"))


# ---- kubernetes-schema ----------------------------------------------------------------------------


def test_kubernetes_schema_rejects_a_typo_and_a_wrong_type():
    def program():
        p = provider()
        opts = pulumi.ResourceOptions(provider=p)
        kubernetes.core.v1.Service("svc", metadata={"name": "s"}, spec={"ports": [{"port": 80}], "typo": 1}, opts=opts)
        kubernetes.apps.v1.Deployment(
            "dep",
            metadata={"name": "d"},
            spec={
                "replicas": "two",
                "selector": {"matchLabels": {"a": "b"}},
                "template": {"metadata": {"labels": {"a": "b"}}, "spec": {"containers": [{"name": "c", "image": "i"}]}},
            },
            opts=opts,
        )

    found = findings(planted(program), "kubernetes-schema")
    assert (
        "kubernetes:core/v1:Service svc",
        "spec",
        "Additional properties are not allowed ('typo' was unexpected)",
    ) in found
    assert ("kubernetes:apps/v1:Deployment dep", "spec.replicas", "'two' is not of type 'integer', 'null'") in found


# ---- crd-schema -----------------------------------------------------------------------------------


def test_crd_schema_rejects_a_misspelled_target_group_binding_field():
    def program():
        kubernetes.apiextensions.CustomResource(
            "tgb",
            api_version="elbv2.k8s.aws/v1beta1",
            kind="TargetGroupBinding",
            metadata={"name": "tgb", "namespace": "server"},
            spec={"serviceRef": {"name": "server", "port": 80}, "targetGroupArn": "arn:x", "targetType": "pod"},
            opts=pulumi.ResourceOptions(provider=provider()),
        )

    found = findings(planted(program), "crd-schema")
    messages = {(field, message) for _, field, message in found}
    assert ("spec", "Additional properties are not allowed ('targetGroupArn' was unexpected)") in messages
    assert ("spec.targetType", "'pod' is not one of ['instance', 'ip']") in messages


def test_strict_schema_keeps_int_or_string_and_preserved_fields():
    schema = strict_schema(
        {
            "type": "object",
            "properties": {
                "port": {"x-kubernetes-int-or-string": True},
                "free": {
                    "type": "object",
                    "properties": {"a": {"type": "string"}},
                    "x-kubernetes-preserve-unknown-fields": True,
                },
            },
        }
    )
    assert schema["properties"]["port"] == {"anyOf": [{"type": "integer"}, {"type": "string"}]}
    assert schema["additionalProperties"] is False
    assert "additionalProperties" not in schema["properties"]["free"]


# ---- helm-values ----------------------------------------------------------------------------------


def test_helm_values_flags_keys_the_chart_does_not_have():
    chart = {
        "clusterName": "",
        "serviceAccount": {"create": True, "name": ""},
        "nodeSelector": {},
        "replicaCount": 2,
        "enableServiceMutatorWebhook": True,
    }
    ours = {
        "clusterNmae": "x",
        "serviceAccount": {"craete": False},
        "nodeSelector": {"any": "thing"},
        "replicaCount": "2",
        "enableServiceMutatorWebhook": "false",
    }
    assert sorted(unknown_values(ours, value_tree(chart))) == [
        ("clusterNmae", "is not a value of the chart (the chart would ignore it)"),
        ("enableServiceMutatorWebhook", "'false' must be true or false"),
        ("replicaCount", "'2' must be a number"),
        ("serviceAccount.craete", "is not a value of the chart (the chart would ignore it)"),
    ]


def test_helm_values_gate_checks_every_chart_we_pin():
    def release(name, chart, version, values):
        kubernetes.helm.v3.Release(
            name, chart=chart, version=version, values=values, opts=pulumi.ResourceOptions(provider=provider())
        )

    def program():
        release("ms", METRICS_SERVER_CHART, METRICS_SERVER_CHART_VERSION, {"replica": 2, "nodeSelector": {"a": "b"}})
        release(
            "nginx",
            INGRESS_NGINX_CHART,
            INGRESS_NGINX_CHART_VERSION,
            {"controller": {"replicaCount": 1, "podAnnotations": {"any": "x"}, "servce": {}}},
        )
        release(
            "opsview",
            KUBE_OPS_VIEW_CHART,
            KUBE_OPS_VIEW_CHART_VERSION,
            # env and securityContext: the chart sets some keys, its common library renders them whole;
            # probes: a value of the common library only, which Helm merges in at the top.
            {
                "env": {"TZ": "UTC", "OTHER": "1"},
                "securityContext": {"seccompProfile": {"type": "RuntimeDefault"}},
                "probes": {"liveness": {"enabled": False}},
                "imagePullPolicy": "Always",
            },
        )
        release("other", "some-chart", "1.0.0", {"x": 1})

    report = run_gates([planted(program)], only=["helm-values"], allowlist=[])
    assert [(f.subject, f.field) for f in report.findings] == [
        ("kubernetes:helm.sh/v3:Release ms", "values.replica"),
        ("kubernetes:helm.sh/v3:Release nginx", "values.controller.servce"),
        ("kubernetes:helm.sh/v3:Release opsview", "values.imagePullPolicy"),
    ]
    [note] = report.notes
    assert note.message.startswith("some-chart 1.0.0: values not checked: no shipped values tree")


def test_helm_values_gate_reads_the_pinned_charts_values():
    def program():
        kubernetes.helm.v3.Release(
            "lbc",
            name="aws-load-balancer-controller",
            chart="aws-load-balancer-controller",
            version="3.5.0",
            namespace="kube-system",
            values={"clusterName": "c", "enableServiceMutatorWebhok": False},
            opts=pulumi.ResourceOptions(provider=provider()),
        )

    assert findings(planted(program), "helm-values") == [
        (
            "kubernetes:helm.sh/v3:Release lbc",
            "values.enableServiceMutatorWebhok",
            "is not a value of the chart (the chart would ignore it)",
        ),
    ]


# ---- aws-api --------------------------------------------------------------------------------------


def test_aws_api_checks_enums_ranges_attributes_and_annotations():
    def program():
        balancer = aws.lb.LoadBalancer(
            "alb", internal=True, load_balancer_type="application", idle_timeout=4001, subnets=["subnet-1", "subnet-2"]
        )
        group = aws.lb.TargetGroup(
            "tg",
            port=8000,
            protocol="HTTPX",
            target_type="ip",
            vpc_id="vpc-1",
            deregistration_delay=3601,
            health_check=aws.lb.TargetGroupHealthCheckArgs(interval=3, healthy_threshold=11, path="/index"),
        )
        aws.lb.Listener(
            "nlb-tcp",
            load_balancer_arn=balancer.arn,
            port=80,
            protocol="TCP",
            tcp_idle_timeout_seconds=30,
            default_actions=[aws.lb.ListenerDefaultActionArgs(type="forward", target_group_arn=group.arn)],
        )
        aws.eks.NodeGroup(
            "ng",
            cluster_name="c",
            node_group_name="ng",
            node_role_arn="arn:r",
            subnet_ids=["s"],
            instance_types=["t3.mediun"],
            ami_type="AL2023_x86_64",
            capacity_type="ON_DEMAND",
            scaling_config=aws.eks.NodeGroupScalingConfigArgs(min_size=1, desired_size=3, max_size=2),
        )
        kubernetes.networking.v1.Ingress(
            "ing",
            metadata={
                "name": "i",
                "annotations": {
                    "alb.ingress.kubernetes.io/target-group-attributes": (
                        "deregistration_delay.timeout_seconds=60,load_balancing.algorithm.type=fastest"
                    ),
                    "alb.ingress.kubernetes.io/load-balancer-attributes": "idle_timeout.timeout_second=60",
                },
            },
            spec={"ingressClassName": "alb"},
            opts=pulumi.ResourceOptions(provider=provider()),
        )

    found = {(s, f): m for s, f, m in findings(planted(program), "aws-api")}
    assert found[("aws:lb/targetGroup:TargetGroup tg", "protocol")].startswith("'HTTPX' is not one of HTTP, HTTPS, TCP")
    assert found[("aws:lb/targetGroup:TargetGroup tg", "healthCheck.interval")] == "3 is below the minimum 5"
    assert found[("aws:lb/targetGroup:TargetGroup tg", "healthCheck.healthyThreshold")] == "11 is above the maximum 10"
    assert found[("aws:lb/targetGroup:TargetGroup tg", "deregistrationDelay")] == (
        "deregistration_delay.timeout_seconds: 3601 is outside the documented range 0-3600"
    )
    assert found[("aws:lb/loadBalancer:LoadBalancer alb", "idleTimeout")] == (
        "idle_timeout.timeout_seconds: 4001 is outside the documented range 1-4000"
    )
    assert found[("aws:lb/listener:Listener nlb-tcp", "tcpIdleTimeoutSeconds")] == (
        "tcp.idle_timeout.seconds: 30 is outside the documented range 60-6000"
    )
    assert found[("aws:eks/nodeGroup:NodeGroup ng", "instanceTypes[0]")].startswith("'t3.mediun' is not one of")
    assert found[("aws:eks/nodeGroup:NodeGroup ng", "amiType")].startswith("'AL2023_x86_64' is not one of")
    assert found[("aws:eks/nodeGroup:NodeGroup ng", "scalingConfig")] == (
        "desiredSize 3 must lie within minSize 1 and maxSize 2"
    )
    annotation = "metadata.annotations[alb.ingress.kubernetes.io/target-group-attributes]"
    assert found[("kubernetes:networking.k8s.io/v1:Ingress ing", annotation)] == (
        "'fastest' is not one of round_robin, least_outstanding_requests, weighted_random"
    )
    annotation = "metadata.annotations[alb.ingress.kubernetes.io/load-balancer-attributes]"
    assert found[("kubernetes:networking.k8s.io/v1:Ingress ing", annotation)] == (
        "'idle_timeout.timeout_second' is not a documented LoadBalancerAttribute key"
    )


def test_addon_configuration_is_a_finding_only_against_the_pinned_versions_schema():
    values = json.dumps({"replicas": 1, "replicaCount": "two", "nodeSelector": {}})

    def program():
        # The same values on CoreDNS at the version we pin, and at a newer one.
        for name, version in (("pinned", "v1.11.1-eksbuild.8"), ("newer", "v1.12.1-eksbuild.2")):
            aws.eks.Addon(
                name, cluster_name="c", addon_name="coredns", addon_version=version, configuration_values=values
            )
        aws.eks.Addon("default", cluster_name="c", addon_name="vpc-cni", configuration_values=json.dumps({"envv": {}}))

    report = run_gates([planted(program)], only=["aws-api"], allowlist=[])
    assert [(f.subject, f.field, f.message) for f in report.findings] == [
        (
            "aws:eks/addon:Addon pinned",
            "configurationValues",
            "Additional properties are not allowed ('replicas' was unexpected)",
        ),
        ("aws:eks/addon:Addon pinned", "configurationValues.replicaCount", "'two' is not of type 'integer'"),
    ]
    notes = sorted(n.message for n in report.notes)
    assert notes[0].startswith("default: vpc-cni configuration checked against the schema of v1.15.1-eksbuild.1 only")
    assert "we pin no version (EKS installs its default for the cluster)" in notes[0]
    assert "'envv' was unexpected" in notes[0]
    assert notes[1].startswith("newer: coredns configuration checked against the schema of v1.11.1-eksbuild.8 only")
    assert "we pin v1.12.1-eksbuild.2" in notes[1] and "'replicas' was unexpected" in notes[1]


def test_attribute_catalog_comes_from_the_api_reference():
    lb = attribute_catalog("LoadBalancerAttribute")["idle_timeout.timeout_seconds"]
    assert (lb.kind, lb.minimum, lb.maximum, lb.default) == ("int", 1, 4000, "60")
    listener = attribute_catalog("ListenerAttribute")["tcp.idle_timeout.seconds"]
    assert (listener.minimum, listener.maximum, listener.default) == (60, 6000, "350")
    algorithm = attribute_catalog("TargetGroupAttribute")["load_balancing.algorithm.type"]
    assert algorithm.values == ("round_robin", "least_outstanding_requests", "weighted_random")
    assert attribute_problems("TargetGroupAttribute", "slow_start.duration_seconds", "0") is None  # 0 = off
    assert attribute_problems("TargetGroupAttribute", "stickiness.enabled", "yes") == "'yes' is not true or false"
    assert parse_string_map("a=1, b.c=x") == [("a", "1"), ("b.c", "x")]


# ---- iam-lint -------------------------------------------------------------------------------------


def test_iam_lint_flags_an_unknown_action():
    def program():
        aws.iam.Policy(
            "p",
            policy=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [{"Effect": "Allow", "Action": ["s3:GetObjekt"], "Resource": "arn:aws:s3:::bucket/*"}],
                }
            ),
        )

    [(about, field, message)] = findings(planted(program), "iam-lint")
    assert (about, field) == ("aws:iam/policy:Policy p", "policy")
    assert message.startswith("UNKNOWN_ACTION (") and "s3:GetObjekt" in message


# ---- checkov --------------------------------------------------------------------------------------


def test_checkov_flags_a_root_container_without_limits():
    assert checkov_command(), "checkov is not installed: run python -m testbed tools"

    def program():
        kubernetes.apps.v1.Deployment(
            "dep",
            metadata={"name": "d", "namespace": "app"},
            spec={
                "selector": {"matchLabels": {"a": "b"}},
                "template": {
                    "metadata": {"labels": {"a": "b"}},
                    "spec": {"containers": [{"name": "c", "image": "nginx:1.27"}]},
                },
            },
            opts=pulumi.ResourceOptions(provider=provider()),
        )

    checks = {message.split()[0] for _, _, message in findings(planted(program), "checkov")}
    assert {"CKV_K8S_23", "CKV_K8S_11", "CKV_K8S_22", "CKV_K8S_20"} <= checks


# ---- secure-defaults ------------------------------------------------------------------------------


def test_secure_defaults_catch_public_nodes_imdsv1_open_ports_loose_irsa_and_clear_credentials():
    def program():
        vpc = aws.ec2.Vpc("vpc", cidr_block="10.0.0.0/16")
        igw = aws.ec2.InternetGateway("igw", vpc_id=vpc.id)
        public = aws.ec2.Subnet("public", vpc_id=vpc.id, cidr_block="10.0.1.0/24")
        table = aws.ec2.RouteTable("rt", vpc_id=vpc.id)
        aws.ec2.Route("default", route_table_id=table.id, destination_cidr_block="0.0.0.0/0", gateway_id=igw.id)
        aws.ec2.RouteTableAssociation("assoc", route_table_id=table.id, subnet_id=public.id)
        aws.eks.NodeGroup(
            "ng",
            cluster_name="c",
            node_role_arn="r",
            subnet_ids=[public.id],
            scaling_config=aws.eks.NodeGroupScalingConfigArgs(min_size=1, max_size=1, desired_size=1),
        )
        aws.ec2.LaunchTemplate("lt", metadata_options=aws.ec2.LaunchTemplateMetadataOptionsArgs(http_tokens="optional"))
        web = aws.ec2.SecurityGroup(
            "web",
            vpc_id=vpc.id,
            ingress=[
                aws.ec2.SecurityGroupIngressArgs(protocol="tcp", from_port=80, to_port=80, cidr_blocks=["0.0.0.0/0"]),
                aws.ec2.SecurityGroupIngressArgs(protocol="tcp", from_port=22, to_port=22, cidr_blocks=["0.0.0.0/0"]),
            ],
        )
        balancer = aws.lb.LoadBalancer("alb", internal=False, security_groups=[web.id], subnets=[public.id])
        aws.lb.Listener(
            "http",
            load_balancer_arn=balancer.arn,
            port=80,
            protocol="HTTP",
            default_actions=[aws.lb.ListenerDefaultActionArgs(type="fixed-response")],
        )
        aws.iam.Role(
            "loose",
            assume_role_policy=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"Federated": "arn:aws:iam::1:oidc-provider/x"},
                            "Action": "sts:AssumeRoleWithWebIdentity",
                            "Condition": {"StringLike": {"x:sub": "system:serviceaccount:kube-system:*"}},
                        }
                    ],
                }
            ),
        )
        aws.ec2.KeyPair("key", public_key="-----BEGIN RSA PRIVATE KEY-----\nx\n-----END RSA PRIVATE KEY-----")
        pulumi.export("kubeconfig", "{}")

    found = {(s, f): m for s, f, m in findings(planted(program), "secure-defaults")}
    assert found[("aws:eks/nodeGroup:NodeGroup ng", "subnetIds")] == "public is a public subnet"
    assert found[("aws:ec2/launchTemplate:LaunchTemplate lt", "metadataOptions.httpTokens")].startswith("'optional'")
    assert found[("aws:ec2/securityGroup:SecurityGroup web", "ingress[1]")].startswith(
        "admits 0.0.0.0/0 on ports 22-22"
    )
    assert ("aws:ec2/securityGroup:SecurityGroup web", "ingress[0]") not in found, "port 80 is the ALB's listener"
    irsa = found[("aws:iam/role:Role loose", "assumeRolePolicy.Statement[0].Condition")]
    assert irsa.startswith("uses ['StringLike']") or "not exactly one service account" in irsa
    assert found[("stack outputs", "kubeconfig")] == "holds credentials but is not a secret"
    assert found[("aws:ec2/keyPair:KeyPair key", "publicKey")] == "a private key in clear"


# ---- destroy-safety -------------------------------------------------------------------------------


def eks_program(*, depend: bool):
    def program():
        eks.Cluster("eks", name="c", skip_default_node_group=True)
        p = provider()
        release = kubernetes.helm.v3.Release(
            "lbc",
            name="aws-load-balancer-controller",
            chart="aws-load-balancer-controller",
            version="3.5.0",
            opts=pulumi.ResourceOptions(provider=p),
        )
        after = pulumi.ResourceOptions(provider=p, depends_on=[release] if depend else [])
        kubernetes.core.v1.Service(
            "svc", metadata={"name": "s"}, spec={"type": "LoadBalancer", "ports": [{"port": 80}]}, opts=after
        )
        kubernetes.networking.v1.Ingress("ing", metadata={"name": "i"}, spec={"ingressClassName": "alb"}, opts=after)
        kubernetes.helm.v3.Release(
            "ops-view", chart="kube-ops-view", values={"service": {"type": "LoadBalancer"}}, opts=after
        )
        kubernetes.core.v1.Service("internal", metadata={"name": "c"}, spec={"ports": [{"port": 80}]}, opts=after)

    return program


def test_destroy_safety_requires_the_controller_release_first():
    found = findings(planted(eks_program(depend=False)), "destroy-safety")
    assert sorted(found) == [
        ("kubernetes:core/v1:Service svc", "dependencies", "does not depend on the LB controller's release"),
        ("kubernetes:helm.sh/v3:Release ops-view", "dependencies", "does not depend on the LB controller's release"),
        (
            "kubernetes:networking.k8s.io/v1:Ingress ing",
            "dependencies",
            "does not depend on the LB controller's release",
        ),
    ]
    assert findings(planted(eks_program(depend=True)), "destroy-safety") == []


def aks_program(*, safe: bool):
    def program():
        address = pulumi.CustomResource(
            "azure-native:network:PublicIPAddress",
            "pip",
            {"publicIpAddressName": "kimmap-tcp-pip", "resourceGroupName": "rg-network"},
            opts=pulumi.ResourceOptions(retain_on_delete=safe),
        )
        role = pulumi.CustomResource(
            "azure-native:authorization:RoleAssignment",
            "role",
            {"principalId": "p", "scope": "/subscriptions/s/resourceGroups/rg-network", "roleDefinitionId": "r"},
        )
        kubernetes.core.v1.Service(
            "tcp",
            metadata={"name": "t"},
            spec={"type": "LoadBalancer", "ports": [{"port": 9999}]},
            opts=pulumi.ResourceOptions(provider=provider(), depends_on=[address, role] if safe else []),
        )

    return program


def test_destroy_safety_keeps_the_fixed_ip_and_orders_the_azure_service():
    found = findings(planted(aks_program(safe=False)), "destroy-safety")
    assert sorted(found) == [
        (
            "azure-native:network:PublicIPAddress pip",
            "retainOnDelete",
            "the fixed public IP would be deleted with the stack",
        ),
        ("kubernetes:core/v1:Service tcp", "dependencies", "does not depend on the network role assignment"),
        ("kubernetes:core/v1:Service tcp", "dependencies", "does not depend on the public IP"),
    ]
    assert findings(planted(aks_program(safe=True)), "destroy-safety") == []


# ---- config-sweep ---------------------------------------------------------------------------------


def test_config_sweep_catches_a_knob_that_crashes_or_accepts_anything(monkeypatch):
    from pydantic import field_validator

    from stacks.aws_base import LbControllerConfig
    from stacks.eks_base import Config as EksBase

    class Sloppy(EksBase):
        @field_validator("tags", mode="before")
        @classmethod
        def _crash(cls, value):
            return {str(k): str(v) for k, v in value.items()}  # AttributeError on a list: a traceback

        @field_validator("lb_controller", mode="wrap")
        @classmethod
        def _swallow(cls, value, handler):
            try:
                return handler(value)
            except ValueError:
                return LbControllerConfig()  # silently falls back: a bad value is accepted

    monkeypatch.setattr(sweep_module, "scenario_module", lambda name: types.SimpleNamespace(Config=Sloppy))
    raw = read_stack_config("eks-base")
    stack = Stack(Plan("eks-base", run_program("eks-base", raw)), raw)
    found = {(about, problem): message for about, problem, message in findings(stack, "config-sweep")}
    assert found[("testbed:tags", "wrong type")].startswith("raised AttributeError")
    assert found[("testbed:lbController.replicaCount", "below the minimum")] == """accepted '{"replicaCount": 0}'"""
    assert found[("testbed:lbController.noSuchKey", "unknown key")].startswith("accepted")


def test_config_sweep_catches_lax_types_unsafe_text_and_a_lenient_file_reader(monkeypatch):
    import yaml
    from pydantic import ConfigDict

    from stacks.aws_base import LbControllerConfig
    from stacks.config import engine_value
    from stacks.eks_base import Config as EksBase

    class LaxLb(LbControllerConfig):
        model_config = ConfigDict(strict=False)  # true becomes 1, "2" becomes 2

    class Sloppy(EksBase):
        lb_controller: LaxLb = LaxLb()

    def lenient(text: str, where: str) -> dict[str, str]:  # PyYAML's own reading: the last duplicate wins
        document = yaml.safe_load(text)
        return (
            {k: engine_value(v) for k, v in (document.get("config") or {}).items()}
            if isinstance(document, dict)
            else {}
        )

    monkeypatch.setattr(sweep_module, "scenario_module", lambda name: types.SimpleNamespace(Config=Sloppy))
    monkeypatch.setattr(sweep_module, "parse_stack_text", lenient)
    raw = read_stack_config("eks-base")
    stack = Stack(Plan("eks-base", run_program("eks-base", raw)), raw)
    found = {(about, problem): message for about, problem, message in findings(stack, "config-sweep")}
    assert found[("testbed:lbController.replicaCount", "true for a number")].startswith("accepted")
    assert found[("testbed:lbController.replicaCount", "quoted number")].startswith("accepted")
    assert found[("Pulumi.eks-base.yaml", "duplicate key")] == "accepted"
    assert found[("Pulumi.eks-base.yaml", "null value")] == "accepted"
    assert ("testbed:clusterName", "CR LF in text") not in found, "the real reader refuses CR LF"


def test_config_sweep_cases_hold_the_new_classes():
    from stacks.eks_base import Config as EksBase

    problems = {(case[1], case[2]) for case in sweep_module.cases(EksBase, read_stack_config("eks-base"))}
    for expected in (
        ("testbed:clusterName", "CR LF in text"),
        ("testbed:clusterName", "NUL in text"),
        ("testbed:nodeGroups.infra.maxSize", "null"),
        ("testbed:nodeGroups.infra.maxSize", "true for a number"),
        ("testbed:tags", "too many tags"),
        ("testbed:tags", "reserved tag prefix"),
        ("aws:rgeion", "provider key typo"),
    ):
        assert expected in problems, expected


def test_config_sweep_covers_every_key_of_the_seed_stack():
    from stacks.eks_base import Config as EksBase

    shown = {case[1] for case in sweep_module.cases(EksBase, read_stack_config("eks-base"))}
    for key in (
        "aws:region",
        "testbed:clusterName",
        "testbed:network.natGateways",
        "testbed:cluster.corednsReplicas",
        "testbed:nodeGroups.infra.maxSize",
        "testbed:nodeGroups.client.capacityType",
        "testbed:lbController.replicaCount",
        "testbed:noSuchKey",
        "testbed:network.noSuchKey",
    ):
        assert key in shown, key


# ---- every stack, every gate ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def all_stacks(plan_stack) -> list[Stack]:
    stacks = []
    for name in known_stacks():
        raw = read_stack_config(name)
        stacks.append(Stack(Plan(raw.get("testbed:scenario", name), plan_stack(name)), raw, today=PINNED_TODAY))
    return stacks


@pytest.fixture(scope="module")
def allowlist():
    return load_allowlist()


@pytest.fixture(scope="module")
def all_report(all_stacks, allowlist):
    """`python -m testbed check --all`, once."""
    return run_gates(all_stacks, allowlist=allowlist)


def test_every_stack_passes_every_gate(all_report):
    assert [f.line() for f in all_report.findings] == []


def test_every_allowlist_entry_has_a_reason_and_is_used(all_report, allowlist):
    assert all(entry.reason.strip() for entry in allowlist)
    used = {id(allowed) for _, allowed in all_report.allowed}
    unused = [entry for entry in allowlist if id(entry) not in used]
    assert unused == [], "remove allow-list entries nothing needs"
