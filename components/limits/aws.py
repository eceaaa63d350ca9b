"""AWS limits the test beds check, each written once, with its source.

Ranges of the ELBv2 API (load balancer, listener and target group attributes, health checks),
of EKS (names, managed node groups) and of resource tags, and the keys the pulumi-aws provider
reads from its `aws:` config namespace.
"""

from __future__ import annotations

import re

from . import PORT as PORT
from . import Range

# ---- names of regions and zones (docs.aws.amazon.com/global-infrastructure/latest/regions/aws-regions.html) ----
# The prefix is two letters or more: us-east-1, ap-northeast-2, but also the European Sovereign Cloud's
# eusc-de-east-1 and the GovCloud regions us-gov-west-1.
REGION_NAME = r"[a-z]{2,}(?:-[a-z]+)+-\d{1,2}"
REGION = re.compile(rf"^{REGION_NAME}$")
ZONE = re.compile(rf"^(?P<region>{REGION_NAME})(?P<letter>[a-z])$")

# ---- ELBv2 (docs.aws.amazon.com/elasticloadbalancing/latest/APIReference, botocore elbv2) ----------------

ALB_IDLE_TIMEOUT = Range(1, 4000, " seconds")
"""ALB attribute idle_timeout.timeout_seconds (application/load-balancer-attributes#connection-idle-timeout)."""
ALB_CLIENT_KEEP_ALIVE = Range(60, 604800, " seconds")
"""ALB attribute client_keep_alive.seconds (application/load-balancer-attributes#http-client-keepalive-duration)."""
NLB_TCP_IDLE_TIMEOUT = Range(60, 6000, " seconds")
"""NLB listener attribute tcp.idle_timeout.seconds, TCP listeners only (network/update-idle-timeout.html)."""
HEALTH_CHECK_INTERVAL = Range(5, 300, " seconds")
"""Target group HealthCheckIntervalSeconds (APIReference/API_CreateTargetGroup.html)."""
HEALTH_CHECK_TIMEOUT = Range(2, 120, " seconds")
"""Target group HealthCheckTimeoutSeconds (API_CreateTargetGroup.html)."""
THRESHOLD_COUNT = Range(2, 10)
"""Target group Healthy/UnhealthyThresholdCount (API_CreateTargetGroup.html)."""
ALB_SUCCESS_CODES = Range(200, 499)
"""Matcher.HttpCode for Application Load Balancers (APIReference/API_Matcher.html)."""
NLB_SUCCESS_CODES = Range(200, 599)
"""Matcher.HttpCode for Network Load Balancers (API_Matcher.html)."""
DEREGISTRATION_DELAY = Range(0, 3600, " seconds")
"""Target group attribute deregistration_delay.timeout_seconds (API_TargetGroupAttribute.html)."""
SLOW_START = Range(30, 900, " seconds")
"""Target group attribute slow_start.duration_seconds; 0 turns it off (API_TargetGroupAttribute.html)."""
STICKINESS_DURATION = Range(1, 604800, " seconds")
"""Target group attribute stickiness.lb_cookie.duration_seconds (API_TargetGroupAttribute.html)."""
UNHEALTHY_DRAINING_INTERVAL = Range(0, 360000, " seconds")
"""NLB target group attribute target_health_state.unhealthy.draining_interval_seconds (same page)."""
FORWARD_WEIGHT = Range(0, 999)
"""Weight of a target group in a forward action (APIReference/API_TargetGroupTuple.html)."""
RULE_GROUP_ORDER = Range(-1000, 1000)
"""LB controller `group.order` of an Ingress in an IngressGroup (docs/guide/ingress/annotations.md#group.order)."""
FIXED_RESPONSE_BODY_LENGTH = 1024
"""FixedResponseActionConfig MessageBody: at most 1024 characters (APIReference/API_FixedResponseActionConfig.html)."""
FORWARD_TARGET_GROUPS = 5
"""Target groups in one forward action (APIReference/API_ForwardActionConfig.html)."""
RULE_CONDITION_VALUE_LENGTH = 128
"""A rule condition value, and a redirect's host, path and query (API_RuleCondition.html,
API_RedirectActionConfig.html)."""
RULE_CONDITION_VALUES = 3
"""Values per rule condition (elasticloadbalancing/latest/application/load-balancer-limits.html)."""
LOAD_BALANCER_NAME_LENGTH = 32
"""CreateLoadBalancer Name: at most 32 characters (API_CreateLoadBalancer.html)."""

