"""IAM policy of the AWS Load Balancer Controller, as published for the pinned version.

This renders `docs/install/iam_policy.json` of kubernetes-sigs/aws-load-balancer-controller at
LB_CONTROLLER_POLICY_VERSION, statement for statement and in the same order, with the ARN
partition as a parameter (the upstream file is written for `aws`; the us-gov and cn variants
differ only by partition). tests/test_lb_controller_policy.py compares the rendering with the
upstream file. When bumping the controller, re-check it against the new tag's file: a stale
policy fails at reconcile time with AccessDenied (e.g. DescribeListenerAttributes, #3944).
"""

from __future__ import annotations

from typing import Any

from .versions import LB_CONTROLLER_POLICY_VERSION

__all__ = ["LB_CONTROLLER_POLICY_VERSION", "lb_controller_policy"]

# The tag the controller puts on everything it creates; its permissions hinge on it.
_CLUSTER_TAG = "elbv2.k8s.aws/cluster"

_DESCRIBE = [
    "ec2:DescribeAccountAttributes",
    "ec2:DescribeAddresses",
    "ec2:DescribeAvailabilityZones",
    "ec2:DescribeInternetGateways",
    "ec2:DescribeVpcs",
    "ec2:DescribeVpcPeeringConnections",
    "ec2:DescribeSubnets",
    "ec2:DescribeSecurityGroups",
    "ec2:DescribeInstances",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DescribeTags",
    "ec2:GetCoipPoolUsage",
    "ec2:DescribeCoipPools",
    "ec2:GetSecurityGroupsForVpc",
    "ec2:DescribeIpamPools",
    "ec2:DescribeRouteTables",
    "elasticloadbalancing:DescribeLoadBalancers",
    "elasticloadbalancing:DescribeLoadBalancerAttributes",
    "elasticloadbalancing:DescribeListeners",
    "elasticloadbalancing:DescribeListenerCertificates",
    "elasticloadbalancing:DescribeSSLPolicies",
    "elasticloadbalancing:DescribeRules",
    "elasticloadbalancing:DescribeTargetGroups",
    "elasticloadbalancing:DescribeTargetGroupAttributes",
    "elasticloadbalancing:DescribeTargetHealth",
    "elasticloadbalancing:DescribeTags",
    "elasticloadbalancing:DescribeTrustStores",
    "elasticloadbalancing:DescribeListenerAttributes",
    "elasticloadbalancing:DescribeCapacityReservation",
]

# Certificates, WAF and Shield: what an Ingress may reference.
_INTEGRATIONS = [
    "cognito-idp:DescribeUserPoolClient",
    "acm:ListCertificates",
    "acm:DescribeCertificate",
    "iam:ListServerCertificates",
    "iam:GetServerCertificate",
    "waf-regional:GetWebACL",
    "waf-regional:GetWebACLForResource",
    "waf-regional:AssociateWebACL",
    "waf-regional:DisassociateWebACL",
    "wafv2:GetWebACL",
    "wafv2:GetWebACLForResource",
    "wafv2:AssociateWebACL",
    "wafv2:DisassociateWebACL",
    "shield:GetSubscriptionState",
    "shield:DescribeProtection",
    "shield:CreateProtection",
    "shield:DeleteProtection",
]

# Changes allowed only on load balancers and target groups the controller tagged.
_MODIFY_OWNED = [
    "elasticloadbalancing:ModifyLoadBalancerAttributes",
    "elasticloadbalancing:SetIpAddressType",
    "elasticloadbalancing:SetSecurityGroups",
    "elasticloadbalancing:SetSubnets",
    "elasticloadbalancing:DeleteLoadBalancer",
    "elasticloadbalancing:ModifyTargetGroup",
    "elasticloadbalancing:ModifyTargetGroupAttributes",
    "elasticloadbalancing:DeleteTargetGroup",
    "elasticloadbalancing:ModifyListenerAttributes",
    "elasticloadbalancing:ModifyCapacityReservation",
    "elasticloadbalancing:ModifyIpPools",
]

