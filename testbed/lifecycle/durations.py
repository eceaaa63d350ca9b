"""How long one create or delete takes, by resource type: a small table, each figure with its source.

Figures are typical minutes, not worst cases: the critical path they give is what a person waits
for on a good day. Where no measurement was found the figure says `estimate` and why; the
default for a type not in the table is small (0.2 min: most API objects are created in seconds,
e.g. route-table associations "Creation complete after 1s", subnets "after 10s" in the log of
terraform-aws-modules/terraform-aws-eks#2203) and says so.
Read 2026-11-27.
"""

from __future__ import annotations

from dataclasses import dataclass

from testbed.engine import Resource
from testbed.lifecycle import kinds


@dataclass(frozen=True)
class Duration:
    """Typical minutes to create and to delete one resource, and where the figures come from."""

    create: float
    delete: float
    source: str


EKS_CREATE = (
    "EKS control plane: 834 s (13.9 min) measured in ap-northeast-2, 13-16 min over 21 regions "
    "(https://easontechtalk.com/unofficial-eks-cluster-creation-performance-across-aws-regions)"
)
EKS_DELETE = (
    "delete: 'generally less than 5 mins' (vmware-archive/kube-prod-runtime#512, 2019), '~7-10min' with its "
    "CloudFormation stack (cilium/cilium#29412, 2023), timeout raised to 8 min for 'slow cluster deletion' "
    "(aws/eks-hybrid#469, 2025)"
)
NODE_GROUP = (
    "node group: a node group's stack reached CREATE_COMPLETE after 3m36s, nodes Ready seconds later "
    "(log in https://github.com/eksctl-io/eksctl/pull/482, 2019-01-29); delete drains and terminates, "
    "'upwards of 10 minutes ... with 4 instances' (gruntwork-io/cloud-nuke#339, 2022): 5 min for 1-3 nodes, estimate"
)
NAT = (
    "NAT gateway: estimate; 'Creating ... usually under a minute' is not documented by AWS, the Terraform "
    "provider waits up to 10 min (https://oneuptime.com/blog/post/2026-02-23-how-to-fix-terraform-apply-times-out/view)"
)
ELB = (
    "ELBv2 load balancer: 'provisioning' until 'active' (https://docs.aws.amazon.com/elasticloadbalancing/latest/"
    "application/application-load-balancers.html#load-balancer-state); minutes: estimate"
)
AKS_CREATE = (
    "AKS cluster: Microsoft cut create times from over 18 to about 10 min; delete averaged 13 min "
    "(measured, https://kubedex.com/google-gke-vs-azure-aks-automation-and-reliability/, 2019-01)"
)
AKS_POOL = "AKS agent pool: estimate (VM scale set of 1-3 nodes joining, as an EKS node group)"
HELM_WAIT = "Helm release with wait: pods pulled, scheduled and Ready; estimate"
K8S_AWAIT = (
    "pulumi-kubernetes await: Deployment until its replicas are available, Service LoadBalancer and "
    "Ingress until .status.loadBalancer is set (https://www.pulumi.com/registry/packages/kubernetes/"
    "api-docs/apps/v1/deployment/); minutes: estimate"
)
FINALIZER = (
    "deleting an object the LB controller reconciles waits for its finalizer: the controller deletes "
    "the load balancer first (https://kubernetes-sigs.github.io/aws-load-balancer-controller/); estimate"
)
INSTANT = "an API object: seconds (terraform-aws-modules/terraform-aws-eks#2203 log: subnet 10 s, association 1 s)"
NO_CALL = "no cloud call (provider, key material, or bookkeeping)"
DEFAULT = "type not in the table: assumed small (0.2 min), not measured"

