"""The shared AWS base every EKS scenario stands on: its config and how it is built.

SCENARIOS.md "Shared AWS base": a VPC over two zones of ap-northeast-2 with one NAT gateway
and the LB controller's subnet tags; EKS (components/aws/versions.py) with public and private endpoint access and
an IAM OIDC provider; the infra, server and client managed node groups of seed 000; CoreDNS
and metrics-server on role=infra with one replica each; the AWS Load Balancer Controller
with its IRSA role, on role=infra.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any, ClassVar, Literal

import pulumi
from pydantic import Field, TypeAdapter, ValidationInfo, field_validator, model_validator

from components.aws import (
    Cluster,
    ClusterArgs,
    LoadBalancerController,
    LoadBalancerControllerArgs,
    Network,
    NetworkArgs,
    NodeGroupSpec,
)
from components.aws.cluster import VpcCniSpec, kubernetes_version_problem
from components.aws.node_groups import eks_name_problem
from components.aws.subnets import public_access_cidr_problem, vpc_cidr_problem, zones_problem
from components.aws.tags import tag_problems
from components.aws.versions import (
    EKS_EXTENDED_SUPPORT_EXTRA_USD_PER_HOUR,
    EKS_SUPPORT_CALENDAR,
    EKS_VERSION,
)
from components.k8s_labels import matches
from components.limits import aws as limits
from stacks.config import (
    ConfigProblems,
    Loc,
    SpecDefaults,
    StackModel,
    checked_by,
    cluster_name_or_stack,
    raise_problems,
)
from stacks.support import version_check, version_warning

SEED_REGION = "ap-northeast-2"
SEED_ZONE_LETTERS = ("a", "c")


class NetworkConfig(StackModel):
    """The VPC."""

    vpc_cidr: Annotated[str, checked_by(vpc_cidr_problem)] = "10.0.0.0/16"
    """VPC CIDR, a private /16 to /20. Subnets are carved per zone letter (components/aws/subnets.py)."""
    nat_gateways: Literal["single", "one-per-az"] = "single"
    """`single`: one NAT gateway, in the first zone (seed: eksctl `nat.gateway: Single`); `one-per-az`: one per zone."""


NodeGroupConfig = Annotated[NodeGroupSpec, SpecDefaults(instance_type="t3.medium")]
"""A managed node group in a stack file: the component's own spec (its rules run once, as it is made), with the
seeds' instance type as the default a component leaves to its user."""
_NODE_GROUP = TypeAdapter(NodeGroupConfig)


def node_group(keys: Mapping[str, Any]) -> NodeGroupSpec:
    """A node group from stack-config keys (camelCase), as a stack file would give it."""
    return _NODE_GROUP.validate_python(dict(keys))


SEED_NODE_GROUPS: Mapping[str, Mapping[str, Any]] = {
    "infra": {"instanceType": "t3.medium", "minSize": 1, "maxSize": 2, "desiredSize": 1, "labels": {"role": "infra"}},
    "server": {"instanceType": "t3.medium", "labels": {"role": "server"}},
    "client": {"instanceType": "t3.medium", "labels": {"role": "client"}},
}
"""Seed 000's eksctl node groups (stack-config keys): t3.medium in the first zone, private,
labelled by role. The bed's choice, not a component default: `ClusterArgs.node_groups` has none."""


def _seed_node_groups() -> dict[str, NodeGroupSpec]:
    return {name: node_group(group) for name, group in SEED_NODE_GROUPS.items()}


class ClusterConfig(StackModel):
    """The EKS control plane and its system add-ons."""

    # Every field is the ClusterArgs knob of the same name: build_aws_base passes them all through.

    kubernetes_version: Annotated[str, version_check(EKS_SUPPORT_CALENDAR, kubernetes_version_problem)] = EKS_VERSION
    """EKS Kubernetes version, quoted, one of the EKS support calendar's (components/aws/versions.py; seed: "1.33",
    in extended support since 2026-07-29). A plan warns when the version is out of standard support."""
    endpoint_public_access: bool = True
    """API server reachable from the internet, from `publicAccessCidrs` (seed: true, for kubectl exec)."""
    endpoint_private_access: bool = True
    """API server reachable from inside the VPC (seed: true)."""
    public_access_cidrs: list[str] = ["0.0.0.0/0"]
    """CIDRs allowed to the public endpoint (seed: anywhere). Narrow it to your own address."""
    system_node_selector: dict[str, str] = {"role": "infra"}
    """Nodes that run CoreDNS, metrics-server and the LB controller (seed: role=infra)."""
    coredns_replicas: int = Field(1, ge=1, le=10)
    """CoreDNS replicas (seed: scaled to 1)."""
    enable_metrics_server: bool = True
    """Install metrics-server (seed: present, moved to infra)."""
    metrics_server_replicas: int = Field(1, ge=1, le=10)
    """metrics-server replicas (seed: scaled to 1)."""

    @field_validator("public_access_cidrs")
    @classmethod
    def _cidrs(cls, value: list[str]) -> list[str]:
        problems: list[tuple[Loc, str]] = []
        for index, cidr in enumerate(value):
            if problem := public_access_cidr_problem(cidr):
                problems.append(((index,), problem))
        raise_problems(problems)
        return value

    @model_validator(mode="after")
    def _access(self) -> ClusterConfig:
        problems: list[tuple[Loc, str]] = []
        if not (self.endpoint_public_access or self.endpoint_private_access):
            problems.append(
                (
                    ("endpointPrivateAccess",),
                    "false with endpointPublicAccess false: the API server would be unreachable",
                )
            )
        if self.endpoint_public_access and not self.public_access_cidrs:
            problems.append(
                (("publicAccessCidrs",), "empty while endpointPublicAccess is true; allowed: at least one CIDR")
            )
        raise_problems(problems)
        return self