_LISTENER_AND_RULES = [
    "elasticloadbalancing:SetWebAcl",
    "elasticloadbalancing:ModifyListener",
    "elasticloadbalancing:AddListenerCertificates",
    "elasticloadbalancing:RemoveListenerCertificates",
    "elasticloadbalancing:ModifyRule",
    "elasticloadbalancing:SetRulePriorities",
]


def _allow(actions: list[str], resource: str | list[str] = "*", condition: dict | None = None) -> dict[str, Any]:
    statement: dict[str, Any] = {"Effect": "Allow", "Action": actions, "Resource": resource}
    if condition:
        statement["Condition"] = condition
    return statement


def lb_controller_policy(partition: str = "aws") -> dict[str, Any]:
    """The controller's IAM policy document for ARN partition `partition`."""
    elb = f"arn:{partition}:elasticloadbalancing:*:*"
    security_groups = f"arn:{partition}:ec2:*:*:security-group/*"
    load_balancers_and_target_groups = [
        f"{elb}:targetgroup/*/*",
        f"{elb}:loadbalancer/net/*/*",
        f"{elb}:loadbalancer/app/*/*",
    ]
    tagged_by_request = {"Null": {f"aws:RequestTag/{_CLUSTER_TAG}": "false"}}
    tagged_resource = {"Null": {f"aws:ResourceTag/{_CLUSTER_TAG}": "false"}}
    retag_owned = {"Null": {f"aws:RequestTag/{_CLUSTER_TAG}": "true", f"aws:ResourceTag/{_CLUSTER_TAG}": "false"}}
    return {
        "Version": "2012-10-17",
        "Statement": [
            _allow(
                ["iam:CreateServiceLinkedRole"],
                condition={"StringEquals": {"iam:AWSServiceName": "elasticloadbalancing.amazonaws.com"}},
            ),
            _allow(_DESCRIBE),
            _allow(_INTEGRATIONS),
            _allow(["ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress"]),
            _allow(["ec2:CreateSecurityGroup"]),
            _allow(
                ["ec2:CreateTags"],
                security_groups,
                {"StringEquals": {"ec2:CreateAction": "CreateSecurityGroup"}, **tagged_by_request},
            ),
            _allow(["ec2:CreateTags", "ec2:DeleteTags"], security_groups, retag_owned),
            _allow(
                ["ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress", "ec2:DeleteSecurityGroup"],
                condition=tagged_resource,
            ),
            _allow(
                ["elasticloadbalancing:CreateLoadBalancer", "elasticloadbalancing:CreateTargetGroup"],
                condition=tagged_by_request,
            ),
            _allow(
                [
                    "elasticloadbalancing:CreateListener",
                    "elasticloadbalancing:DeleteListener",
                    "elasticloadbalancing:CreateRule",
                    "elasticloadbalancing:DeleteRule",
                ]
            ),
            _allow(
                ["elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"],
                load_balancers_and_target_groups,
                retag_owned,
            ),
            _allow(
                ["elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"],
                [
                    f"{elb}:listener/net/*/*/*",
                    f"{elb}:listener/app/*/*/*",
                    f"{elb}:listener-rule/net/*/*/*",
                    f"{elb}:listener-rule/app/*/*/*",
                ],
            ),
            _allow(_MODIFY_OWNED, condition=tagged_resource),
            _allow(
                ["elasticloadbalancing:AddTags"],
                load_balancers_and_target_groups,
                {
                    "StringEquals": {"elasticloadbalancing:CreateAction": ["CreateTargetGroup", "CreateLoadBalancer"]},
                    **tagged_by_request,
                },
            ),
            _allow(
                ["elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets"],
                f"{elb}:targetgroup/*/*",
            ),
            _allow(_LISTENER_AND_RULES),
        ],
    }
