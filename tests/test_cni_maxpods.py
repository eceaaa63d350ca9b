"""SCENARIOS.md `cni-maxpods` and issue 6, item by item, on the recorded graph of stacks/Pulumi.cni-maxpods.yaml.

Expected values are seed 001's (the study's CloudFormation bed: 192.168.0.0/16 over three zones,
ng1 of three t3.medium, one per zone; netshoot x3; kube-ops-view chart 1.2.2 with TZ Asia/Seoul;
nginx:alpine x2 scaled to 50) and EKS's max-pods numbers (17 / 110), written here; none is read
back from the mock or the stack file.
"""

from __future__ import annotations

import base64
import functools
import json

import pytest

from k8s.versions import KUBE_OPS_VIEW
from stacks import scenario_module
from stacks.config import load_config
from testbed.engine import Recording, run_program
from testbed.plan import Plan, plan_json
from tests import plans
from tests.graph import by_id, deployed, installed, json_input, of_type, one, revealed

STACK = "cni-maxpods"
ZONES = ["ap-northeast-2a", "ap-northeast-2b", "ap-northeast-2c"]
CLUSTER = "myeks"
NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"
ADDON = "aws:eks/addon:Addon"
RELEASE = "kubernetes:helm.sh/v3:Release"
SERVICE = "kubernetes:core/v1:Service"
DEPLOYMENT = "kubernetes:apps/v1:Deployment"
INSTANCE = "aws:ec2/instance:Instance"
Config = scenario_module(STACK).Config


@pytest.fixture(scope="module")
def bed(plan_stack) -> Recording:
    return plan_stack(STACK)


def plan_with(**overrides) -> Recording:
    return plans.plan_with(STACK, **overrides)


def delegated() -> Recording:
    return plan_with(**{"testbed:vpcCni": {"enablePrefixDelegation": True, "warmPrefixTarget": 1}})


def subnets(plan, kind: str):
    return {
        s.inputs["availabilityZone"]: s
        for s in of_type(plan, "aws:ec2/subnet:Subnet")
        if s.name.startswith(f"net-{kind}-")
    }


# ---- network and node group ------------------------------------------------------------------


def test_three_zones_with_a_public_and_a_private_subnet_each(bed):
    assert one(bed, "aws:ec2/vpc:Vpc").inputs["cidrBlock"] == "192.168.0.0/16"
    assert sorted(subnets(bed, "public")) == ZONES
    assert sorted(subnets(bed, "private")) == ZONES
    assert len(of_type(bed, "aws:ec2/subnet:Subnet")) == 6


def test_ng1_is_three_t3_medium_one_per_zone_labelled_infra(bed):
    [group] = of_type(bed, NODE_GROUP)
    assert group.inputs["nodeGroupName"] == "ng1"
    assert group.inputs["clusterName"] == CLUSTER
    assert group.inputs["instanceTypes"] == ["t3.medium"]
    assert group.inputs["scalingConfig"] == {"minSize": 3, "maxSize": 3, "desiredSize": 3}
    assert group.inputs["labels"] == {"role": "infra"}
    placed = [by_id(bed, s) for s in group.inputs["subnetIds"]]
    assert [s.inputs["availabilityZone"] for s in placed] == ZONES, "one private subnet per zone: the ASG spreads"
    assert all(s.name.startswith("net-private-") for s in placed)


# ---- VPC CNI ---------------------------------------------------------------------------------


def test_vpc_cni_is_our_eks_addon_with_delegation_off(bed):
    addon = one(bed, ADDON, "cluster-vpc-cni")
    assert addon.inputs["addonName"] == "vpc-cni"
    assert addon.inputs["clusterName"] == CLUSTER
    assert json_input(addon, "configurationValues") == {
        "env": {"ENABLE_PREFIX_DELEGATION": "false", "WARM_PREFIX_TARGET": "1"}
    }
    assert addon.inputs["resolveConflictsOnCreate"] == "OVERWRITE"
    assert one(bed, "eks:index:Cluster").urn in addon.dependencies


def test_pulumi_eks_does_not_manage_a_second_vpc_cni(bed, eks_base):
    assert one(bed, "eks:index:Cluster").inputs["useDefaultVpcCni"] is True
    # Scenarios without the knob keep pulumi-eks's own add-on, untouched.
    assert "useDefaultVpcCni" not in one(eks_base, "eks:index:Cluster").inputs
    assert [a.inputs["addonName"] for a in of_type(eks_base, ADDON)] == ["coredns"]


