"""eks-base: the bare EKS test bed every AWS scenario stands on (seed 000's eksctl cluster.yaml).

The seed's procedure, declared:
1. `eksctl create cluster -f cluster.yaml`: VPC over ap-northeast-2a/2c with a single NAT,
   EKS 1.36 (the seed ran 1.33, now in extended support) with public and private endpoint
   access and OIDC, managed node groups
   infra (1/2/1), server (1/1/1) and client (1/1/1), t3.medium, private, zone a;
2. the LB controller's IAM policy, an IRSA service account and `helm install
   aws-load-balancer-controller`;
3. `kubectl edit`/`scale` of metrics-server and CoreDNS onto role=infra with 1 replica.
"""

from __future__ import annotations

from stacks.aws_base import AwsBaseConfig, build_aws_base, export_base


class Config(AwsBaseConfig):
    """eks-base has no knobs beyond the shared AWS base."""


def build(cfg: Config) -> None:
    """Build the bed and export how to reach it."""
    export_base(build_aws_base(cfg))
