"""Typed, validated annotation builders for the AWS Load Balancer Controller.

The controller silently ignores an annotation key it does not know and, often, a value it cannot
parse (LBC #1756); these builders are the one place where key spelling, value formats and AWS's
ranges live. Pure Python, no Pulumi: each returns `dict[str, str]` or raises one AnnotationError
(a ValueError) listing every problem, each naming its field and what is allowed.

- `AlbIngressAnnotations` (ingress.py): `alb.ingress.kubernetes.io/*` for an Ingress -> ALB;
- `NlbServiceAnnotations` (service.py): `service.beta.kubernetes.io/aws-load-balancer-*` for a
  Service -> NLB, with `service_spec()` for the spec fields (`loadBalancerClass`, ports, ...);
- health_check.py: what the builders' health checks (`AlbHealthCheck`, `NlbHealthCheck`) share; the
  controllers' differences are data on each;
- alb_attributes.py, nlb_attributes.py and target_group_attributes.py: the ELBv2 attributes the
  builders carry as stringMaps;
- rules.py: the JSON of `actions.*` (fixed response, redirect, weighted forward),
  `conditions.*` and `transforms.*` (URL and host-header rewrite);
- values.py: the value formats (stringList, stringMap, JSON), the builders' base and the shared checks.
"""

from .alb_attributes import AlbLoadBalancerAttributes, AlbTargetGroupAttributes
from .ingress import AlbHealthCheck, AlbIngressAnnotations, ListenPort
from .nlb_attributes import NlbTargetGroupAttributes
from .rules import (
    FixedResponse,
    ForwardTarget,
    HostHeader,
    HostHeaderRewrite,
    HttpHeader,
    HttpRequestMethod,
    PathPattern,
    QueryString,
    Redirect,
    SourceIp,
    UrlRewrite,
    WeightedForward,
)
from .service import LOAD_BALANCER_CLASS, NlbHealthCheck, NlbServiceAnnotations, NlbTls, ServicePort
from .values import AnnotationError, parse_string_list, parse_string_map

__all__ = [
    "LOAD_BALANCER_CLASS",
    "AlbHealthCheck",
    "AlbIngressAnnotations",
    "AlbLoadBalancerAttributes",
    "AlbTargetGroupAttributes",
    "AnnotationError",
    "FixedResponse",
    "ForwardTarget",
    "HostHeader",
    "HostHeaderRewrite",
    "HttpHeader",
    "HttpRequestMethod",
    "ListenPort",
    "NlbHealthCheck",
    "NlbServiceAnnotations",
    "NlbTargetGroupAttributes",
    "NlbTls",
    "PathPattern",
    "QueryString",
    "Redirect",
    "ServicePort",
    "SourceIp",
    "UrlRewrite",
    "WeightedForward",
    "parse_string_list",
    "parse_string_map",
]