# ---- EKS (docs.aws.amazon.com/eks/latest/APIReference, docs.aws.amazon.com/eks/latest/userguide/service-quotas.html)

CLUSTER_NAME_LENGTH = 100
"""CreateCluster name: 1-100 characters (API_CreateCluster.html)."""
NODE_GROUP_NAME_LENGTH = 63
"""CreateNodegroup nodegroupName: 1-63 characters (API_CreateNodegroup.html)."""
NODE_GROUP_MAX_SIZE = Range(1, 450)
"""Managed node group maxSize: EKS's default quota 'Nodes per managed node group', 450 (service-quotas.html)."""
NODE_GROUP_SIZE = Range(0, 450)
"""Managed node group minSize and desiredSize: 0 up to the same quota."""
NODE_DISK_SIZE_GIB = Range(20, 16384, " GiB")
"""Node root volume: at least the AL2023 EKS AMI's 20 GiB snapshot, at most gp3's 16 TiB
(docs.aws.amazon.com/ebs/latest/userguide/ebs-volume-types.html)."""
PRIVATE_IPV4_RANGES = ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")
"""RFC 1918 ranges: EKS publicAccessCidrs may not hold them (eks/latest/APIReference/API_VpcConfigRequest.html)."""

# ---- tags (docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html#tag-conventions) -------------------

TAGS_PER_RESOURCE = 50
"""User tags per resource."""
TAG_KEY_LENGTH = Range(1, 128, " characters")
TAG_VALUE_LENGTH = Range(0, 256, " characters")
TAG_RESERVED_PREFIX = "aws:"
"""Reserved for AWS's own tags, in any case."""
TAG_TEXT = re.compile(r"^[\w\s.:/=+\-@]*$")
"""Letters, digits, spaces and _ . : / = + - @ (the rule every service shares; EC2 alone allows more)."""
TAGS_ADDED_BY_COMPONENTS = 3
"""Tags the components add to a resource themselves (Name, kubernetes.io/cluster/<name>, kubernetes.io/role/*
on a subnet): the tags they are given may use the rest of TAGS_PER_RESOURCE."""
TAGS_ADDED_BY_STACKS = 1
"""testbed:stack, which every EKS stack adds to its own tags."""

# ---- the pulumi-aws provider's config keys (pulumi_aws/config/vars.py; a test compares) -------------------

PROVIDER_NAMESPACE = "aws"
PROVIDER_CONFIG_KEYS: frozenset[str] = frozenset(
    {
        "accessKey", "allowedAccountIds", "assumeRoleWithWebIdentity", "assumeRoles", "customCaBundle",
        "defaultTags", "ec2MetadataServiceEndpoint", "ec2MetadataServiceEndpointMode", "endpoints",
        "forbiddenAccountIds", "httpProxy", "httpsProxy", "ignoreTags", "insecure", "maxRetries", "noProxy",
        "profile", "region", "retryMode", "s3UsEast1RegionalEndpoint", "s3UsePathStyle", "secretKey",
        "sharedConfigFiles", "sharedCredentialsFiles", "skipCredentialsValidation", "skipMetadataApiCheck",
        "skipRegionValidation", "skipRequestingAccountId", "stsRegion", "tagPolicyCompliance", "token",
        "tokenBucketRateLimiterCapacity", "useDualstackEndpoint", "useFipsEndpoint", "userAgents",
    }
)  # fmt: skip
