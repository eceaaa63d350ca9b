"""Managed node group specs and their rules: plain data, no Pulumi.

The rules here are the EKS API's own (CreateNodegroup: names, scaling, taint effects) and
Kubernetes' (label syntax). A spec checks itself as it is made (`__post_init__`), and the stack
configs embed these specs as they are (components/specs.py), so the rules run once and a bad
value gets the same message whichever way it comes in; the cluster adds what needs its network.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Literal

from ..errors import raise_if_any
from ..k8s_labels import label_problem
from ..limits import aws as limits
from ..limits.ec2 import instance_type_problem, is_graviton
from ..specs import Spec
from .versions import NODE_AMI_TYPE

TaintEffect = Literal["NO_SCHEDULE", "NO_EXECUTE", "PREFER_NO_SCHEDULE"]
CapacityType = Literal["ON_DEMAND", "SPOT"]
AmiType = Literal["AL2023_x86_64_STANDARD", "AL2023_ARM_64_STANDARD"]

TAINT_EFFECTS: tuple[str, ...] = ("NO_SCHEDULE", "NO_EXECUTE", "PREFER_NO_SCHEDULE")
CAPACITY_TYPES: tuple[str, ...] = ("ON_DEMAND", "SPOT")
# EKS CreateNodegroup: nodegroupName and clusterName share this pattern.
EKS_NAME = re.compile(r"^[0-9A-Za-z][A-Za-z0-9\-_]*$")
# Effect names of the EKS API -> of Kubernetes (for tolerations).
K8S_TAINT_EFFECT = {
    "NO_SCHEDULE": "NoSchedule",
    "NO_EXECUTE": "NoExecute",
    "PREFER_NO_SCHEDULE": "PreferNoSchedule",
}


@dataclass(frozen=True, kw_only=True)
class Taint(Spec):
    """A node taint, in the EKS API's terms."""

    key: str
    """Taint key, e.g. dedicated."""
    value: str = ""
    """Taint value; may be empty."""
    effect: TaintEffect = "NO_SCHEDULE"
    """What the taint does to pods that do not tolerate it: NO_SCHEDULE, NO_EXECUTE or PREFER_NO_SCHEDULE."""

    def __post_init__(self) -> None:
        problems: list[tuple[str, str]] = []
        if problem := label_problem(self.key, self.value):
            problems.append(("key", problem.replace("label", "taint")))
        if self.effect not in TAINT_EFFECTS:
            problems.append(("effect", f"{self.effect!r} is not one of {', '.join(TAINT_EFFECTS)}"))
        raise_if_any("Taint", problems)


@dataclass(frozen=True, kw_only=True)
class NodeGroupSpec(Spec):
    """One managed node group, its nodes in private subnets: one on-demand node in the network's first zone
    unless said otherwise, as EKS would. A program must choose `instance_type`: no default picks a size."""

    instance_type: str
    """EC2 instance type of every node, e.g. t3.medium."""
    min_size: Annotated[int, limits.NODE_GROUP_SIZE] = 1
    """Fewest nodes the group scales to."""
    max_size: Annotated[int, limits.NODE_GROUP_MAX_SIZE] = 1
    """Most nodes the group scales to; EKS caps a managed node group (components/limits/aws.py)."""
    desired_size: Annotated[int, limits.NODE_GROUP_SIZE] = 1
    """Nodes to start with, between `minSize` and `maxSize`."""
    availability_zones: Sequence[str] | None = None
    """Zones to place the nodes in, a subset of the network's zones (`availabilityZones`). null: the first zone."""
    labels: Mapping[str, str] = field(default_factory=dict)
    """Kubernetes labels of every node, e.g. role: server (the beds' seeds: role=infra, server, client)."""
    taints: Sequence[Taint] = ()
    """Node taints."""
    ami_type: AmiType = NODE_AMI_TYPE
    """EKS AMI type (Amazon Linux 2023); ARM needs a Graviton instance type."""
    capacity_type: CapacityType = "ON_DEMAND"
    """On-demand or spot capacity."""
    disk_size_gib: Annotated[int, limits.NODE_DISK_SIZE_GIB] = 20
    """Root volume size (gp3, encrypted); at least the EKS AMI's 20 GiB."""

    def __post_init__(self) -> None:
        raise_if_any("NodeGroupSpec", spec_problems(self))


