"""SCENARIOS.md "Shared AWS base", item by item, on the recorded graph of stacks/Pulumi.eks-base.yaml.

Expected values are the seeds' (seed 000's eksctl cluster.yaml and procedure), written here;
none is read back from the mock.
"""

from __future__ import annotations

import json

import pytest

from components.aws.versions import LB_CONTROLLER
from testbed.engine import Secret
from tests.graph import by_id, installed, json_input, of_type, one, revealed

REGION = "ap-northeast-2"
ZONES = ["ap-northeast-2a", "ap-northeast-2c"]
CLUSTER = "my-cluster"
SEED_GROUPS = {
    # name: (instance type, min, max, desired, zones, labels)
    "infra": ("t3.medium", 1, 2, 1, ["ap-northeast-2a"], {"role": "infra"}),
    "server": ("t3.medium", 1, 1, 1, ["ap-northeast-2a"], {"role": "server"}),
    "client": ("t3.medium", 1, 1, 1, ["ap-northeast-2a"], {"role": "client"}),
}
SUBNET = "aws:ec2/subnet:Subnet"
NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"
RELEASE = "kubernetes:helm.sh/v3:Release"


def subnets(plan, kind: str):
    return {s.inputs["availabilityZone"]: s for s in of_type(plan, SUBNET) if s.name.startswith(f"net-{kind}-")}


def test_vpc_has_a_public_and_a_private_subnet_per_zone(eks_base):
    vpc = one(eks_base, "aws:ec2/vpc:Vpc")
    assert vpc.inputs["cidrBlock"] == "10.0.0.0/16"
    assert vpc.inputs["enableDnsHostnames"] is True and vpc.inputs["enableDnsSupport"] is True
    assert sorted(subnets(eks_base, "public")) == ZONES
    assert sorted(subnets(eks_base, "private")) == ZONES
    assert len(of_type(eks_base, SUBNET)) == 4
    for subnet in of_type(eks_base, SUBNET):
        assert subnet.inputs["vpcId"] == vpc.id


def test_subnets_carry_the_lb_controller_discovery_tags(eks_base):
    for subnet in subnets(eks_base, "public").values():
        assert subnet.inputs["tags"]["kubernetes.io/role/elb"] == "1"
        assert "kubernetes.io/role/internal-elb" not in subnet.inputs["tags"]
        assert subnet.inputs["tags"][f"kubernetes.io/cluster/{CLUSTER}"] == "shared"
    for subnet in subnets(eks_base, "private").values():
        assert subnet.inputs["tags"]["kubernetes.io/role/internal-elb"] == "1"
        assert "kubernetes.io/role/elb" not in subnet.inputs["tags"]
        assert subnet.inputs["tags"][f"kubernetes.io/cluster/{CLUSTER}"] == "shared"


def test_one_nat_gateway_serves_every_private_subnet(eks_base):
    nat = one(eks_base, "aws:ec2/natGateway:NatGateway")
    assert by_id(eks_base, nat.inputs["subnetId"]).inputs["availabilityZone"] == "ap-northeast-2a"
    assert by_id(eks_base, nat.inputs["subnetId"]).name.startswith("net-public-")
    private_routes = [r for r in of_type(eks_base, "aws:ec2/route:Route") if "natGatewayId" in r.inputs]
    assert len(private_routes) == len(ZONES)
    assert {r.inputs["natGatewayId"] for r in private_routes} == {nat.id}
    assert all(r.inputs["destinationCidrBlock"] == "0.0.0.0/0" for r in private_routes)
    associations = {
        by_id(eks_base, a.inputs["subnetId"]).name: a.inputs["routeTableId"]
        for a in of_type(eks_base, "aws:ec2/routeTableAssociation:RouteTableAssociation")
    }
    route_tables = {r.inputs["routeTableId"] for r in private_routes}
    assert {associations[f"net-private-{z}"] for z in ZONES} == route_tables
    igw = one(eks_base, "aws:ec2/internetGateway:InternetGateway")
    public_route = one(eks_base, "aws:ec2/route:Route", "net-public-default")
    assert public_route.inputs["gatewayId"] == igw.id
    assert {associations[f"net-public-{z}"] for z in ZONES} == {public_route.inputs["routeTableId"]}


def test_eks_control_plane(eks_base):
    cluster = one(eks_base, "eks:index:Cluster")
    assert cluster.remote
    assert cluster.inputs["name"] == CLUSTER
    assert cluster.inputs["version"] == "1.36"
    assert cluster.inputs["endpointPublicAccess"] is True
    assert cluster.inputs["endpointPrivateAccess"] is True
    assert cluster.inputs["publicAccessCidrs"] == ["0.0.0.0/0"]
    assert cluster.inputs["createOidcProvider"] is True
    # Access entries; the deploying identity is admin through the creator bootstrap entry.
    assert cluster.inputs["authenticationMode"] == "API"
    assert "accessEntries" not in cluster.inputs
    assert cluster.inputs["skipDefaultNodeGroup"] is True
    private = {s.id for s in subnets(eks_base, "private").values()}
    public = {s.id for s in subnets(eks_base, "public").values()}
    assert set(cluster.inputs["privateSubnetIds"]) == private
    assert set(cluster.inputs["publicSubnetIds"]) == public
    assert cluster.inputs["vpcId"] == one(eks_base, "aws:ec2/vpc:Vpc").id


