"""Components used directly, as a platform team would: their graphs, their validation, two at once."""

from __future__ import annotations

import json

import pulumi
import pytest

from components import aws
from components.component import camel_case
from components.errors import ArgsError
from testbed.engine import run_program
from tests.graph import ancestors, by_id, json_input, of_type, one, revealed
from tests.plans import stack_config
from tests.rejections import rejections

ZONES = ("eu-west-1a", "eu-west-1b", "eu-west-1c")
CONFIG = {"aws:region": "eu-west-1"}


def network(name: str = "net", **overrides) -> aws.Network:
    return aws.Network(name, aws.NetworkArgs(**{"availability_zones": ZONES, "cluster_name": "demo", **overrides}))


def test_nat_per_zone_routes_each_zone_through_its_own_nat():
    recording = run_program("t", CONFIG, program=lambda: network(nat_gateways="one-per-az"))
    nats = of_type(recording, "aws:ec2/natGateway:NatGateway")
    assert sorted(by_id(recording, n.inputs["subnetId"]).inputs["availabilityZone"] for n in nats) == list(ZONES)
    assert len(of_type(recording, "aws:ec2/eip:Eip")) == 3
    for zone in ZONES:
        route = one(recording, "aws:ec2/route:Route", f"net-private-{zone}-default")
        nat = by_id(recording, route.inputs["natGatewayId"])
        assert by_id(recording, nat.inputs["subnetId"]).inputs["availabilityZone"] == zone


def test_two_networks_coexist_and_every_child_is_parented():
    def program():
        network("a")
        network("b", cidr_block="10.1.0.0/16")

    recording = run_program("t", CONFIG, program=program)
    components = of_type(recording, "testbed:aws:Network")
    assert sorted(c.name for c in components) == ["a", "b"]
    for resource in recording.resources:
        if resource.type != "testbed:aws:Network":
            assert ancestors(recording, resource)[-1] in ("a", "b")
            assert resource.name.startswith(f"{ancestors(recording, resource)[-1]}-")
    vpcs = {v.inputs["cidrBlock"] for v in of_type(recording, "aws:ec2/vpc:Vpc")}
    assert vpcs == {"10.0.0.0/16", "10.1.0.0/16"}


def test_network_validates_everything_before_creating_anything():
    [err], recording = rejections(
        CONFIG,
        lambda: network(
            availability_zones=("eu-west-1a",), cidr_block="8.8.0.0/16", cluster_name="", nat_gateways="many"
        ),
    )
    assert [field for field, _ in err.problems] == ["availability_zones", "cidr_block", "nat_gateways", "cluster_name"]
    assert (
        str(err).splitlines()[0]
        == "Network: availability_zones: EKS needs subnets in at least 2 zones, got ['eu-west-1a']"
    )
    assert [r.type for r in recording.resources] == ["testbed:aws:Network"], "no child before validation passes"


def test_network_refuses_the_tags_aws_refuses():
    [err], _ = rejections(
        CONFIG, lambda: network(tags={"aws:owner": "me", "team": "x" * 257, **{f"t{i}": "v" for i in range(46)}})
    )
    assert str(err).splitlines() == [
        "Network: tags: 48 tags: at most 47 (AWS allows 50 per resource)",
        "Network: tags[aws:owner]: key 'aws:owner': not starting with aws: (AWS's own)",
        "Network: tags[team]: value '" + "x" * 56 + "... (257 characters): at most 256 characters",
    ]


GROUPS = {
    "system": aws.NodeGroupSpec(instance_type="t3.large", labels={"role": "system"}),
    "apps": aws.NodeGroupSpec(instance_type="m6i.large", min_size=0, max_size=3, desired_size=2),
}


def cluster_args(net: aws.Network, node_groups=GROUPS, **overrides) -> aws.ClusterArgs:
    """The cluster "demo" in `net`, with `node_groups` and `overrides`."""
    args = {
        "cluster_name": "demo",
        "vpc_id": net.vpc_id,
        "private_subnet_ids": net.private_subnet_ids,
        "public_subnet_ids": net.public_subnet_ids,
        "node_groups": node_groups,
        **overrides,
    }
    return aws.ClusterArgs(**args)


