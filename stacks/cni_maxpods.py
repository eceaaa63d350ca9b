"""cni-maxpods: how many pods fit on a node, with and without prefix delegation (seed 001).

Builds the study's bed (three zones, one node group `ng1`, a bastion), the VPC CNI with prefix
delegation as a knob, netshoot, kube-ops-view behind an NLB and the nginx Deployment to scale.
The scenario, its knobs and how to verify it: docs/scenarios/cni-maxpods.md.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from typing import Annotated, Any, ClassVar, Literal

import pulumi
from pydantic import Field, field_validator, model_validator

from components.aws.bastion import Bastion, BastionArgs, access_problems
from components.aws.cluster import VpcCniSpec
from components.aws.max_pods import (
    fill,
    instance_type_problem,
    kube_reserved_memory_mib,
    max_pods,
    prefix_delegation_problem,
)
from components.aws.node_groups import NodeGroupSpec
from components.limits.ec2 import instance_type_problem as ec2_instance_type_problem
from components.text_rules import time_zone_problem
from k8s.kube_ops_view import SERVICE_NAME as KUBE_OPS_VIEW_SERVICE
from k8s.kube_ops_view import KubeOpsView, KubeOpsViewArgs
from k8s.netshoot import NAME as NETSHOOT
from k8s.netshoot import Netshoot, NetshootArgs
from k8s.nginx import NAME as NGINX
from k8s.nginx import NginxDeployment, NginxDeploymentArgs
from k8s.versions import NETSHOOT_IMAGE
from stacks.aws_base import (
    AwsBase,
    AwsBaseConfig,
    NetworkConfig,
    NodeGroupConfig,
    build_aws_base,
    export_base,
    node_group,
)
from stacks.config import Loc, StackModel, checked_by, raise_problems

SEED_ZONE_LETTERS = ("a", "b", "c")
SEED_VPC_CIDR = "192.168.0.0/16"
NODE_GROUP = "ng1"


def _seed_network() -> NetworkConfig:
    return NetworkConfig.model_validate({"vpcCidr": SEED_VPC_CIDR})


SEED_NODE_GROUP: Mapping[str, Any] = {
    "instanceType": "t3.medium",
    "minSize": 3,
    "maxSize": 3,
    "desiredSize": 3,
    "labels": {"role": "infra"},
}


def _seed_node_groups() -> dict[str, NodeGroupSpec]:
    return {NODE_GROUP: node_group(SEED_NODE_GROUP)}


class VpcCniConfig(StackModel):
    """The Amazon VPC CNI, an EKS add-on created before the node group."""

    # Not the component's VpcCniSpec itself: the bed offers no `addonVersion` (EKS's default for the version).

    enable_prefix_delegation: bool = False
    """Hand out /28 prefixes instead of single IPs (Nitro instances only): t3.medium goes from 17 to
    110 max pods (seed: off)."""
    warm_prefix_target: int = Field(1, ge=1, le=64)
    """Free /28 prefixes each node keeps ready (with prefix delegation; 0 is not supported)."""


class BastionConfig(StackModel):
    """An optional bastion host in the first zone's public subnet (seed: myeks-bastion-EC2, SSH from anywhere)."""

    enabled: bool = False
    """Create the bastion (seed: yes; here off unless asked for)."""
    access: Literal["ssm", "ssh"] = "ssm"
    """`ssm`: Session Manager only, no open port. `ssh`: also SSH from `sshCidr` with key pair `keyName`."""
    ssh_cidr: str | None = None
    """The one IPv4 CIDR allowed to SSH, e.g. your address as a /32 (access ssh only; never 0.0.0.0/0)."""
    key_name: str | None = None
    """An existing EC2 key pair's name (access ssh only)."""
    instance_type: Annotated[str, checked_by(ec2_instance_type_problem)] = "t3.micro"
    """A small instance: it only relays sessions."""

    @model_validator(mode="after")
    def _access(self) -> BastionConfig:
        keys = {"access": "access", "ssh_cidr": "sshCidr", "key_name": "keyName"}
        problems: list[tuple[Loc, str]] = [
            ((keys[field],), reason) for field, reason in access_problems(self.access, self.ssh_cidr, self.key_name)
        ]
        raise_problems(problems)
        return self