@pytest.mark.parametrize("group", sorted(SEED_GROUPS))
def test_managed_node_groups_have_the_seed_sizes_zone_and_labels(eks_base, group):
    instance_type, min_size, max_size, desired, zones, labels = SEED_GROUPS[group]
    node_group = one(eks_base, NODE_GROUP, f"cluster-{group}")
    assert node_group.inputs["nodeGroupName"] == group
    assert node_group.inputs["clusterName"] == CLUSTER
    assert node_group.inputs["instanceTypes"] == [instance_type]
    assert node_group.inputs["scalingConfig"] == {"minSize": min_size, "maxSize": max_size, "desiredSize": desired}
    assert node_group.inputs["labels"] == labels
    assert node_group.inputs["taints"] == []
    placed = [by_id(eks_base, s) for s in node_group.inputs["subnetIds"]]
    assert [s.inputs["availabilityZone"] for s in placed] == zones
    assert all(s.name.startswith("net-private-") for s in placed), "nodes must be in private subnets"


def test_exactly_the_seed_node_groups(eks_base):
    assert sorted(n.inputs["nodeGroupName"] for n in of_type(eks_base, NODE_GROUP)) == sorted(SEED_GROUPS)


@pytest.mark.parametrize("group", sorted(SEED_GROUPS))
def test_nodes_require_imdsv2(eks_base, group):
    node_group = one(eks_base, NODE_GROUP, f"cluster-{group}")
    template = by_id(eks_base, node_group.inputs["launchTemplate"]["id"])
    assert template.type == "aws:ec2/launchTemplate:LaunchTemplate"
    assert template.inputs["metadataOptions"]["httpTokens"] == "required"
    assert template.inputs["metadataOptions"]["httpPutResponseHopLimit"] == 1
    assert "imageId" not in template.inputs, "no custom AMI: EKS picks the AMI and sets max pods"


def test_node_groups_wait_for_the_control_plane_and_their_role_policies(eks_base):
    control_plane = one(eks_base, "eks:index:Cluster")
    attachments = {
        a.urn
        for a in of_type(eks_base, "aws:iam/rolePolicyAttachment:RolePolicyAttachment")
        if a.name.startswith("cluster-node-")
    }
    assert len(attachments) == 3
    for node_group in of_type(eks_base, NODE_GROUP):
        assert control_plane.urn in node_group.dependencies
        assert attachments <= set(node_group.dependencies)


def test_node_role_has_the_worker_policies(eks_base):
    role = one(eks_base, "aws:iam/role:Role", "cluster-node-role")
    trust = json_input(role, "assumeRolePolicy")["Statement"]
    assert trust == [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]
    policies = {
        a.inputs["policyArn"]
        for a in of_type(eks_base, "aws:iam/rolePolicyAttachment:RolePolicyAttachment")
        if a.inputs["role"] == role.id
    }
    assert policies == {
        "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
        "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy",
        "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly",
    }


def test_coredns_runs_one_replica_on_infra_after_the_infra_nodes(eks_base):
    addon = one(eks_base, "aws:eks/addon:Addon", "cluster-coredns")
    assert addon.inputs["addonName"] == "coredns"
    assert addon.inputs["clusterName"] == CLUSTER
    assert json_input(addon, "configurationValues") == {"replicaCount": 1, "nodeSelector": {"role": "infra"}}
    assert addon.inputs["resolveConflictsOnCreate"] == "OVERWRITE"
    assert one(eks_base, NODE_GROUP, "cluster-infra").urn in addon.dependencies
    # pulumi-eks must not create a second, unpinned CoreDNS add-on of its own.
    assert one(eks_base, "eks:index:Cluster").inputs["corednsAddonOptions"]["enabled"] is False


def test_metrics_server_runs_one_replica_on_infra(eks_base):
    release = one(eks_base, RELEASE, "cluster-metrics-server")
    assert release.inputs["chart"] == "metrics-server"
    assert release.inputs["repositoryOpts"]["repo"] == "https://kubernetes-sigs.github.io/metrics-server/"
    assert release.inputs["namespace"] == "kube-system"
    values = revealed(release.inputs["values"])
    assert values["replicas"] == 1
    assert values["nodeSelector"] == {"role": "infra"}
    assert one(eks_base, NODE_GROUP, "cluster-infra").urn in release.dependencies


def test_lb_controller_policy_is_the_published_one(eks_base, reference_policy):
    policy = one(eks_base, "aws:iam/policy:Policy", "lbc-policy")
    assert json_input(policy, "policy") == reference_policy


