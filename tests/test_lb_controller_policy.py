"""The controller's IAM policy against the upstream file, and the IRSA trust policy."""

from __future__ import annotations

import json

from components.aws.irsa import irsa_trust_policy
from components.aws.lb_controller_policy import lb_controller_policy
from components.aws.versions import LB_CONTROLLER_CHART_VERSION, LB_CONTROLLER_POLICY_VERSION


def test_policy_equals_the_published_policy(reference_policy):
    # testbed/reference ships the v2.13.3 file's statements; upstream's v3.5.0 file has the same statements
    # (no action added or removed between the tags, research/aws.md §1.3).
    assert LB_CONTROLLER_POLICY_VERSION == "v3.5.0"
    assert lb_controller_policy() == reference_policy


def test_policy_keeps_the_actions_whose_absence_broke_older_copies(reference_policy):
    actions = {a for s in lb_controller_policy()["Statement"] for a in s["Action"]}
    for needed in (
        "elasticloadbalancing:DescribeListenerAttributes",  # v2.9: listener attributes (#3944)
        "ec2:GetSecurityGroupsForVpc",  # v2.10
        "ec2:DescribeRouteTables",  # v2.13: subnet discovery by reachability
        "elasticloadbalancing:ModifyIpPools",  # v2.12
    ):
        assert needed in actions


def test_policy_partition_is_a_parameter():
    gov = json.dumps(lb_controller_policy("aws-us-gov"))
    assert "arn:aws:" not in gov
    assert "arn:aws-us-gov:elasticloadbalancing:*:*:targetgroup/*/*" in gov


def test_chart_and_policy_are_pinned_to_one_controller_version():
    assert f"v{LB_CONTROLLER_CHART_VERSION}" == LB_CONTROLLER_POLICY_VERSION


def test_irsa_trust_is_scoped_to_one_service_account_and_sts():
    issuer = "oidc.eks.ap-northeast-2.amazonaws.com/id/ABC"
    arn = f"arn:aws:iam::111122223333:oidc-provider/{issuer}"
    policy = irsa_trust_policy(arn, issuer, "kube-system", "aws-load-balancer-controller")
    assert policy == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Federated": arn},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringEquals": {
                        f"{issuer}:sub": "system:serviceaccount:kube-system:aws-load-balancer-controller",
                        f"{issuer}:aud": "sts.amazonaws.com",
                    }
                },
            }
        ],
    }