class KubeOpsViewConfig(StackModel):
    """kube-ops-view behind an internet-facing NLB (seed: Helm chart 1.2.2, port 8080)."""

    timezone: Annotated[str, checked_by(time_zone_problem)] = "Asia/Seoul"
    """The dashboard's time zone, env TZ (seed: Asia/Seoul)."""
    allowed_cidrs: list[str] = ["0.0.0.0/0"]
    """Who may open it: the NLB's source ranges (seed: anyone). Narrow it to your own address."""

    @field_validator("allowed_cidrs")
    @classmethod
    def _cidrs(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError("empty; allowed: at least one IPv4 CIDR (0.0.0.0/0 for anyone)")
        for cidr in value:
            try:
                ipaddress.IPv4Network(cidr)
            except ValueError:
                raise ValueError(f"{cidr!r} is not an IPv4 CIDR like 203.0.113.7/32") from None
        return value


class NetshootConfig(StackModel):
    """The seed's netshoot-pod Deployment."""

    replicas: int = Field(3, ge=1, le=100)
    """Pods, spread one per node (seed: 3)."""


class NginxConfig(StackModel):
    """The seed's nginx-deployment."""

    replicas: int = Field(2, ge=0, le=1000)
    """Replicas the stack deploys (seed: 2 in the manifest)."""
    scale_to: int = Field(50, ge=0, le=1000)
    """Replicas the seed then scaled to by hand; the stack's outputs say how many of them will run
    and how many stay Pending (seed: 50)."""


class Config(AwsBaseConfig):
    """cni-maxpods: the shared AWS base over three zones with one node group, the VPC CNI, and the workloads."""

    default_zone_letters: ClassVar[tuple[str, ...]] = SEED_ZONE_LETTERS

    availability_zones: list[str] = []
    """Zones for subnets and nodes (seed: ap-northeast-2a, 2b, 2c). Default: <region>a, b and c."""
    network: NetworkConfig = Field(default_factory=_seed_network)
    """The VPC (seed: 192.168.0.0/16, from the study's CloudFormation template; subnets are carved
    per zone letter as in every bed)."""
    node_groups: dict[str, NodeGroupConfig] = Field(default_factory=_seed_node_groups)
    """Managed node groups by name (seed: ng1, t3.medium, 3 nodes, one per zone). A group without
    `availabilityZones` here spans every zone; role=infra carries the system pods."""
    vpc_cni: VpcCniConfig = VpcCniConfig()
    """The VPC CNI add-on: prefix delegation and its warm prefixes."""
    bastion: BastionConfig = BastionConfig()
    """The optional bastion host."""
    kube_ops_view: KubeOpsViewConfig = KubeOpsViewConfig()
    """kube-ops-view and who may open it."""
    netshoot: NetshootConfig = NetshootConfig()
    """The netshoot-pod Deployment."""
    nginx: NginxConfig = NginxConfig()
    """The nginx-deployment and the replica count of the experiment."""

    @model_validator(mode="before")
    @classmethod
    def _groups_span_every_zone(cls, data: Any) -> Any:
        """Seed 001 spread ng1 over all three zones: a node group that names no zones gets them all."""
        if not isinstance(data, dict):
            return data
        region = data.get("aws:region")
        zones = data.get("availabilityZones") or (
            [f"{region}{letter}" for letter in cls.default_zone_letters] if isinstance(region, str) else None
        )
        groups = data.get("nodeGroups")
        if groups is None:
            groups = {NODE_GROUP: dict(SEED_NODE_GROUP)}
        if zones is None or not isinstance(groups, dict):
            return data
        spread = {
            name: {**group, "availabilityZones": zones}
            if isinstance(group, dict) and group.get("availabilityZones") is None
            else group
            for name, group in groups.items()
        }
        return {**data, "nodeGroups": spread}

    @model_validator(mode="after")
    def _max_pods(self) -> Config:
        problems: list[tuple[Loc, str]] = []
        for name, group in self.node_groups.items():
            if self.vpc_cni.enable_prefix_delegation:
                problem = prefix_delegation_problem(group.instance_type)
            else:
                problem = instance_type_problem(group.instance_type)
            if problem:
                problems.append((("nodeGroups", name, "instanceType"), problem))
        raise_problems(problems)
        return self

    def vpc_cni_spec(self) -> VpcCniSpec:
        """The component-level settings of the VPC CNI add-on."""
        return VpcCniSpec(
            enable_prefix_delegation=self.vpc_cni.enable_prefix_delegation,
            warm_prefix_target=self.vpc_cni.warm_prefix_target,
        )


def max_pods_by_group(cfg: Config) -> dict[str, dict[str, Any]]:
    """Node group -> the max pods its nodes get, and how they get it."""
    delegation = cfg.vpc_cni.enable_prefix_delegation
    report = {}
    for name, group in cfg.node_groups.items():
        per_node = max_pods(group.instance_type, prefix_delegation=delegation)
        report[name] = {
            "instanceType": group.instance_type,
            "nodes": group.desired_size,
            "prefixDelegation": delegation,
            "perNode": per_node,
            "kubeReservedMemoryMiB": kube_reserved_memory_mib(per_node),
            "passedToNodes": (
                f'nodeadm NodeConfig maxPodsExpression "{per_node}" in the launch template, and EKS\'s own'
                if delegation
                else "EKS's own calculation (no user data)"
            ),
        }
    return report


def pods_before_nginx(cfg: Config) -> dict[str, int]:
    """The pods the bed itself runs, by workload: what is left of the pod slots is nginx's."""
    nodes = sum(group.desired_size for group in cfg.node_groups.values())
    return {
        "aws-node": nodes,  # DaemonSets on the host network: they count against max pods, use no pod IP
        "kube-proxy": nodes,
        NETSHOOT: cfg.netshoot.replicas,
        "coredns": cfg.cluster.coredns_replicas,
        "metrics-server": cfg.cluster.metrics_server_replicas if cfg.cluster.enable_metrics_server else 0,
        "aws-load-balancer-controller": cfg.lb_controller.replica_count,
        "kube-ops-view": 1,
    }


def pod_capacity(cfg: Config) -> dict[str, Any]:
    """Pod slots of the whole bed and where nginx's replicas end up (seed 001's arithmetic)."""
    by_group = max_pods_by_group(cfg)
    capacity = sum(g["perNode"] * g["nodes"] for g in by_group.values())
    before = pods_before_nginx(cfg)
    occupied = sum(before.values())
    deployed = fill(capacity=capacity, occupied=occupied, replicas=cfg.nginx.replicas)
    scaled = fill(capacity=capacity, occupied=occupied, replicas=cfg.nginx.scale_to)
    return {
        "maxPodsPerNode": {name: g["perNode"] for name, g in by_group.items()},
        "nodes": sum(g["nodes"] for g in by_group.values()),
        "total": capacity,
        "podsBeforeNginx": occupied,
        "podsBeforeNginxByWorkload": before,
        "schedulableForNginx": deployed.schedulable,
        "atDeployedReplicas": {
            "replicas": cfg.nginx.replicas,
            "running": deployed.running,
            "pending": deployed.pending,
        },
        "atScaleTo": {"replicas": cfg.nginx.scale_to, "running": scaled.running, "pending": scaled.pending},
    }


def commands(cfg: Config) -> dict[str, str]:
    """The seed's experiment, as commands to paste."""
    return {
        "maxPods": "kubectl get nodes"
        " -o custom-columns=NODE:.metadata.name,ZONE:.metadata.labels.topology\\.kubernetes\\.io/zone,"
        "MAXPODS:.status.allocatable.pods",
        "cniSettings": "kubectl -n kube-system get daemonset aws-node -o jsonpath="
        "'{range .spec.template.spec.containers[0].env[*]}{.name}={.value}{\"\\n\"}{end}'"
        " | grep -E 'ENABLE_PREFIX_DELEGATION|WARM_PREFIX_TARGET'",
        "netshootPods": f"kubectl get pod -o wide -l app={NETSHOOT}",
        # A shell in the node's network namespace, instead of the seed's ssh to the node.
        "nodeInterfaces": "kubectl debug $(kubectl get nodes -o name | head -n 1) -it"
        f" --image={NETSHOOT_IMAGE} -- sh -c 'ip -br -c addr; route -n | grep eni'",
        "kubeOpsViewUrl": f"kubectl get svc -n kube-system {KUBE_OPS_VIEW_SERVICE}"
        " -o jsonpath={.status.loadBalancer.ingress[0].hostname}"
        ' | awk \'{ print "KUBE-OPS-VIEW URL = http://"$1":8080/#scale=1.5"}\'',
        "scaleNginx": f"kubectl scale deployment {NGINX} --replicas={cfg.nginx.scale_to}",
        "countRunning": "kubectl get pods -l app=nginx --field-selector=status.phase=Running --no-headers | wc -l",
        "countPending": "kubectl get pods -l app=nginx --field-selector=status.phase=Pending --no-headers | wc -l",
        "whyPending": "kubectl get events --field-selector reason=FailedScheduling | tail -n 3",
    }


def build(cfg: Config) -> None:
    """The seed's bed, its workloads and the numbers to check them against."""
    base: AwsBase = build_aws_base(cfg, vpc_cni=cfg.vpc_cni_spec())
    cluster, provider = base.cluster, base.cluster.provider
    system = cluster.system_placement
    # The seed's pods have no selector: any node may run them, so they wait for every node group.
    nodes = cluster.placement({}).wait_for

    kube_ops_view = KubeOpsView(
        "kube-ops-view",
        KubeOpsViewArgs(
            provider=provider,
            lb_controller_release=base.lb_controller.release,
            timezone=cfg.kube_ops_view.timezone,
            allowed_cidrs=cfg.kube_ops_view.allowed_cidrs,
            placement=system,
        ),
    )
    Netshoot("netshoot", NetshootArgs(provider=provider, replicas=cfg.netshoot.replicas, wait_for=nodes))
    NginxDeployment("nginx", NginxDeploymentArgs(provider=provider, replicas=cfg.nginx.replicas, wait_for=nodes))

    pulumi.export("maxPods", max_pods_by_group(cfg))
    pulumi.export("podCapacity", pod_capacity(cfg))
    pulumi.export("kubeOpsViewUrl", kube_ops_view.url)
    extra = commands(cfg)
    if cfg.bastion.enabled:
        first_zone = cfg.availability_zones[0]
        bastion = Bastion(
            "bastion",
            BastionArgs(
                vpc_id=base.network.vpc_id,
                subnet_id=base.network.public_subnet_ids[first_zone],
                access=cfg.bastion.access,
                ssh_cidr=cfg.bastion.ssh_cidr,
                key_name=cfg.bastion.key_name,
                instance_type=cfg.bastion.instance_type,
                # Nodes and pods answer the bastion: pod IPs are VPC addresses under the VPC CNI.
                reach_security_group_ids={"cluster": cluster.cluster_security_group_id},
                tags=base.tags,
            ),
        )
        pulumi.export("bastion", {"instanceId": bastion.instance_id, "publicIp": bastion.public_ip})
        extra["bastionSession"] = bastion.instance_id.apply(
            lambda i: f"aws ssm start-session --region {cfg.region} --target {i}"
        )
        if cfg.bastion.access == "ssh":
            extra["bastionSsh"] = bastion.public_ip.apply(lambda ip: f"ssh ec2-user@{ip}")
    export_base(base, extra)