def test_vpc_cni_addon_is_created_before_the_node_group(bed):
    addon = one(bed, ADDON, "cluster-vpc-cni")
    group = one(bed, NODE_GROUP, "cluster-ng1")
    assert addon.urn in group.explicit_dependencies


def test_without_delegation_eks_calculates_max_pods(bed):
    template = by_id(bed, one(bed, NODE_GROUP, "cluster-ng1").inputs["launchTemplate"]["id"])
    assert "userData" not in template.inputs
    assert "imageId" not in template.inputs, "no custom AMI: EKS computes and enforces max pods"
    assert bed.outputs["maxPods"]["ng1"]["perNode"] == 17
    assert bed.outputs["maxPods"]["ng1"]["prefixDelegation"] is False


def test_with_delegation_nodes_get_110_through_a_nodeadm_nodeconfig():
    plan = delegated()
    addon = one(plan, ADDON, "cluster-vpc-cni")
    assert json_input(addon, "configurationValues") == {
        "env": {"ENABLE_PREFIX_DELEGATION": "true", "WARM_PREFIX_TARGET": "1"}
    }
    group = one(plan, NODE_GROUP, "cluster-ng1")
    assert addon.urn in group.explicit_dependencies
    template = by_id(plan, group.inputs["launchTemplate"]["id"])
    user_data = base64.b64decode(template.inputs["userData"]).decode()
    assert "Content-Type: application/node.eks.aws" in user_data
    assert 'maxPodsExpression: "110"' in user_data
    assert plan.outputs["maxPods"]["ng1"]["perNode"] == 110
    assert plan.outputs["maxPods"]["ng1"]["kubeReservedMemoryMiB"] == 11 * 110 + 255


def test_delegation_changes_only_the_cni_settings_the_templates_and_the_numbers(bed):
    plan = delegated()
    changed = {
        r.name for r, s in zip(plan.resources, bed.resources, strict=True) if (r.urn, r.inputs) != (s.urn, s.inputs)
    }
    # The node group then rolls to the template's new version (the mock's version number stays 1).
    assert changed == {"cluster-vpc-cni", "cluster-lt-ng1"}


# ---- pod arithmetic --------------------------------------------------------------------------


def test_outputs_say_how_many_pods_fit_and_how_many_stay_pending(bed):
    capacity = bed.outputs["podCapacity"]
    assert capacity["maxPodsPerNode"] == {"ng1": 17}
    assert capacity["nodes"] == 3
    assert capacity["total"] == 3 * 17
    # What the bed runs before nginx: aws-node and kube-proxy on each node, netshoot x3,
    # CoreDNS x1, metrics-server x1, the LB controller x2 and kube-ops-view x1.
    assert capacity["podsBeforeNginxByWorkload"] == {
        "aws-node": 3,
        "kube-proxy": 3,
        "netshoot-pod": 3,
        "coredns": 1,
        "metrics-server": 1,
        "aws-load-balancer-controller": 2,
        "kube-ops-view": 1,
    }
    assert capacity["podsBeforeNginx"] == 14
    assert capacity["schedulableForNginx"] == 51 - 14
    assert capacity["atDeployedReplicas"] == {"replicas": 2, "running": 2, "pending": 0}
    assert capacity["atScaleTo"] == {"replicas": 50, "running": 37, "pending": 13}


def test_with_delegation_all_fifty_run():
    capacity = delegated().outputs["podCapacity"]
    assert capacity["total"] == 3 * 110
    assert capacity["atScaleTo"] == {"replicas": 50, "running": 50, "pending": 0}


# ---- workloads -------------------------------------------------------------------------------


def test_kube_ops_view_is_the_seeds_chart_with_its_timezone(bed):
    release = one(bed, RELEASE, "kube-ops-view-release")
    assert installed(release) == ("kube-ops-view", "kube-system", KUBE_OPS_VIEW)
    values = revealed(release.inputs["values"])
    assert values["env"] == {"TZ": "Asia/Seoul"}
    assert values["nodeSelector"] == {"role": "infra"}
    assert values["securityContext"]["runAsNonRoot"] is True
    assert one(bed, NODE_GROUP, "cluster-ng1").urn in release.explicit_dependencies