class LbControllerConfig(StackModel):
    """The AWS Load Balancer Controller (chart and policy pinned in components/aws/versions.py)."""

    replica_count: int = Field(2, ge=1, le=5)
    """Controller pods: one leader and standbys that keep the webhook answering (chart default 2)."""


class AwsBaseConfig(StackModel):
    """Config shared by every EKS scenario."""

    default_zone_letters: ClassVar[tuple[str, ...]] = SEED_ZONE_LETTERS
    """Zones of the region used when `availabilityZones` is not set (a scenario may use more)."""

    region: str = Field(alias="aws:region")
    """AWS region, the seeds': ap-northeast-2; the pulumi-aws provider uses it too."""
    cluster_name: str | None = None
    """EKS cluster name (seed: my-cluster). Default: the stack name, so that two stacks never collide."""
    availability_zones: list[str] = []
    """Zones for subnets and load balancers, at least 2 (seed: ap-northeast-2a, ap-northeast-2c).
    Default: <region>a and <region>c."""
    network: NetworkConfig = NetworkConfig()
    """The VPC: CIDR and NAT gateways."""
    cluster: ClusterConfig = ClusterConfig()
    """EKS version, API endpoint access, where and how many system pods run."""
    node_groups: dict[str, NodeGroupConfig] = Field(default_factory=_seed_node_groups)
    """Managed node groups by name (seed: infra 1/2/1, server 1/1/1, client 1/1/1, t3.medium, zone a)."""
    lb_controller: LbControllerConfig = LbControllerConfig()
    """The AWS Load Balancer Controller."""
    tags: dict[str, str] = {}
    """Tags added to every AWS resource the bed creates directly (AWS: 50 per resource; the bed adds up to 4 itself)."""

    @field_validator("tags")
    @classmethod
    def _tags(cls, value: dict[str, str]) -> dict[str, str]:
        room = limits.TAGS_PER_RESOURCE - limits.TAGS_ADDED_BY_COMPONENTS - limits.TAGS_ADDED_BY_STACKS
        raise_problems([((key,) if key else (), problem) for key, problem in tag_problems(value, room=room)])
        return value

    @field_validator("region")
    @classmethod
    def _region(cls, value: str) -> str:
        if not limits.REGION.match(value):
            raise ValueError(f"{value!r} is not an AWS region name like 'ap-northeast-2'")
        return value

    @field_validator("cluster_name")
    @classmethod
    def _cluster_name(cls, value: str | None, info: ValidationInfo) -> str:
        return cluster_name_or_stack(
            value,
            (info.context or {}).get("stack", ""),
            lambda name: eks_name_problem(name, limits.CLUSTER_NAME_LENGTH),
        )

    @field_validator("availability_zones")
    @classmethod
    def _zones(cls, value: list[str], info: ValidationInfo) -> list[str]:
        region = info.data.get("region")
        if region is None:
            return value  # the region's own error says what is wrong
        if not value:
            value = [f"{region}{letter}" for letter in cls.default_zone_letters]
        if len(value) < 2:
            raise ValueError(f"{value}: EKS needs at least 2 zones")
        if problem := zones_problem(value, region):
            raise ValueError(problem)
        return value

    @model_validator(mode="after")
    def _node_groups(self) -> AwsBaseConfig:
        problems: list[tuple[Loc, str]] = []
        if not self.node_groups:
            problems.append((("nodeGroups",), "empty; at least one node group is needed"))
        for name, group in self.node_groups.items():
            if problem := eks_name_problem(name, 63):
                problems.append((("nodeGroups", name), f"name {problem}"))
            for zone in group.availability_zones or []:
                if zone not in self.availability_zones:
                    problems.append(
                        (
                            ("nodeGroups", name, "availabilityZones"),
                            f"{zone!r} is not one of availabilityZones {self.availability_zones}",
                        )
                    )
        selector = self.cluster.system_node_selector
        if self.node_groups and not any(matches(selector, g.labels) for g in self.node_groups.values()):
            problems.append(
                (
                    ("cluster", "systemNodeSelector"),
                    f"{selector}: no node group has these labels, so system pods could not run",
                )
            )
        raise_problems(problems)
        return self