def test_lb_controller_role_is_trusted_only_by_its_service_account(eks_base):
    role = one(eks_base, "aws:iam/role:Role", "lbc-role")
    control_plane = one(eks_base, "eks:index:Cluster")
    assert control_plane.urn in role.dependencies  # the OIDC provider comes from the cluster
    [statement] = json_input(role, "assumeRolePolicy")["Statement"]
    assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
    provider_arn = statement["Principal"]["Federated"]
    assert (
        provider_arn.startswith("arn:aws:iam::")
        and ":oidc-provider/oidc.eks.ap-northeast-2.amazonaws.com/id/" in provider_arn
    )
    issuer = provider_arn.split(":oidc-provider/", 1)[1]
    assert statement["Condition"] == {
        "StringEquals": {
            f"{issuer}:sub": "system:serviceaccount:kube-system:aws-load-balancer-controller",
            f"{issuer}:aud": "sts.amazonaws.com",
        }
    }
    attachment = one(eks_base, "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "lbc-role-policy")
    assert attachment.inputs["role"] == role.id
    assert attachment.inputs["policyArn"] == one(eks_base, "aws:iam/policy:Policy", "lbc-policy").id


def test_lb_controller_service_account_is_ours_and_names_the_role(eks_base):
    account = one(eks_base, "kubernetes:core/v1:ServiceAccount", "lbc-sa")
    assert account.inputs["metadata"]["name"] == "aws-load-balancer-controller"
    assert account.inputs["metadata"]["namespace"] == "kube-system"
    role = one(eks_base, "aws:iam/role:Role", "lbc-role")
    annotations = account.inputs["metadata"]["annotations"]
    assert list(annotations) == ["eks.amazonaws.com/role-arn"]
    assert annotations["eks.amazonaws.com/role-arn"].endswith(f":role/{role.id}")
    assert role.urn in account.dependencies


def test_lb_controller_release(eks_base):
    release = one(eks_base, RELEASE, "lbc-release")
    assert installed(release) == ("aws-load-balancer-controller", "kube-system", LB_CONTROLLER)
    values = revealed(release.inputs["values"])
    assert values["clusterName"] == CLUSTER
    assert values["region"] == REGION
    assert values["vpcId"] == one(eks_base, "aws:ec2/vpc:Vpc").id
    assert values["serviceAccount"] == {"create": False, "name": "aws-load-balancer-controller"}
    assert values["nodeSelector"] == {"role": "infra"}
    assert values["enableServiceMutatorWebhook"] is False
    assert values["replicaCount"] == 2


def test_lb_controller_webhook_tls_comes_from_pulumi_state(eks_base):
    release = one(eks_base, RELEASE, "lbc-release")
    tls = revealed(release.inputs["values"])["webhookTLS"]
    assert set(tls) == {"caCert", "cert", "key"}
    assert all(v.startswith("-----BEGIN") for v in tls.values())
    assert isinstance(release.inputs["values"], Secret), "the webhook key makes the values secret"
    cert = one(eks_base, "tls:index/locallySignedCert:LocallySignedCert", "lbc-webhook")
    ca = one(eks_base, "tls:index/selfSignedCert:SelfSignedCert", "lbc-webhook-ca")
    assert {cert.urn, ca.urn} <= set(release.dependencies)
    request = one(eks_base, "tls:index/certRequest:CertRequest", "lbc-webhook")
    assert request.inputs["dnsNames"] == [
        "aws-load-balancer-webhook-service.kube-system",
        "aws-load-balancer-webhook-service.kube-system.svc",
        "aws-load-balancer-webhook-service.kube-system.svc.cluster.local",
    ]
    assert ca.inputs["isCaCertificate"] is True


def test_lb_controller_release_waits_for_the_nodes_it_runs_on(eks_base):
    release = one(eks_base, RELEASE, "lbc-release")
    assert one(eks_base, NODE_GROUP, "cluster-infra").urn in release.explicit_dependencies
    assert one(eks_base, "kubernetes:core/v1:ServiceAccount", "lbc-sa").urn in release.explicit_dependencies
    attachment = one(eks_base, "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "lbc-role-policy")
    assert attachment.urn in release.explicit_dependencies


def test_every_kubernetes_object_uses_the_clusters_provider(eks_base):
    provider = one(eks_base, "pulumi:providers:kubernetes")
    assert isinstance(provider.inputs["kubeconfig"], Secret)
    kubeconfig = json.loads(revealed(provider.inputs["kubeconfig"]))
    assert kubeconfig["users"][0]["user"]["exec"]["args"][-3:] == [CLUSTER, "--output", "json"]
    assert one(eks_base, "eks:index:Cluster").urn in provider.dependencies
    kube = [r for r in eks_base.resources if r.type.startswith("kubernetes:")]
    assert len(kube) == 3
    assert all(r.provider == provider.urn for r in kube)


def test_outputs(eks_base):
    outputs = eks_base.outputs
    assert isinstance(outputs["kubeconfig"], Secret)
    assert outputs["clusterName"] == CLUSTER
    assert outputs["region"] == REGION
    assert outputs["vpcId"] == one(eks_base, "aws:ec2/vpc:Vpc").id
    assert sorted(outputs["privateSubnetIds"]) == ZONES
    assert outputs["commands"]["kubeconfig"] == f"aws eks update-kubeconfig --region {REGION} --name {CLUSTER}"
