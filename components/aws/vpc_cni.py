"""The Amazon VPC CNI as an EKS add-on of the cluster component: its settings, their rules and
the add-on's configuration values (plain data, no Pulumi)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .max_pods import prefix_delegation_problem
from .node_groups import NodeGroupSpec


@dataclass(frozen=True, kw_only=True)
class VpcCniSpec:
    """The Amazon VPC CNI as an EKS add-on of the cluster component, with its IP address management."""

    enable_prefix_delegation: bool = False
    """Assign /28 prefixes instead of single secondary IPs to ENIs (Nitro only): ~16x the pod
    addresses, so max pods becomes EKS's cap (110 below 30 vCPUs)."""
    warm_prefix_target: int = 1
    """Free /28 prefixes ipamd keeps attached (used with prefix delegation only; 0 is not supported there)."""
    addon_version: str | None = None
    """EKS add-on version; None: EKS's default for the cluster version."""


def vpc_cni_configuration(spec: VpcCniSpec) -> dict[str, dict[str, str]]:
    """The vpc-cni add-on's configuration values: the aws-node container's environment (strings,
    as the add-on's configuration schema wants them)."""
    return {
        "env": {
            "ENABLE_PREFIX_DELEGATION": "true" if spec.enable_prefix_delegation else "false",
            "WARM_PREFIX_TARGET": str(spec.warm_prefix_target),
        }
    }


def vpc_cni_problems(spec: VpcCniSpec, node_groups: Mapping[str, NodeGroupSpec]) -> list[tuple[str, str]]:
    """Every problem with the VPC CNI settings for these node groups, as (field, reason)."""
    problems: list[tuple[str, str]] = []
    if spec.warm_prefix_target < 1:
        problems.append(
            ("vpc_cni.warm_prefix_target", f"{spec.warm_prefix_target} is below 1 (0 is not supported by the VPC CNI)")
        )
    if spec.enable_prefix_delegation:
        for group, node_group in node_groups.items():
            if problem := prefix_delegation_problem(node_group.instance_type):
                problems.append((f"node_groups[{group!r}].instance_type", problem))
            if not node_group.ami_type.startswith("AL2023_"):
                problems.append(
                    (
                        f"node_groups[{group!r}].ami_type",
                        f"{node_group.ami_type!r}: max pods reach the nodes as a nodeadm NodeConfig,"
                        " which needs an AL2023 AMI type",
                    )
                )
    return problems
