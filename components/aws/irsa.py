"""IAM trust policies, pure functions: IRSA's (IAM roles for service accounts) and EC2's (nodes, a bastion)."""

from __future__ import annotations

from typing import Any


def service_account_subject(namespace: str, service_account: str) -> str:
    """The `sub` claim EKS puts in a service account's projected token."""
    return f"system:serviceaccount:{namespace}:{service_account}"


def ec2_trust_policy() -> dict[str, Any]:
    """A trust policy letting EC2 instances assume the role (through their instance profile)."""
    return {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}],
    }


def irsa_trust_policy(oidc_provider_arn: str, oidc_issuer: str, namespace: str, service_account: str) -> dict[str, Any]:
    """A trust policy letting exactly one service account assume the role through the cluster's OIDC provider.

    `oidc_issuer` is the issuer without `https://` (e.g. `oidc.eks.<region>.amazonaws.com/id/<ID>`):
    it prefixes the condition keys. Both `sub` and `aud` are pinned, as the EKS user guide
    recommends; without `sub`, any pod of the cluster could take the role.
    """
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Federated": oidc_provider_arn},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringEquals": {
                        f"{oidc_issuer}:sub": service_account_subject(namespace, service_account),
                        f"{oidc_issuer}:aud": "sts.amazonaws.com",
                    }
                },
            }
        ],
    }