def test_kube_ops_view_is_exposed_by_an_nlb_the_controller_reconciles(bed):
    service = one(bed, SERVICE, "kube-ops-view-nlb")
    assert service.inputs["metadata"]["namespace"] == "kube-system"
    spec = service.inputs["spec"]
    assert spec["type"] == "LoadBalancer"
    assert spec["loadBalancerClass"] == "service.k8s.aws/nlb"
    assert spec["ports"] == [{"name": "http", "port": 8080, "targetPort": 8080, "protocol": "TCP"}]
    assert spec["loadBalancerSourceRanges"] == ["0.0.0.0/0"]
    # The chart's pods (k8s-at-home common library selector labels of release kube-ops-view).
    assert spec["selector"] == {
        "app.kubernetes.io/name": "kube-ops-view",
        "app.kubernetes.io/instance": "kube-ops-view",
    }
    annotations = service.inputs["metadata"]["annotations"]
    assert annotations["service.beta.kubernetes.io/aws-load-balancer-scheme"] == "internet-facing"
    assert annotations["service.beta.kubernetes.io/aws-load-balancer-nlb-target-type"] == "ip"
    assert one(bed, RELEASE, "lbc-release").urn in service.explicit_dependencies
    assert one(bed, RELEASE, "kube-ops-view-release").urn in service.explicit_dependencies


def test_netshoot_is_three_idle_pods_spread_over_the_nodes(bed):
    deployment = one(bed, DEPLOYMENT, "netshoot-deployment")
    assert deployed(deployment) == ("netshoot-pod", "default", 3)
    spec = deployment.inputs["spec"]
    pod = spec["template"]["spec"]
    assert pod["terminationGracePeriodSeconds"] == 0
    [container] = pod["containers"]
    assert container["image"].startswith("nicolaka/netshoot:v")
    assert (container["command"], container["args"]) == (["tail"], ["-f", "/dev/null"])
    assert container["securityContext"]["runAsNonRoot"] is True
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    [spread] = pod["topologySpreadConstraints"]
    assert (spread["topologyKey"], spread["maxSkew"], spread["whenUnsatisfiable"]) == (
        "kubernetes.io/hostname",
        1,
        "DoNotSchedule",
    )
    assert spread["labelSelector"]["matchLabels"] == spec["selector"]["matchLabels"]
    assert spec["selector"]["matchLabels"]["app"] == "netshoot-pod"


def test_nginx_is_the_seeds_deployment_with_two_replicas(bed):
    deployment = one(bed, DEPLOYMENT, "nginx-deployment")
    assert deployed(deployment) == ("nginx-deployment", "default", 2)
    spec = deployment.inputs["spec"]
    assert spec["selector"]["matchLabels"]["app"] == "nginx"
    [container] = spec["template"]["spec"]["containers"]
    image, _, tag = container["image"].partition(":")
    assert image == "nginx" and tag.endswith("-alpine") and tag[0].isdigit(), "nginx:alpine, pinned to a release"
    assert container["ports"] == [{"containerPort": 80, "name": "http"}]
    assert container["readinessProbe"]["httpGet"]["port"] == 80
    # More replicas than pod slots must not make `pulumi up` wait forever.
    assert deployment.inputs["metadata"]["annotations"]["pulumi.com/skipAwait"] == "true"


def test_nginx_replicas_knob():
    deployment = one(plan_with(**{"testbed:nginx": {"replicas": 50, "scaleTo": 50}}), DEPLOYMENT, "nginx-deployment")
    assert deployment.inputs["spec"]["replicas"] == 50


# ---- outputs ---------------------------------------------------------------------------------


def test_outputs_carry_the_seeds_commands_and_the_dashboard_url(bed):
    commands = bed.outputs["commands"]
    assert commands["scaleNginx"] == "kubectl scale deployment nginx-deployment --replicas=50"
    assert commands["countPending"] == (
        "kubectl get pods -l app=nginx --field-selector=status.phase=Pending --no-headers | wc -l"
    )
    assert commands["kubeOpsViewUrl"].startswith(
        "kubectl get svc -n kube-system kube-ops-view-nlb -o jsonpath={.status.loadBalancer.ingress[0].hostname}"
    )
    assert ':8080/#scale=1.5"}' in commands["kubeOpsViewUrl"]
    assert commands["netshootPods"] == "kubectl get pod -o wide -l app=netshoot-pod"
    assert commands["kubeconfig"] == f"aws eks update-kubeconfig --region ap-northeast-2 --name {CLUSTER}"
    url = bed.outputs["kubeOpsViewUrl"]
    assert url.startswith("http://") and url.endswith(".elb.ap-northeast-2.amazonaws.com:8080/#scale=1.5")


# ---- bastion ---------------------------------------------------------------------------------


def test_no_bastion_by_default(bed):
    assert of_type(bed, INSTANCE) == []
    assert "bastion" not in bed.outputs


