"""Cluster: an EKS cluster with managed node groups and its system add-ons placed.

Creates, under one component:
- the EKS control plane through pulumi-eks (explicit name, version, endpoint access,
  IAM OIDC provider for IRSA, access entries (`authenticationMode: API`); the deploying
  identity gets cluster admin through the creator's bootstrap entry, which pulumi-eks always
  sets, so no second entry is made for it: EKS would refuse a duplicate);
- one IAM role shared by the nodes (worker, CNI and ECR read-only policies);
- per node group, keyed by name: a launch template requiring IMDSv2 (hop limit 1, so pods
  cannot borrow the node's role) with an encrypted gp3 root volume, and an EKS managed node
  group in the private subnets of its zones with its labels and taints, created after `egress`
  (the subnets' NAT route and association: nodes pull images and call AWS through it);
- CoreDNS as an EKS add-on and metrics-server as a Helm release, both pinned to the system
  nodes (`system_node_selector`; by default every node group) with their replica counts
  declared, created after those nodes exist (a CoreDNS add-on created before any node sits
  DEGRADED: pulumi-eks #1819);
  the add-on is `preserve`d, so deleting it leaves CoreDNS running for whatever still resolves
  names during a destroy;
- a Kubernetes provider built from the cluster's kubeconfig;
- optionally (`vpc_cni`), the VPC CNI as an EKS add-on managed here rather than by pulumi-eks
  (which is then told to leave it alone, so there is one manager), created before every node
  group so that EKS computes their max pods with its settings; with prefix delegation on, each
  launch template also carries a nodeadm NodeConfig with the max pods of its instance type
  (`max_pods.py`), so that kubelet's reservations are sized for that many pods.

`Cluster.placement(selector)` answers where a workload runs (components/placement.py): the
selector, the tolerations of the matching node groups' taints, and those node groups to wait for;
the system add-ons use it too (`system_placement`).

Node groups are `aws.eks.NodeGroup` rather than pulumi-eks's `ManagedNodeGroup`: the latter is a
remote component whose launch template is invisible to an offline plan and which fixes the
IMDS hop limit at 2.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws
import pulumi_eks as eks
import pulumi_kubernetes as kubernetes

from ..component import Component
from ..errors import raise_if_any
from ..helm import HelmAddOn, helm_release
from ..placement import NodePool, Placement, place, selector_problem
from .irsa import ec2_trust_policy
from .max_pods import max_pods, nodeadm_max_pods_user_data
from .node_groups import (
    NodeGroupSpec,
    eks_name_problem,
    tolerations_for,
    zone_problems,
)
from .versions import EKS_VERSION, METRICS_SERVER
from .vpc_cni import VpcCniSpec, vpc_cni_configuration, vpc_cni_problems

_KUBERNETES_VERSION = re.compile(r"^1\.\d{2}$")
NODE_POLICIES = ("AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy", "AmazonEC2ContainerRegistryReadOnly")
IMDS_HOP_LIMIT = 1


@dataclass(frozen=True, kw_only=True)
class ClusterArgs:
    """What the EKS cluster looks like and where it lives."""

    cluster_name: str
    """EKS cluster name (explicit, so the LB controller and kubeconfig can name it)."""
    vpc_id: pulumi.Input[str]
    """VPC of the cluster (`Network.vpc_id`)."""
    private_subnet_ids: Mapping[str, pulumi.Input[str]]
    """Zone -> private subnet id: control-plane ENIs and nodes."""
    public_subnet_ids: Mapping[str, pulumi.Input[str]]
    """Zone -> public subnet id: internet-facing load balancers."""
    node_groups: Mapping[str, NodeGroupSpec]
    """Node group name -> spec (required, at least one): the nodes are yours to choose."""
    kubernetes_version: str = EKS_VERSION
    """Kubernetes minor version, e.g. "1.36". Default: the version pinned in versions.py."""
    endpoint_public_access: bool = True
    """Reach the API server from the internet (kubectl from a laptop), limited to `public_access_cidrs`."""
    endpoint_private_access: bool = True
    """Reach the API server from inside the VPC (nodes use this path)."""
    public_access_cidrs: Sequence[str] = ("0.0.0.0/0",)
    """Who may reach the public endpoint. Default: anywhere, as EKS's own default; narrow it."""
    system_node_selector: Mapping[str, str] = field(default_factory=dict)
    """Node labels where CoreDNS and metrics-server run (pass the same to the LB controller).
    Default: none, so they run on any node. Set: some node group must carry these labels."""
    coredns_replicas: int = 2
    """CoreDNS pods; 2 is the EKS add-on's default (one may move while the other answers)."""
    enable_metrics_server: bool = True
    """Install metrics-server (`kubectl top`, HorizontalPodAutoscaler)."""
    metrics_server_replicas: int = 1
    """metrics-server pods; 1 is the chart's default."""
    vpc_cni: VpcCniSpec | None = None
    """None: pulumi-eks manages the vpc-cni add-on with its defaults. Set: this component does,
    before any node group (see VpcCniSpec)."""
    egress: Sequence[pulumi.Resource] = ()
    """What the private subnets reach the internet through (`Network.egress`): node groups wait for it
    (nodes pull images and join through it) and, on destroy, go before it."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags added to every AWS resource of the cluster."""


