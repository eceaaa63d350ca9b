"""eks-base: the bare EKS test bed every AWS scenario stands on (seed 000's eksctl cluster.yaml).

Builds the shared AWS base (stacks/aws_base.py) and nothing else: network, EKS, node groups,
the LB controller and the add-ons on role=infra.
The scenario, its knobs and how to verify it: docs/scenarios/eks-base.md.
"""

from __future__ import annotations

from stacks.aws_base import AwsBaseConfig, build_aws_base, export_base


class Config(AwsBaseConfig):
    """eks-base has no knobs beyond the shared AWS base."""


def build(cfg: Config) -> None:
    """Build the bed and export how to reach it."""
    export_base(build_aws_base(cfg))