def eks_name_problem(name: str, max_length: int) -> str | None:
    """Why `name` is not a valid EKS cluster or node group name, or None."""
    if not EKS_NAME.match(name) or len(name) > max_length:
        return (
            f"{name!r} must start with a letter or digit, hold only letters, digits, '-' and '_',"
            f" and be at most {max_length} characters"
        )
    return None


def architecture_problem(instance_type: str, ami_type: str) -> str | None:
    """Why nodes of `instance_type` cannot boot `ami_type` (ARM instance, x86 image or the reverse), or None."""
    arm_ami = "ARM_64" in ami_type
    if is_graviton(instance_type) and not arm_ami:
        return f"{ami_type!r}: an ARM_64 AMI type, since {instance_type} is an ARM (Graviton) instance type"
    if arm_ami and not is_graviton(instance_type):
        return f"{ami_type!r}: an x86_64 AMI type, since {instance_type} is not an ARM (Graviton) instance type"
    return None


def scaling_problem(min_size: int, desired_size: int, max_size: int) -> str | None:
    """Why min/desired/max is not a valid EKS scaling config, or None."""
    if min_size < 0 or max_size < 1:
        return f"need min >= 0 and max >= 1, got min {min_size}, max {max_size}"
    if not min_size <= desired_size <= max_size:
        return f"need min <= desired <= max, got {min_size} <= {desired_size} <= {max_size}"
    return None


def tolerations_for(taints: Sequence[Taint]) -> list[dict[str, str]]:
    """Kubernetes tolerations that let a pod onto nodes with `taints`."""
    return [{"key": t.key, "operator": "Equal", "value": t.value, "effect": K8S_TAINT_EFFECT[t.effect]} for t in taints]


def spec_problems(spec: NodeGroupSpec) -> list[tuple[str, str]]:
    """Every problem with one node group spec on its own, as (field, reason); a label's field names its key."""
    problems: list[tuple[str, str]] = []
    if problem := instance_type_problem(spec.instance_type):
        problems.append(("instance_type", problem))
    elif problem := architecture_problem(spec.instance_type, spec.ami_type):
        problems.append(("ami_type", problem))
    if problem := scaling_problem(spec.min_size, spec.desired_size, spec.max_size):
        problems.append(("desired_size", problem))
    elif spec.max_size not in limits.NODE_GROUP_MAX_SIZE:
        problems.append(
            ("max_size", f"{spec.max_size}: at most {limits.NODE_GROUP_MAX_SIZE.high} per managed node group")
        )
    if spec.availability_zones is not None and not spec.availability_zones:
        problems.append(("availability_zones", "must name at least one zone"))
    for key, value in spec.labels.items():
        if problem := label_problem(key, value):
            problems.append((f"labels.{key}", problem))
    if spec.capacity_type not in CAPACITY_TYPES:
        problems.append(("capacity_type", f"{spec.capacity_type!r} is not one of {', '.join(CAPACITY_TYPES)}"))
    if problem := limits.NODE_DISK_SIZE_GIB.problem(spec.disk_size_gib):
        problems.append(("disk_size_gib", problem))
    return problems


def zone_problems(spec: NodeGroupSpec, zones: Sequence[str]) -> list[tuple[str, str]]:
    """The node group's zones that are not among `zones` (the network's), as (field, reason)."""
    return [
        ("availability_zones", f"{zone!r} is not one of the network's zones {list(zones)}")
        for zone in spec.availability_zones or ()
        if zone not in zones
    ]