def test_ssm_bastion_in_the_first_public_subnet_reaching_nodes_and_pods():
    plan = plan_with(**{"testbed:bastion": {"enabled": True}})
    instance = one(plan, INSTANCE, "bastion-instance")
    assert by_id(plan, instance.inputs["subnetId"]).name == "net-public-ap-northeast-2a"
    assert instance.inputs["associatePublicIpAddress"] is True
    assert instance.inputs["metadataOptions"]["httpTokens"] == "required"
    assert one(plan, "aws:ec2/securityGroup:SecurityGroup", "bastion-sg").inputs.get("ingress", []) == []
    rule = one(plan, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "bastion-to-cluster")
    # Into the EKS cluster security group (nodes and their pods carry it), from the bastion's own.
    assert one(plan, "eks:index:Cluster").urn in rule.dependencies
    assert rule.inputs["referencedSecurityGroupId"] == one(plan, "aws:ec2/securityGroup:SecurityGroup", "bastion-sg").id
    assert rule.inputs["ipProtocol"] == "-1"
    assert plan.outputs["commands"]["bastionSession"].startswith(
        "aws ssm start-session --region ap-northeast-2 --target i-"
    )
    assert "bastionSsh" not in plan.outputs["commands"]


def test_ssh_bastion_only_from_the_configured_cidr():
    plan = plan_with(
        **{"testbed:bastion": {"enabled": True, "access": "ssh", "sshCidr": "203.0.113.7/32", "keyName": "kp-gasida"}}
    )
    [rule] = one(plan, "aws:ec2/securityGroup:SecurityGroup", "bastion-sg").inputs["ingress"]
    assert (rule["fromPort"], rule["toPort"], rule["cidrBlocks"]) == (22, 22, ["203.0.113.7/32"])
    assert one(plan, INSTANCE, "bastion-instance").inputs["keyName"] == "kp-gasida"
    assert plan.outputs["commands"]["bastionSsh"].startswith("ssh ec2-user@203.0.113.")


# ---- config ----------------------------------------------------------------------------------


load = functools.partial(plans.load_stack, Config, STACK)
problems = functools.partial(plans.refusal, Config, STACK)


def test_defaults_are_the_seeds():
    cfg = load_config(Config, {"aws:region": "ap-northeast-2"}, stack=STACK)
    assert cfg.availability_zones == ZONES
    assert cfg.network.vpc_cidr == "192.168.0.0/16"
    group = cfg.node_groups["ng1"]
    assert (group.instance_type, group.min_size, group.max_size, group.desired_size) == ("t3.medium", 3, 3, 3)
    assert group.availability_zones == ZONES
    assert group.labels == {"role": "infra"}
    assert cfg.vpc_cni.enable_prefix_delegation is False
    assert cfg.bastion.enabled is False
    assert cfg.kube_ops_view.timezone == "Asia/Seoul"
    assert (cfg.netshoot.replicas, cfg.nginx.replicas, cfg.nginx.scale_to) == (3, 2, 50)


def test_only_the_region_reproduces_the_seed_stack(bed):
    minimal = run_program(STACK, {"aws:region": "ap-northeast-2", "testbed:clusterName": CLUSTER})
    assert plan_json(Plan(STACK, minimal)) == plan_json(Plan(STACK, bed))