BY_TYPE: dict[str, Duration] = {
    "eks:index:Cluster": Duration(14.0, 8.0, f"{EKS_CREATE}; {EKS_DELETE}"),
    "aws:eks/nodeGroup:NodeGroup": Duration(4.0, 5.0, NODE_GROUP),
    "aws:eks/addon:Addon": Duration(1.0, 1.0, "EKS add-on: estimate (ACTIVE once its pods are Ready)"),
    "aws:ec2/natGateway:NatGateway": Duration(2.0, 1.0, NAT),
    "aws:lb/loadBalancer:LoadBalancer": Duration(3.0, 1.0, ELB),
    "aws:ec2/internetGateway:InternetGateway": Duration(0.2, 0.5, f"{INSTANT}; detach before delete: estimate"),
    "aws:ec2/subnet:Subnet": Duration(0.2, 0.2, INSTANT),
    "aws:ec2/vpc:Vpc": Duration(0.2, 0.2, INSTANT),
    "aws:ec2/eip:Eip": Duration(0.1, 0.1, INSTANT),
    "aws:iam/role:Role": Duration(0.1, 0.1, INSTANT),
    "aws:iam/policy:Policy": Duration(0.1, 0.1, INSTANT),
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": Duration(0.1, 0.1, INSTANT),
    "azure-native:containerservice:ManagedCluster": Duration(10.0, 13.0, AKS_CREATE),
    "azure-native:containerservice:AgentPool": Duration(4.0, 4.0, AKS_POOL),
    "azure-native:resources:ResourceGroup": Duration(0.1, 1.0, f"{INSTANT}; delete waits for its contents: estimate"),
    "azure-native:network:PublicIPAddress": Duration(0.2, 0.2, INSTANT),
    "azure-native:network:VirtualNetwork": Duration(0.2, 0.2, INSTANT),
    "azure-native:network:Subnet": Duration(0.2, 0.2, INSTANT),
    "azure-native:authorization:RoleAssignment": Duration(0.2, 0.2, INSTANT),
    "azure-native:managedidentity:UserAssignedIdentity": Duration(0.2, 0.2, INSTANT),
    "kubernetes:helm.sh/v3:Release": Duration(2.0, 0.5, HELM_WAIT),
    "kubernetes:apps/v1:Deployment": Duration(1.0, 0.5, K8S_AWAIT),
    "kubernetes:apps/v1:StatefulSet": Duration(1.0, 0.5, K8S_AWAIT),
    "kubernetes:apps/v1:DaemonSet": Duration(1.0, 0.5, K8S_AWAIT),
    "kubernetes:core/v1:Namespace": Duration(0.1, 0.5, "namespace: delete waits until its contents are gone; estimate"),
}

LOAD_BALANCER_OBJECT = Duration(3.0, 1.5, f"{K8S_AWAIT}; {FINALIZER}")
RELEASE_WITH_LOAD_BALANCER = Duration(
    BY_TYPE["kubernetes:helm.sh/v3:Release"].create + LOAD_BALANCER_OBJECT.create,
    LOAD_BALANCER_OBJECT.delete,
    f"{HELM_WAIT}, plus its LoadBalancer Service: {K8S_AWAIT}; {FINALIZER}",
)
KUBERNETES_OBJECT = Duration(0.1, 0.1, "a Kubernetes object without an await: seconds")
FREE = Duration(0.0, 0.0, NO_CALL)
UNKNOWN = Duration(0.2, 0.2, DEFAULT)

FREE_PREFIXES = ("pulumi:providers:", "tls:", "random:")


def duration(resource: Resource) -> Duration:
    """The typical create and delete minutes of `resource`."""
    if resource.type.startswith(FREE_PREFIXES) or not (resource.custom or resource.remote):
        return FREE
    if kinds.makes_load_balancer(resource):
        return RELEASE_WITH_LOAD_BALANCER if resource.type == "kubernetes:helm.sh/v3:Release" else LOAD_BALANCER_OBJECT
    if resource.type in BY_TYPE:
        return BY_TYPE[resource.type]
    if resource.type.startswith("kubernetes:"):
        return KUBERNETES_OBJECT
    return UNKNOWN


def delete_minutes(resource: Resource) -> float:
    """Kept resources (retainOnDelete) are dropped from the state without a cloud call."""
    return 0.0 if resource.options.get("retainOnDelete") else duration(resource).delete
