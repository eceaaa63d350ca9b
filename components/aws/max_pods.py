"""How many pods a node may run under the VPC CNI: pure arithmetic, no Pulumi.

Without prefix delegation every pod that is not on the host network takes a secondary IPv4
address of one of the node's ENIs, and the first address of each ENI is the ENI's own:

    max pods = ENIs x (IPv4 per ENI - 1) + 2        (+2: aws-node and kube-proxy use the host's IP)

which gives t3.medium 3 x (6 - 1) + 2 = 17 (seed 001). With prefix delegation each of those slots
holds a /28 prefix of 16 addresses instead (x16), which only Nitro instances support. Either
way EKS caps what it gives a managed node at 110 below 30 vCPUs and 250 from 30 vCPUs (EKS User
Guide, choosing-instance-type "How maxPods is determined"; amazon-eks-ami
max-pods-calculator.sh), so t3.medium gets 17 without delegation and 110 with it.

The table (max_pods.json, data) holds the families the test beds and their tests use; the numbers
are EC2's, under EC2's names (DescribeInstanceTypes: MaximumNetworkInterfaces,
Ipv4AddressesPerInterface, DefaultVCpus, Hypervisor) and reproduce amazon-eks-ami's eni-max-pods.txt.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

LOW_CPU_MAX_PODS = 110
"""EKS's cap for managed nodes with fewer than `CPU_CEILING` vCPUs (also kubelet's default)."""
HIGH_CPU_MAX_PODS = 250
CPU_CEILING = 30
ADDRESSES_PER_PREFIX = 16  # a /28
HOST_NETWORK_PODS = 2
"""aws-node and kube-proxy: on every node, on the host's network, counted by kubelet's max pods."""


@dataclass(frozen=True)
class InstanceNetworking:
    """What decides an instance type's pod count."""

    enis: int
    ipv4_per_eni: int
    vcpus: int
    nitro: bool
    """Built on the Nitro system (hypervisor `nitro`): required for prefix delegation."""


TABLE_FILE = Path(__file__).resolve().parent / "max_pods.json"
"""Instance type -> EC2's DescribeInstanceTypes numbers, one line a type, with their source."""


def _load(path: Path) -> dict[str, InstanceNetworking]:
    rows = json.loads(path.read_text())["instanceTypes"]
    return {
        instance_type: InstanceNetworking(
            enis=row["MaximumNetworkInterfaces"],
            ipv4_per_eni=row["Ipv4AddressesPerInterface"],
            vcpus=row["DefaultVCpus"],
            nitro=row["Hypervisor"] == "nitro",
        )
        for instance_type, row in rows.items()
    }


INSTANCE_TYPES: dict[str, InstanceNetworking] = _load(TABLE_FILE)
"""Instance type -> its networking, for the families in max_pods.json."""
FAMILIES: tuple[str, ...] = tuple(sorted({t.split(".")[0] for t in INSTANCE_TYPES}))
NITRO_FAMILIES: tuple[str, ...] = tuple(
    f for f in FAMILIES if all(info.nitro for t, info in INSTANCE_TYPES.items() if t.split(".")[0] == f)
)


def instance_type_problem(instance_type: str) -> str | None:
    """Why the pod count of `instance_type` cannot be computed here, or None."""
    if instance_type not in INSTANCE_TYPES:
        return (
            f"{instance_type!r} is not in the max-pods table (families {', '.join(FAMILIES)});"
            " add it to components/aws/max_pods.json"
        )
    return None


def prefix_delegation_problem(instance_type: str) -> str | None:
    """Why prefix delegation cannot be used on `instance_type`, or None."""
    if problem := instance_type_problem(instance_type):
        return problem
    if not INSTANCE_TYPES[instance_type].nitro:
        return (
            f"{instance_type!r} is not a Nitro instance type and prefix delegation needs one"
            f" (families {', '.join(NITRO_FAMILIES)}, e.g. t3.medium)"
        )
    return None


def max_pods_cap(vcpus: int) -> int:
    """EKS's ceiling for a managed node with `vcpus` vCPUs."""
    return LOW_CPU_MAX_PODS if vcpus < CPU_CEILING else HIGH_CPU_MAX_PODS


def eni_max_pods(instance_type: str, *, prefix_delegation: bool = False) -> int:
    """Pods the node's addresses allow, before EKS's cap (without delegation: the number in
    amazon-eks-ami's eni-max-pods.txt)."""
    if problem := instance_type_problem(instance_type):
        raise ValueError(problem)
    info = INSTANCE_TYPES[instance_type]
    addresses_per_slot = ADDRESSES_PER_PREFIX if prefix_delegation else 1
    return info.enis * (info.ipv4_per_eni - 1) * addresses_per_slot + HOST_NETWORK_PODS