@dataclass(frozen=True)
class AwsBase:
    """What every EKS scenario builds on."""

    config: AwsBaseConfig
    network: Network
    cluster: Cluster
    lb_controller: LoadBalancerController
    tags: dict[str, str] = field(default_factory=dict)
    """Tags the base put on its AWS resources; a scenario's own AWS resources carry them too."""


def build_aws_base(cfg: AwsBaseConfig, *, vpc_cni: VpcCniSpec | None = None) -> AwsBase:
    """Network, cluster and LB controller, as the seeds built them by hand.

    `vpc_cni`: manage the VPC CNI add-on in the cluster component (see ClusterArgs.vpc_cni).
    """
    if warning := eks_version_warning(cfg.cluster.kubernetes_version):
        pulumi.log.warn(warning)
    tags = {"testbed:stack": pulumi.get_stack(), **cfg.tags}
    network = Network(
        "net",
        NetworkArgs(
            availability_zones=cfg.availability_zones,
            cluster_name=cfg.cluster_name,
            cidr_block=cfg.network.vpc_cidr,
            nat_gateways=cfg.network.nat_gateways,
            tags=tags,
        ),
    )
    cluster = Cluster(
        "cluster",
        ClusterArgs(
            cluster_name=cfg.cluster_name,
            vpc_id=network.vpc_id,
            private_subnet_ids=network.private_subnet_ids,
            public_subnet_ids=network.public_subnet_ids,
            node_groups=cfg.node_groups,
            vpc_cni=vpc_cni,
            egress=network.egress,
            tags=tags,
            **cfg.cluster.model_dump(),
        ),
    )
    # The controller on the system nodes, created after them and CoreDNS: on destroy, everything it
    # reconciles (which depends on its release) goes while it can still act.
    lb_controller = LoadBalancerController(
        "lbc",
        LoadBalancerControllerArgs.for_cluster(
            cluster,
            region=cfg.region,
            vpc_id=network.vpc_id,
            replica_count=cfg.lb_controller.replica_count,
            tags=tags,
        ),
    )
    return AwsBase(cfg, network, cluster, lb_controller, tags)


def eks_version_warning(version: str) -> str | None:
    """The warning for an EKS version out of standard support on the plan date, with what it costs."""
    extra = EKS_EXTENDED_SUPPORT_EXTRA_USD_PER_HOUR
    return version_warning(
        EKS_SUPPORT_CALENDAR,
        version,
        extended_cost=f"the control plane bills ${extra:.2f}/h more (${extra * 8:.2f} per 8-hour day)",
    )


def export_base(base: AwsBase, commands: Mapping[str, Any] | None = None) -> None:
    """Stack outputs every EKS scenario shares, and the commands to look at the bed (a scenario
    adds its own `commands` after these)."""
    cfg = base.config
    pulumi.export("region", cfg.region)
    pulumi.export("clusterName", base.cluster.cluster_name)
    pulumi.export("vpcId", base.network.vpc_id)
    pulumi.export("privateSubnetIds", base.network.private_subnet_ids)
    pulumi.export("publicSubnetIds", base.network.public_subnet_ids)
    pulumi.export("kubeconfig", base.cluster.kubeconfig)
    pulumi.export("oidcProviderArn", base.cluster.oidc_provider_arn)
    pulumi.export("lbControllerRoleArn", base.lb_controller.role_arn)
    selector = ",".join(f"{k}={v}" for k, v in cfg.cluster.system_node_selector.items())
    pulumi.export(
        "commands",
        {
            "kubeconfig": f"aws eks update-kubeconfig --region {cfg.region} --name {cfg.cluster_name}",
            "nodes": "kubectl get nodes -L role -L topology.kubernetes.io/zone",
            # NODE column: CoreDNS, metrics-server and the LB controller run on the system nodes.
            "systemPods": "kubectl -n kube-system get pods -o wide",
            "systemNodes": f"kubectl get nodes -l {selector}",
            "lbController": "kubectl -n kube-system get deployment aws-load-balancer-controller",
            **(commands or {}),
        },
    )


__all__ = ["AwsBase", "AwsBaseConfig", "ConfigProblems", "build_aws_base", "export_base"]