def cluster_program(node_groups=GROUPS, **overrides):
    def program():
        net = network(availability_zones=ZONES[:2])
        cluster = aws.Cluster("c", cluster_args(net, node_groups, **overrides))
        aws.LoadBalancerController(
            "lbc",
            aws.LoadBalancerControllerArgs(
                cluster_name=cluster.cluster_name,
                region="eu-west-1",
                vpc_id=net.vpc_id,
                oidc_provider_arn=cluster.oidc_provider_arn,
                oidc_issuer=cluster.oidc_issuer,
                provider=cluster.provider,
                wait_for=cluster.system_node_groups,
                extra_values={"serviceAccount": {"annotations": {"x": "y"}}, "replicaCount": 1},
            ),
        )

    return program


def test_cluster_defaults_are_neutral_only_the_given_groups_in_the_first_zone_system_pods_anywhere():
    recording = run_program("t", CONFIG, program=cluster_program())
    groups = {g.inputs["nodeGroupName"]: g for g in of_type(recording, "aws:eks/nodeGroup:NodeGroup")}
    assert sorted(groups) == ["apps", "system"]
    assert groups["apps"].inputs["instanceTypes"] == ["m6i.large"]
    assert groups["apps"].inputs["scalingConfig"] == {"minSize": 0, "maxSize": 3, "desiredSize": 2}
    assert groups["system"].inputs["labels"] == {"role": "system"}
    for group in groups.values():
        [subnet] = group.inputs["subnetIds"]
        assert by_id(recording, subnet).inputs["availabilityZone"] == "eu-west-1a"
    # No system node selector by default: CoreDNS (the add-on's 2 replicas), metrics-server and
    # the controller may run on any node, and wait for every group.
    coredns = one(recording, "aws:eks/addon:Addon")
    assert json_input(coredns, "configurationValues") == {"replicaCount": 2}
    assert sorted(coredns.explicit_dependencies) == sorted(g.urn for g in groups.values())
    assert one(recording, "kubernetes:helm.sh/v3:Release", "c-metrics-server").inputs["values"]["nodeSelector"] == {}
    lbc = revealed(one(recording, "kubernetes:helm.sh/v3:Release", "lbc-release").inputs["values"])
    assert lbc["nodeSelector"] == {}


def test_a_node_group_spec_checks_itself_as_it_is_made():
    # The spec's own rules run once, in the spec: a program and a stack file get the same message.
    with pytest.raises(ArgsError, match=r"^NodeGroupSpec: desired_size: need min <= desired <= max, got 2 <= 1 <= 3$"):
        aws.NodeGroupSpec(instance_type="t3.medium", min_size=2, desired_size=1, max_size=3)
    with pytest.raises(ArgsError, match=r"^Taint: key: taint key '' is not a valid Kubernetes taint key$"):
        aws.Taint(key="")


def test_cluster_requires_node_groups():
    with pytest.raises(TypeError, match="node_groups"):
        aws.ClusterArgs(cluster_name="demo", vpc_id="vpc-1", private_subnet_ids={}, public_subnet_ids={})  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="instance_type"):
        aws.NodeGroupSpec()  # type: ignore[call-arg]


def test_tainted_system_nodes_get_tolerations_everywhere():
    groups = {
        "system": aws.NodeGroupSpec(
            instance_type="t3.medium", labels={"role": "infra"}, taints=[aws.Taint(key="dedicated", value="infra")]
        ),
        "apps": aws.NodeGroupSpec(
            instance_type="t3.medium", labels={"role": "apps"}, availability_zones=["eu-west-1b"]
        ),
    }
    recording = run_program(
        "t", CONFIG, program=cluster_program(node_groups=groups, system_node_selector={"role": "infra"})
    )
    toleration = {"key": "dedicated", "operator": "Equal", "value": "infra", "effect": "NoSchedule"}
    coredns = one(recording, "aws:eks/addon:Addon")
    assert json_input(coredns, "configurationValues")["tolerations"] == [toleration]
    metrics = one(recording, "kubernetes:helm.sh/v3:Release", "c-metrics-server")
    assert metrics.inputs["values"]["tolerations"] == [toleration]
    tainted = one(recording, "aws:eks/nodeGroup:NodeGroup", "c-system")
    assert tainted.inputs["taints"] == [{"key": "dedicated", "value": "infra", "effect": "NO_SCHEDULE"}]
    assert coredns.explicit_dependencies == [tainted.urn]


def test_lb_controller_user_values_merge_last():
    recording = run_program("t", CONFIG, program=cluster_program())
    values = revealed(one(recording, "kubernetes:helm.sh/v3:Release", "lbc-release").inputs["values"])
    assert values["serviceAccount"] == {
        "create": False,
        "name": "aws-load-balancer-controller",
        "annotations": {"x": "y"},
    }
    assert values["replicaCount"] == 1