def max_pods(instance_type: str, *, prefix_delegation: bool) -> int:
    """The kubelet max pods EKS gives a managed node of `instance_type` (t3.medium: 17, or 110
    with prefix delegation). ValueError for a type the table does not know, or for delegation
    on a type that cannot do it."""
    problem = prefix_delegation_problem(instance_type) if prefix_delegation else instance_type_problem(instance_type)
    if problem:
        raise ValueError(problem)
    by_addresses = eni_max_pods(instance_type, prefix_delegation=prefix_delegation)
    return min(by_addresses, max_pods_cap(INSTANCE_TYPES[instance_type].vcpus))


def kube_reserved_memory_mib(max_pods_per_node: int) -> int:
    """Memory nodeadm reserves for kubelet and the runtime: 11 MiB per pod + 255 MiB
    (amazon-eks-ami nodeadm internal/kubelet/config.go, GetMemoryMebibytesToReserve)."""
    return 11 * max_pods_per_node + 255


@dataclass(frozen=True)
class Scheduling:
    """Where the replicas of one Deployment end up when pod slots, not CPU or memory, run out."""

    capacity: int
    """Pods all nodes together may run (max pods x nodes)."""
    occupied: int
    """Pods already there before the Deployment (system pods and other workloads)."""
    schedulable: int
    """Free slots: how many replicas can run."""
    running: int
    pending: int


def schedule(
    *, max_pods_per_node: int, nodes: int, pods_per_node: int = 0, other_pods: int = 0, replicas: int
) -> Scheduling:
    """How many of `replicas` run and how many stay Pending on `nodes` nodes of `max_pods_per_node`,
    with `pods_per_node` already on every node (DaemonSets) and `other_pods` elsewhere.

    Seed 001: 17 per node, 3 system pods on each of 3 nodes, 50 nginx replicas -> 42 run, 8 Pending.
    """
    for name, value in (
        ("max_pods_per_node", max_pods_per_node),
        ("nodes", nodes),
        ("pods_per_node", pods_per_node),
        ("other_pods", other_pods),
        ("replicas", replicas),
    ):
        if value < 0:
            raise ValueError(f"{name} is {value}; it cannot be negative")
    if pods_per_node > max_pods_per_node:
        raise ValueError(f"{pods_per_node} pods per node do not fit in max pods {max_pods_per_node}")
    return fill(capacity=max_pods_per_node * nodes, occupied=pods_per_node * nodes + other_pods, replicas=replicas)


def fill(*, capacity: int, occupied: int, replicas: int) -> Scheduling:
    """How many of `replicas` find one of the `capacity - occupied` free pod slots of a cluster."""
    if min(capacity, occupied, replicas) < 0:
        raise ValueError(f"capacity {capacity}, occupied {occupied} and replicas {replicas} cannot be negative")
    occupied = min(capacity, occupied)
    schedulable = capacity - occupied
    running = min(replicas, schedulable)
    return Scheduling(capacity, occupied, schedulable, running, replicas - running)


def nodeadm_max_pods_user_data(max_pods_per_node: int) -> str:
    """Launch template user data (MIME multi-part, as EKS requires) holding a nodeadm NodeConfig
    that sets max pods by `maxPodsExpression`.

    The expression, not `kubelet.config.maxPods`, because nodeadm sizes kubeReserved memory from
    the expression's result but not from a literal maxPods, which would leave the reservation at
    the 17-pod size (amazon-eks-ami doc/examples.md "Defining a Max Pods Expression"). EKS appends
    its own NodeConfig after this one for managed nodes without a custom AMI, and its maxPods, PD-aware
    when the vpc-cni add-on had prefix delegation before the node group was created, takes
    precedence (EKS User Guide, choosing-instance-type#max-pods-precedence): both say the same number.
    """
    if not 1 <= max_pods_per_node <= HIGH_CPU_MAX_PODS:
        raise ValueError(f"max pods {max_pods_per_node} is not in 1..{HIGH_CPU_MAX_PODS}")
    boundary = "==TESTBED-NODEADM=="
    return (
        "MIME-Version: 1.0\n"
        f'Content-Type: multipart/mixed; boundary="{boundary}"\n'
        "\n"
        f"--{boundary}\n"
        "Content-Type: application/node.eks.aws\n"
        "\n"
        "---\n"
        "apiVersion: node.eks.aws/v1alpha1\n"
        "kind: NodeConfig\n"
        "spec:\n"
        "  kubelet:\n"
        f'    maxPodsExpression: "{max_pods_per_node}"\n'
        "\n"
        f"--{boundary}--\n"
    )