class Cluster(Component):
    """EKS control plane, managed node groups, placed system add-ons and a Kubernetes provider."""

    cluster_name: str
    """The EKS cluster's name (a plain string: known before deployment)."""
    kubeconfig: pulumi.Output[str]
    """Kubeconfig (JSON) using `aws eks get-token`; secret."""
    provider: kubernetes.Provider
    """Kubernetes provider for this cluster; every Kubernetes object of the bed uses it."""
    oidc_provider_arn: pulumi.Output[str]
    oidc_issuer: pulumi.Output[str]
    """OIDC issuer host and path, without https:// (the IRSA condition-key prefix)."""
    cluster_security_group_id: pulumi.Output[str]
    """The EKS-created security group of control plane and managed nodes."""
    node_groups: dict[str, aws.eks.NodeGroup]
    system_placement: Placement
    """Where system pods run: `placement(system_node_selector)`."""
    system_node_groups: list[pulumi.Resource]
    """The node groups matching `system_node_selector`: what system pods wait for."""
    coredns_addon: aws.eks.Addon
    """The CoreDNS add-on (`preserve`d: deleting it leaves CoreDNS running)."""
    system_ready: list[pulumi.Resource]
    """What a controller on the system nodes needs to act: those node groups (and through them the
    network's egress) and CoreDNS. Depend on it, and destroy deletes the controller before them."""
    vpc_cni_addon: aws.eks.Addon | None
    """The vpc-cni add-on, when `vpc_cni` is set."""
    _pools: dict[str, NodePool]
    """Node group -> what `placement` reads of it."""
    node_max_pods: dict[str, int | None]
    """Node group -> max pods passed to its nodes in a NodeConfig; None where EKS computes it alone."""

    def __init__(self, name: str, args: ClusterArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("testbed:aws:Cluster", name, None, opts)
        _validate(args)
        control_plane = self._control_plane(name, args)
        self.vpc_cni_addon = self._vpc_cni(name, args, control_plane)
        node_role_arn, attachments = self._node_role(name, args)
        # Nodes join only once the control plane exists, their role may pull and network and
        # their subnets route to the internet (image pulls, the EKS and ECR APIs); and after the
        # vpc-cni add-on when it is ours, so EKS sizes max pods by its settings.
        self._node_groups(
            name,
            args,
            node_role_arn,
            after=[control_plane, *attachments, *([self.vpc_cni_addon] if self.vpc_cni_addon else []), *args.egress],
        )
        self.system_placement = self.placement(args.system_node_selector)
        self.system_node_groups = list(self.system_placement.wait_for)
        self.coredns_addon = self._coredns(name, args)
        self.system_ready = [*self.system_node_groups, self.coredns_addon]
        self.provider = kubernetes.Provider(
            f"{name}-k8s",
            kubeconfig=pulumi.Output.secret(control_plane.kubeconfig_json),
            enable_server_side_apply=True,
            opts=pulumi.ResourceOptions(parent=self),
        )
        if args.enable_metrics_server:
            self._metrics_server(name, args)
        self._outputs(args, control_plane)

    def placement(self, node_selector: Mapping[str, str]) -> Placement:
        """Where pods with `node_selector` run: that selector, the tolerations of the taints of every
        node group it matches, and those node groups to wait for ({}: every node group). ArgsError when
        it matches none."""
        return place("Cluster", node_selector, self._pools, "node group")

    def _control_plane(self, name: str, args: ClusterArgs) -> eks.Cluster:
        return eks.Cluster(
            f"{name}-eks",
            name=args.cluster_name,
            version=args.kubernetes_version,
            vpc_id=args.vpc_id,
            public_subnet_ids=list(args.public_subnet_ids.values()),
            private_subnet_ids=list(args.private_subnet_ids.values()),
            endpoint_public_access=args.endpoint_public_access,
            endpoint_private_access=args.endpoint_private_access,
            public_access_cidrs=list(args.public_access_cidrs) if args.endpoint_public_access else None,
            authentication_mode="API",
            create_oidc_provider=True,
            skip_default_node_group=True,
            skip_default_security_groups=True,
            # CoreDNS is created in `_coredns`, once the nodes it is pinned to exist.
            coredns_addon_options=eks.CoreDnsAddonOptionsArgs(enabled=False),
            # With `vpc_cni` the add-on is ours (`_vpc_cni`); two managers of one add-on would fight.
            use_default_vpc_cni=True if args.vpc_cni else None,
            tags=dict(args.tags),
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _vpc_cni(self, name: str, args: ClusterArgs, control_plane: eks.Cluster) -> aws.eks.Addon | None:
        if not args.vpc_cni:
            return None
        return aws.eks.Addon(
            f"{name}-vpc-cni",
            cluster_name=args.cluster_name,
            addon_name="vpc-cni",
            addon_version=args.vpc_cni.addon_version,
            configuration_values=json.dumps(vpc_cni_configuration(args.vpc_cni), sort_keys=True),
            # EKS installed a self-managed aws-node at cluster creation; the add-on takes it over.
            resolve_conflicts_on_create="OVERWRITE",
            resolve_conflicts_on_update="OVERWRITE",
            tags=dict(args.tags),
            # A DaemonSet: healthy with no nodes yet, so it can (and must) exist before them.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[control_plane]),
        )

    def _node_role(self, name: str, args: ClusterArgs) -> tuple[pulumi.Output[str], list[pulumi.Resource]]:
        """The IAM role of every node and its policy attachments."""
        partition = aws.get_partition_output(opts=pulumi.InvokeOutputOptions(parent=self)).partition
        role = aws.iam.Role(
            f"{name}-node-role",
            assume_role_policy=json.dumps(ec2_trust_policy()),
            tags=dict(args.tags),
            opts=pulumi.ResourceOptions(parent=self),
        )
        attachments: list[pulumi.Resource] = [
            aws.iam.RolePolicyAttachment(
                f"{name}-node-{policy}",
                role=role.name,
                policy_arn=pulumi.Output.concat("arn:", partition, ":iam::aws:policy/", policy),
                opts=pulumi.ResourceOptions(parent=self),
            )
            for policy in NODE_POLICIES
        ]
        return role.arn, attachments

    def _node_groups(
        self, name: str, args: ClusterArgs, role_arn: pulumi.Output[str], after: list[pulumi.Resource]
    ) -> None:
        """A launch template and a managed node group per group, in the private subnets of its zones."""
        prefix_delegation = bool(args.vpc_cni and args.vpc_cni.enable_prefix_delegation)
        self.node_groups, self.node_max_pods, self._pools = {}, {}, {}
        for group, spec in args.node_groups.items():
            group_zones = list(spec.availability_zones or list(args.private_subnet_ids)[:1])
            group_max_pods = max_pods(spec.instance_type, prefix_delegation=True) if prefix_delegation else None
            self.node_max_pods[group] = group_max_pods
            template = self._launch_template(name, args, group, spec, group_max_pods)
            node_group = aws.eks.NodeGroup(
                f"{name}-{group}",
                cluster_name=args.cluster_name,
                node_group_name=group,
                version=args.kubernetes_version,
                node_role_arn=role_arn,
                subnet_ids=[args.private_subnet_ids[zone] for zone in group_zones],
                instance_types=[spec.instance_type],
                ami_type=spec.ami_type,
                capacity_type=spec.capacity_type,
                scaling_config=aws.eks.NodeGroupScalingConfigArgs(
                    min_size=spec.min_size, max_size=spec.max_size, desired_size=spec.desired_size
                ),
                labels=dict(spec.labels),
                taints=[
                    aws.eks.NodeGroupTaintArgs(key=t.key, value=t.value or None, effect=t.effect) for t in spec.taints
                ],
                launch_template=aws.eks.NodeGroupLaunchTemplateArgs(
                    id=template.id, version=template.latest_version.apply(str)
                ),
                tags=dict(args.tags),
                opts=pulumi.ResourceOptions(parent=self, depends_on=after),
            )
            self.node_groups[group] = node_group
            self._pools[group] = NodePool(spec.labels, tuple(tolerations_for(spec.taints)), node_group)

    def _launch_template(
        self, name: str, args: ClusterArgs, group: str, spec: NodeGroupSpec, group_max_pods: int | None
    ) -> aws.ec2.LaunchTemplate:
        """IMDSv2 required (hop limit 1), an encrypted gp3 root volume, and max pods when they are ours."""
        user_data = (
            base64.b64encode(nodeadm_max_pods_user_data(group_max_pods).encode()).decode()
            if group_max_pods is not None
            else None
        )
        return aws.ec2.LaunchTemplate(
            f"{name}-lt-{group}",
            description=f"{args.cluster_name}/{group}: IMDSv2 required, encrypted gp3 root"
            + (f", max pods {group_max_pods} (prefix delegation)" if group_max_pods is not None else ""),
            user_data=user_data,
            metadata_options=aws.ec2.LaunchTemplateMetadataOptionsArgs(
                http_endpoint="enabled",
                http_tokens="required",
                http_put_response_hop_limit=IMDS_HOP_LIMIT,
            ),
            block_device_mappings=[
                aws.ec2.LaunchTemplateBlockDeviceMappingArgs(
                    device_name="/dev/xvda",
                    ebs=aws.ec2.LaunchTemplateBlockDeviceMappingEbsArgs(
                        volume_size=spec.disk_size_gib,
                        volume_type="gp3",
                        encrypted="true",
                        delete_on_termination="true",
                    ),
                )
            ],
            tag_specifications=[
                aws.ec2.LaunchTemplateTagSpecificationArgs(
                    resource_type="instance",
                    tags={**args.tags, "Name": f"{args.cluster_name}-{group}"},
                )
            ],
            update_default_version=True,
            tags=dict(args.tags),
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _coredns(self, name: str, args: ClusterArgs) -> aws.eks.Addon:
        """CoreDNS as an EKS add-on on the system nodes, created once they exist."""
        system = self.system_placement
        coredns_values: dict = {"replicaCount": args.coredns_replicas}
        if system.node_selector:
            coredns_values["nodeSelector"] = system.node_selector
        if system.tolerations:
            coredns_values["tolerations"] = list(system.tolerations)
        return aws.eks.Addon(
            f"{name}-coredns",
            cluster_name=args.cluster_name,
            addon_name="coredns",
            configuration_values=json.dumps(coredns_values, sort_keys=True),
            # EKS installed a self-managed CoreDNS at cluster creation; the add-on takes it over.
            resolve_conflicts_on_create="OVERWRITE",
            resolve_conflicts_on_update="OVERWRITE",
            # Deleting the add-on otherwise removes CoreDNS from the cluster, while pods that resolve
            # names (the LB controller reaching AWS APIs) may still be finishing their work on destroy.
            preserve=True,
            tags=dict(args.tags),
            opts=pulumi.ResourceOptions(parent=self, depends_on=list(system.wait_for)),
        )

    def _metrics_server(self, name: str, args: ClusterArgs) -> None:
        """metrics-server as a Helm release on the system nodes, created once they exist."""
        helm_release(
            f"{name}-metrics-server",
            HelmAddOn(
                release_name="metrics-server",
                namespace="kube-system",
                chart=METRICS_SERVER,
                values={"replicas": args.metrics_server_replicas},
                placement=self.system_placement,
            ),
            provider=self.provider,
            parent=self,
        )

    def _outputs(self, args: ClusterArgs, control_plane: eks.Cluster) -> None:
        self.publish(
            cluster_name=args.cluster_name,
            kubeconfig=pulumi.Output.secret(control_plane.kubeconfig_json),
            oidc_provider_arn=control_plane.oidc_provider_arn,
            oidc_issuer=control_plane.oidc_issuer,
            cluster_security_group_id=control_plane.cluster_security_group_id,
        )


def kubernetes_version_problem(version: str) -> str | None:
    """Why `version` is not an EKS Kubernetes version (a minor version such as "1.33"), or None."""
    if not _KUBERNETES_VERSION.match(version):
        return f'{version!r} is not a Kubernetes minor version like "1.33"'
    return None


def _validate(args: ClusterArgs) -> None:
    problems: list[tuple[str, str]] = []
    if problem := eks_name_problem(args.cluster_name, 100):
        problems.append(("cluster_name", problem))
    if problem := kubernetes_version_problem(args.kubernetes_version):
        problems.append(("kubernetes_version", problem))
    if not (args.endpoint_public_access or args.endpoint_private_access):
        problems.append(("endpoint_private_access", "the API server needs public or private access (or both)"))
    if args.endpoint_public_access and not args.public_access_cidrs:
        problems.append(("public_access_cidrs", "public access needs at least one CIDR"))
    if set(args.private_subnet_ids) != set(args.public_subnet_ids):
        problems.append(("public_subnet_ids", "must cover the same zones as private_subnet_ids"))
    if not args.node_groups:
        problems.append(("node_groups", "at least one node group is needed"))
    for group, spec in args.node_groups.items():
        if problem := eks_name_problem(group, 63):
            problems.append((f"node_groups[{group!r}]", problem))
        for fld, reason in zone_problems(spec, list(args.private_subnet_ids)):
            problems.append((f"node_groups[{group!r}].{fld}", reason))
    labels = {group: spec.labels for group, spec in args.node_groups.items()}
    if labels and (problem := selector_problem(args.system_node_selector, labels, "node group")):
        problems.append(("system_node_selector", f"{problem}: system pods could not run"))
    if args.coredns_replicas < 1:
        problems.append(("coredns_replicas", f"{args.coredns_replicas} is below 1"))
    if args.enable_metrics_server and args.metrics_server_replicas < 1:
        problems.append(("metrics_server_replicas", f"{args.metrics_server_replicas} is below 1"))
    if args.vpc_cni is not None:
        problems.extend(vpc_cni_problems(args.vpc_cni, args.node_groups))
    raise_if_any("Cluster", problems)