def test_restricted_public_endpoint():
    recording = run_program(
        "t", CONFIG, program=cluster_program(public_access_cidrs=("203.0.113.7/32",), endpoint_private_access=True)
    )
    assert one(recording, "eks:index:Cluster").inputs["publicAccessCidrs"] == ["203.0.113.7/32"]
    private_only = run_program("t", CONFIG, program=cluster_program(endpoint_public_access=False))
    inputs = one(private_only, "eks:index:Cluster").inputs
    assert inputs["endpointPublicAccess"] is False
    assert "publicAccessCidrs" not in inputs


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"cluster_name": "bad name"}, "Cluster: cluster_name: 'bad name' must start with a letter or digit"),
        (
            {"kubernetes_version": "latest"},
            "Cluster: kubernetes_version: 'latest' is not a Kubernetes minor version like \"1.33\"",
        ),
        (
            {
                "node_groups": {
                    "infra": aws.NodeGroupSpec(
                        instance_type="t3.medium", labels={"role": "infra"}, availability_zones=["eu-west-1c"]
                    )
                }
            },
            "Cluster: node_groups['infra'].availability_zones: 'eu-west-1c' is not one of the network's zones",
        ),
        (
            {
                "node_groups": {"apps": aws.NodeGroupSpec(instance_type="t3.medium", labels={"role": "apps"})},
                "system_node_selector": {"role": "infra"},
            },
            "Cluster: system_node_selector: no node group has labels {'role': 'infra'}",
        ),
        ({"endpoint_public_access": False, "endpoint_private_access": False}, "Cluster: endpoint_private_access:"),
    ],
)
def test_cluster_argument_errors_name_the_field(overrides, expected):
    [err], _ = rejections(CONFIG, cluster_program(**overrides))
    assert str(err).startswith(expected)


def test_node_policies_follow_the_partition():
    recording = run_program("t", CONFIG, program=cluster_program())
    arns = [a.inputs["policyArn"] for a in of_type(recording, "aws:iam/rolePolicyAttachment:RolePolicyAttachment")]
    assert "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy" in arns
    policy = one(recording, "aws:iam/policy:Policy")
    assert all(
        r.startswith("arn:aws:") or r == "*"
        for s in json_input(policy, "policy")["Statement"]
        for r in ([s["Resource"]] if isinstance(s["Resource"], str) else s["Resource"])
    )
    assert json.loads(one(recording, "aws:iam/role:Role", "c-node-role").inputs["assumeRolePolicy"])


# What each component registered before `publish` existed (its hand-written register_outputs), per type.
REGISTERED_OUTPUTS = {
    "testbed:aws:Network": ["vpcId", "publicSubnetIds", "privateSubnetIds"],
    "testbed:aws:Cluster": ["clusterName", "kubeconfig", "oidcProviderArn", "oidcIssuer", "clusterSecurityGroupId"],
    "testbed:aws:ApplicationLoadBalancer": ["arn", "dnsName", "securityGroupId", "targetGroupArn", "listenerArn"],
    "testbed:aws:NetworkLoadBalancer": ["arn", "dnsName", "securityGroupId", "targetGroupArn", "listenerArn"],
    "testbed:aws:Bastion": ["instanceId", "publicIp", "privateIp", "securityGroupId"],
    "testbed:azure:AksCluster": ["clusterName", "nodeResourceGroup", "fqdn", "oidcIssuerUrl", "kubeconfig"],
}


def test_published_outputs_are_registered_under_their_camel_case_names(monkeypatch):
    assert [camel_case(n) for n in ("arn", "dns_name", "cluster_security_group_id")] == [
        "arn",
        "dnsName",
        "clusterSecurityGroupId",
    ]
    registered: dict[str, list[str]] = {}
    register = pulumi.ComponentResource.register_outputs

    def recording(self, outputs):
        registered.setdefault(self._type, list(outputs))
        return register(self, outputs)

    monkeypatch.setattr(pulumi.ComponentResource, "register_outputs", recording)
    for stack, overrides in (
        ("alb-keepalive", {}),
        ("nlb-keepalive", {}),
        ("cni-maxpods", {"testbed:bastion": {"enabled": True}}),
        ("aks-tcp", {}),
    ):
        run_program(stack, stack_config(stack, **overrides))
    assert {t: registered.get(t) for t in REGISTERED_OUTPUTS} == REGISTERED_OUTPUTS
