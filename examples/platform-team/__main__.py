"""A platform team's EKS cluster from the installed components (not the test beds' seed).

A VPC over two zones of the region, an EKS cluster with a tainted `system` node group (CoreDNS,
metrics-server and the AWS Load Balancer Controller run there) and an `apps` node group on spot
capacity, and the controller itself, so that Ingresses and LoadBalancer Services get AWS load
balancers. Everything is imported from `lb_testbed_components`, the installed name of this
repository's `components/` (docs/components.md); nothing here imports the checkout.

    pulumi config set aws:region eu-west-1
    pulumi up
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_aws as aws
from lb_testbed_components.aws import (
    Cluster,
    ClusterArgs,
    LoadBalancerController,
    LoadBalancerControllerArgs,
    Network,
    NetworkArgs,
    NodeGroupSpec,
    Taint,
)

config = pulumi.Config()
cluster_name = config.get("clusterName") or f"platform-{pulumi.get_stack()}"
region = pulumi.Config("aws").require("region")
# Zones are looked up, but their count is fixed: the number of subnets must be plain data.
zones = aws.get_availability_zones(state="available").names[:2]
tags = {"team": "platform", "pulumi:stack": pulumi.get_stack()}

network = Network(
    "platform",
    NetworkArgs(availability_zones=zones, cluster_name=cluster_name, cidr_block="10.42.0.0/16", tags=tags),
)

POOL_LABEL = "node.example.com/pool"


def pool(name: str, **spec: Any) -> NodeGroupSpec:
    """A node group over the zones, labelled with its pool's name; `spec`: the rest of its NodeGroupSpec."""
    return NodeGroupSpec(availability_zones=zones, labels={POOL_LABEL: name}, **spec)


system_taints = [Taint(key="CriticalAddonsOnly", value="true", effect="NO_SCHEDULE")]
cluster = Cluster(
    "platform",
    ClusterArgs(
        cluster_name=cluster_name,
        vpc_id=network.vpc_id,
        private_subnet_ids=network.private_subnet_ids,
        public_subnet_ids=network.public_subnet_ids,
        egress=network.egress,  # node groups after the NAT route; on destroy, before it
        node_groups={
            "system": pool(
                "system", instance_type="m6i.large", min_size=2, max_size=3, desired_size=2, taints=system_taints
            ),
            "apps": pool(
                "apps",
                instance_type="m6i.xlarge",
                min_size=1,
                max_size=6,
                desired_size=2,
                capacity_type="SPOT",
                disk_size_gib=50,
            ),
        },
        system_node_selector={POOL_LABEL: "system"},
        public_access_cidrs=config.get_object("publicAccessCidrs") or ["0.0.0.0/0"],
        tags=tags,
    ),
)

# Wired to the cluster: its OIDC provider and Kubernetes provider, the system selector with the system
# taints tolerated, and its system node groups and CoreDNS, which destroy deletes after the controller.
controller = LoadBalancerController(
    "platform-lbc",
    LoadBalancerControllerArgs.for_cluster(cluster, region=region, vpc_id=network.vpc_id, tags=tags),
)

pulumi.export("clusterName", cluster.cluster_name)
pulumi.export("vpcId", network.vpc_id)
pulumi.export("kubeconfig", cluster.kubeconfig)
pulumi.export("lbControllerRoleArn", controller.role_arn)
pulumi.export("kubeconfigCommand", f"aws eks update-kubeconfig --region {region} --name {cluster_name}")