def test_node_groups_without_zones_span_every_zone_of_the_region():
    cfg = load_config(
        Config,
        {"aws:region": "eu-west-1", "testbed:nodeGroups": json.dumps({"ng1": {"labels": {"role": "infra"}}})},
        stack="s",
    )
    assert cfg.node_groups["ng1"].availability_zones == ["eu-west-1a", "eu-west-1b", "eu-west-1c"]


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        (
            {
                "testbed:vpcCni": {"enablePrefixDelegation": True},
                "testbed:nodeGroups": {"ng1": {"instanceType": "t2.medium", "labels": {"role": "infra"}}},
            },
            "testbed:nodeGroups.ng1.instanceType: 't2.medium' is not a Nitro instance type and prefix delegation"
            " needs one (families c5, m5, m6i, t3, t3a, e.g. t3.medium)",
        ),
        (
            {
                "testbed:vpcCni": {"enablePrefixDelegation": True},
                "testbed:nodeGroups": {"ng1": {"instanceType": "m4.large", "labels": {"role": "infra"}}},
            },
            "testbed:nodeGroups.ng1.instanceType: 'm4.large' is not a Nitro instance type and prefix delegation"
            " needs one (families c5, m5, m6i, t3, t3a, e.g. t3.medium)",
        ),
        (
            {"testbed:nodeGroups": {"ng1": {"instanceType": "r5.large", "labels": {"role": "infra"}}}},
            "testbed:nodeGroups.ng1.instanceType: 'r5.large' is not in the max-pods table"
            " (families c4, c5, m4, m5, m6i, t2, t3, t3a); add it to components/aws/max_pods.json",
        ),
        (
            {"testbed:vpcCni": {"warmPrefixTarget": 0}},
            "testbed:vpcCni.warmPrefixTarget: 0: at least 1",
        ),
        (
            {"testbed:bastion": {"enabled": True, "access": "ssh", "sshCidr": "0.0.0.0/0", "keyName": "kp"}},
            "testbed:bastion.sshCidr: 0.0.0.0/0 opens SSH to the whole internet; allow only your own address,"
            " e.g. 203.0.113.7/32",
        ),
        (
            {"testbed:bastion": {"enabled": True, "access": "ssh", "keyName": "kp"}},
            "testbed:bastion.sshCidr: missing; SSH access needs the one CIDR allowed to port 22, e.g. 203.0.113.7/32",
        ),
        (
            {"testbed:bastion": {"enabled": True, "access": "ssh", "sshCidr": "my laptop", "keyName": "kp"}},
            "testbed:bastion.sshCidr: 'my laptop' is not an IPv4 CIDR like 203.0.113.7/32",
        ),
        (
            {"testbed:bastion": {"enabled": True, "access": "ssh", "sshCidr": "203.0.113.7/32"}},
            "testbed:bastion.keyName: missing; SSH access needs the name of an existing EC2 key pair",
        ),
        (
            {"testbed:bastion": {"enabled": True, "sshCidr": "203.0.113.7/32"}},
            "testbed:bastion.sshCidr: '203.0.113.7/32' is only used with SSH access; SSM access opens no port",
        ),
        (
            {"testbed:bastion": {"enabled": True, "keyName": "kp"}},
            "testbed:bastion.keyName: 'kp' is only used with SSH access; SSM access needs no key pair",
        ),
        (
            {"testbed:bastion": {"access": "telnet"}},
            "testbed:bastion.access: 'telnet': one of ssm, ssh",
        ),
        (
            {"testbed:kubeOpsView": {"allowedCidrs": ["everyone"]}},
            "testbed:kubeOpsView.allowedCidrs: 'everyone' is not an IPv4 CIDR like 203.0.113.7/32",
        ),
        (
            {"testbed:nginx": {"replicas": -1}},
            "testbed:nginx.replicas: -1: at least 0",
        ),
    ],
)
def test_bad_knobs_are_one_line_naming_the_key(overrides, expected):
    assert problems(**overrides) == [expected]


def test_cluster_component_rejects_delegation_on_non_nitro_nodes():
    from components.aws import Cluster, ClusterArgs, Network, NetworkArgs, NodeGroupSpec
    from components.aws.cluster import VpcCniSpec
    from components.errors import ArgsError

    errors = []

    def program():
        net = Network("net", NetworkArgs(availability_zones=ZONES, cluster_name="demo"))
        try:
            Cluster(
                "c",
                ClusterArgs(
                    cluster_name="demo",
                    vpc_id=net.vpc_id,
                    private_subnet_ids=net.private_subnet_ids,
                    public_subnet_ids=net.public_subnet_ids,
                    node_groups={
                        "old": NodeGroupSpec(instance_type="m4.large", labels={"role": "infra"}),
                        "arm": NodeGroupSpec(instance_type="t3.small", ami_type="BOTTLEROCKET_x86_64"),
                    },
                    vpc_cni=VpcCniSpec(enable_prefix_delegation=True, warm_prefix_target=0),
                ),
            )
        except ArgsError as err:
            errors.append(str(err).splitlines())

    recording = run_program("t", {"aws:region": "ap-northeast-2"}, program=program)
    assert errors == [
        [
            "Cluster: vpc_cni.warm_prefix_target: 0 is below 1 (0 is not supported by the VPC CNI)",
            "Cluster: node_groups['old'].instance_type: 'm4.large' is not a Nitro instance type and prefix"
            " delegation needs one (families c5, m5, m6i, t3, t3a, e.g. t3.medium)",
            "Cluster: node_groups['arm'].ami_type: 'BOTTLEROCKET_x86_64': max pods reach the nodes as a nodeadm"
            " NodeConfig, which needs an AL2023 AMI type",
        ]
    ]
    assert of_type(recording, "eks:index:Cluster") == []
