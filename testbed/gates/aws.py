"""AWS gate: the values our resources pass to ELBv2, EC2, EKS and IAM, checked against the
service models botocore ships and the attribute keys and ranges the ELBv2 API reference documents.

A rule maps a Pulumi input path (camelCase, `[]` for every list element) to the API member
that receives it, as `service:Operation.Member.member` (`[]` steps into a list's element).
The check then applies whatever the model says of that member: enum, min/max, length, pattern.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import botocore
import botocore.session
from botocore.model import ListShape, Shape

from testbed.gates import Result, Stack, subject
from testbed.gates.eks_addons import addon_configuration
from testbed.plan import plain

_LAUNCH_TEMPLATE = "ec2:CreateLaunchTemplate.LaunchTemplateData"

RULES: Mapping[str, Mapping[str, str]] = {
    "aws:ec2/vpc:Vpc": {"instanceTenancy": "ec2:CreateVpc.InstanceTenancy"},
    "aws:ec2/eip:Eip": {"domain": "ec2:AllocateAddress.Domain"},
    "aws:ec2/natGateway:NatGateway": {"connectivityType": "ec2:CreateNatGateway.ConnectivityType"},
    "aws:ec2/launchTemplate:LaunchTemplate": {
        "metadataOptions.httpTokens": f"{_LAUNCH_TEMPLATE}.MetadataOptions.HttpTokens",
        "metadataOptions.httpEndpoint": f"{_LAUNCH_TEMPLATE}.MetadataOptions.HttpEndpoint",
        "blockDeviceMappings[].ebs.volumeType": f"{_LAUNCH_TEMPLATE}.BlockDeviceMappings[].Ebs.VolumeType",
        "instanceType": f"{_LAUNCH_TEMPLATE}.InstanceType",
    },
    "aws:ec2/instance:Instance": {
        "instanceType": "ec2:RunInstances.InstanceType",
        "metadataOptions.httpTokens": "ec2:RunInstances.MetadataOptions.HttpTokens",
    },
    "aws:ec2/securityGroup:SecurityGroup": {
        "description": "ec2:CreateSecurityGroup.Description",
    },
    "aws:eks/nodeGroup:NodeGroup": {
        "nodeGroupName": "eks:CreateNodegroup.nodegroupName",
        "amiType": "eks:CreateNodegroup.amiType",
        "capacityType": "eks:CreateNodegroup.capacityType",
        "instanceTypes[]": "ec2:RunInstances.InstanceType",
        "scalingConfig.minSize": "eks:CreateNodegroup.scalingConfig.minSize",
        "scalingConfig.maxSize": "eks:CreateNodegroup.scalingConfig.maxSize",
        "scalingConfig.desiredSize": "eks:CreateNodegroup.scalingConfig.desiredSize",
        "taints[].key": "eks:CreateNodegroup.taints[].key",
        "taints[].value": "eks:CreateNodegroup.taints[].value",
        "taints[].effect": "eks:CreateNodegroup.taints[].effect",
        "diskSize": "eks:CreateNodegroup.diskSize",
    },
    "aws:eks/addon:Addon": {
        "resolveConflictsOnCreate": "eks:CreateAddon.resolveConflicts",
        "resolveConflictsOnUpdate": "eks:UpdateAddon.resolveConflicts",
    },
    "eks:index:Cluster": {
        "name": "eks:CreateCluster.name",
        "authenticationMode": "eks:CreateCluster.accessConfig.authenticationMode",
    },
    "aws:iam/role:Role": {
        "name": "iam:CreateRole.RoleName",
        "description": "iam:CreateRole.Description",
        "assumeRolePolicy": "iam:CreateRole.AssumeRolePolicyDocument",
    },
    "aws:iam/policy:Policy": {
        "name": "iam:CreatePolicy.PolicyName",
        "description": "iam:CreatePolicy.Description",
        "policy": "iam:CreatePolicy.PolicyDocument",
    },
    "aws:lb/loadBalancer:LoadBalancer": {
        "loadBalancerType": "elbv2:CreateLoadBalancer.Type",
        "ipAddressType": "elbv2:CreateLoadBalancer.IpAddressType",
    },
    "aws:lb/targetGroup:TargetGroup": {
        "port": "elbv2:CreateTargetGroup.Port",
        "protocol": "elbv2:CreateTargetGroup.Protocol",
        "protocolVersion": "elbv2:CreateTargetGroup.ProtocolVersion",
        "targetType": "elbv2:CreateTargetGroup.TargetType",
        "ipAddressType": "elbv2:CreateTargetGroup.IpAddressType",
        "healthCheck.protocol": "elbv2:CreateTargetGroup.HealthCheckProtocol",
        "healthCheck.path": "elbv2:CreateTargetGroup.HealthCheckPath",
        "healthCheck.port": "elbv2:CreateTargetGroup.HealthCheckPort",
        "healthCheck.interval": "elbv2:CreateTargetGroup.HealthCheckIntervalSeconds",
        "healthCheck.timeout": "elbv2:CreateTargetGroup.HealthCheckTimeoutSeconds",
        "healthCheck.healthyThreshold": "elbv2:CreateTargetGroup.HealthyThresholdCount",
        "healthCheck.unhealthyThreshold": "elbv2:CreateTargetGroup.UnhealthyThresholdCount",
    },
    "aws:lb/listener:Listener": {
        "port": "elbv2:CreateListener.Port",
        "protocol": "elbv2:CreateListener.Protocol",
        "defaultActions[].type": "elbv2:CreateListener.DefaultActions[].Type",
    },
}
"""Pulumi type -> {input path: API member}."""

# `scheme` is not in this table on purpose: pulumi-aws sets it from `internal` (a boolean).

ATTRIBUTES: Mapping[str, tuple[str, Mapping[str, str]]] = {
    "aws:lb/loadBalancer:LoadBalancer": (
        "LoadBalancerAttribute",
        {
            "idleTimeout": "idle_timeout.timeout_seconds",
            "clientKeepAlive": "client_keep_alive.seconds",
            "enableCrossZoneLoadBalancing": "load_balancing.cross_zone.enabled",
            "enableDeletionProtection": "deletion_protection.enabled",
            "enableHttp2": "routing.http2.enabled",
            "desyncMitigationMode": "routing.http.desync_mitigation_mode",
            "dnsRecordClientRoutingPolicy": "dns_record.client_routing_policy",
        },
    ),
    "aws:lb/targetGroup:TargetGroup": (
        "TargetGroupAttribute",
        {
            "deregistrationDelay": "deregistration_delay.timeout_seconds",
            "slowStart": "slow_start.duration_seconds",
            "loadBalancingAlgorithmType": "load_balancing.algorithm.type",
            "proxyProtocolV2": "proxy_protocol_v2.enabled",
            "preserveClientIp": "preserve_client_ip.enabled",
            "connectionTermination": "deregistration_delay.connection_termination.enabled",
            "stickiness.cookieDuration": "stickiness.lb_cookie.duration_seconds",
        },
    ),
    "aws:lb/listener:Listener": (
        "ListenerAttribute",
        {
            "tcpIdleTimeoutSeconds": "tcp.idle_timeout.seconds",
        },
    ),
}
"""Pulumi type -> (its ELBv2 attribute shape, {input path: attribute key}): inputs pulumi-aws turns into attributes."""

ANNOTATION_ATTRIBUTES: Mapping[str, str] = {
    "alb.ingress.kubernetes.io/load-balancer-attributes": "LoadBalancerAttribute",
    "alb.ingress.kubernetes.io/target-group-attributes": "TargetGroupAttribute",
    "alb.ingress.kubernetes.io/listener-attributes.": "ListenerAttribute",
    "service.beta.kubernetes.io/aws-load-balancer-attributes": "LoadBalancerAttribute",
    "service.beta.kubernetes.io/aws-load-balancer-target-group-attributes": "TargetGroupAttribute",
    "service.beta.kubernetes.io/aws-load-balancer-listener-attributes.": "ListenerAttribute",
}
"""Annotation (or prefix, ending in '.') -> ELBv2 attribute shape of its `k=v,k=v` value."""

# ---- botocore models ----------------------------------------------------------------------------


@cache
def _session() -> botocore.session.Session:
    return botocore.session.get_session()


@cache
def _model(service: str):
    return _session().get_service_model(service)


def api_shape(target: str) -> Shape:
    """The botocore shape of `service:Operation.Member[].Member`."""
    service, _, path = target.partition(":")
    operation, *members = path.split(".")
    shape: Shape = _model(service).operation_model(operation).input_shape
    for member in members:
        element = member.endswith("[]")
        shape = shape.members[member.removesuffix("[]")]  # type: ignore[attr-defined]
        if element:
            assert isinstance(shape, ListShape), target
            shape = shape.member
    return shape


def shape_problems(value: Any, shape: Shape) -> list[str]:
    """Why `value` would be rejected for `shape`, per the service model."""
    meta = shape.metadata
    if shape.type_name == "string":
        text = str(value)
        if shape.enum and text not in shape.enum:
            return [f"{text!r} is not one of {', '.join(shape.enum)}"]
        if "min" in meta and len(text) < meta["min"]:
            return [f"{text!r} is shorter than {meta['min']}"]
        if "max" in meta and len(text) > meta["max"]:
            return [f"is {len(text)} characters, more than {meta['max']}"]
        pattern = meta.get("pattern")
        if pattern and _compiles(pattern) and not re.fullmatch(pattern, text) and not re.match(pattern, text):
            return [f"{text!r} does not match {pattern}"]
    elif shape.type_name in ("integer", "long"):
        try:
            number = int(value)
        except (TypeError, ValueError):
            return [f"{value!r} is not an integer"]
        if "min" in meta and number < meta["min"]:
            return [f"{number} is below the minimum {meta['min']}"]
        if "max" in meta and number > meta["max"]:
            return [f"{number} is above the maximum {meta['max']}"]
    elif shape.type_name == "boolean" and str(value).lower() not in ("true", "false"):
        return [f"{value!r} is not true or false"]
    elif isinstance(shape, ListShape) and isinstance(value, list):
        if "min" in meta and len(value) < meta["min"]:
            return [f"has {len(value)} items, fewer than {meta['min']}"]
        if "max" in meta and len(value) > meta["max"]:
            return [f"has {len(value)} items, more than {meta['max']}"]
    return []


@cache
def _compiles(pattern: str) -> bool:
    try:
        re.compile(pattern)
    except re.error:
        return False
    return True


def values_at(data: Any, path: str, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """(concrete path, value) for every value at `path` ('a.b[].c') in `data`."""
    head, _, rest = path.partition(".")
    each = head.endswith("[]")
    key = head.removesuffix("[]")
    if not isinstance(data, Mapping) or data.get(key) is None:
        return
    here = f"{prefix}{key}"
    value = data[key]
    items = list(enumerate(value)) if each and isinstance(value, list) else [(None, value)]
    for index, item in items:
        concrete = here if index is None else f"{here}[{index}]"
        if rest:
            yield from values_at(item, rest, f"{concrete}.")
        else:
            yield concrete, item


# ---- ELBv2 attributes, from the API reference text botocore carries -------------------------------


@dataclass(frozen=True)
class AttributeSpec:
    """One documented ELBv2 attribute: its key and what values the documentation allows."""

    key: str
    kind: str  # "int", "bool", "enum" or "string"
    minimum: int | None = None
    maximum: int | None = None
    values: tuple[str, ...] = ()
    default: str | None = None

    def problem(self, value: Any) -> str | None:
        text = str(value).lower() if isinstance(value, bool) else str(value)
        if self.default is not None and text == self.default:
            return None
        if self.kind == "bool" and text not in ("true", "false"):
            return f"{text!r} is not true or false"
        if self.kind == "enum" and text not in self.values:
            return f"{text!r} is not one of {', '.join(self.values)}"
        if self.kind == "int":
            if not re.fullmatch(r"-?\d+", text):
                return f"{text!r} is not a whole number of seconds"
            number = int(text)
            if (self.minimum is not None and number < self.minimum) or (
                self.maximum is not None and number > self.maximum
            ):
                return f"{number} is outside the documented range {self.minimum}-{self.maximum}"
        return None


def _parse_attribute(key: str, text: str) -> AttributeSpec:
    default = re.search(r"default (?:value )?is (\d+|true|false|[a-z_]+)\b", text)
    default_value = default.group(1) if default else None
    span = re.search(r"range is (\d+)\s*(?:-|–|to)\s*(\d+)", text) or re.search(
        r"range is \d+ seconds? to \d+ \w+ \((\d+) seconds?\)", text
    )
    if span and span.lastindex == 2:
        return AttributeSpec(key, "int", int(span.group(1)), int(span.group(2)), default=default_value)
    if span:
        return AttributeSpec(key, "int", 1, int(span.group(1)), default=default_value)
    if key.endswith(".enabled") or re.search(r"(value is|values are) true (or|and) false", text):
        return AttributeSpec(key, "bool", default=default_value)
    choice = re.search(
        r"(?:The value is|The possible values are:?)\s+([a-z_0-9]+(?:,\s*[a-z_0-9]+)*,?\s+(?:or|and)\s+[a-z_0-9]+)",
        text,
    )
    if choice:
        values = tuple(v for v in re.split(r",\s*(?:or\s+|and\s+)?|\s+(?:or|and)\s+", choice.group(1)) if v)
        if not {"a", "an"} & set(values):  # "off or an integer from 1 to 100" is not an enum
            return AttributeSpec(key, "enum", values=values, default=default_value)
    return AttributeSpec(key, "string", default=default_value)


@cache
def attribute_catalog(shape_name: str) -> dict[str, AttributeSpec]:
    """Every attribute key the ELBv2 API reference documents for `shape_name`, with its allowed values."""
    documentation = _model("elbv2").shape_for(shape_name).members["Key"].documentation
    catalog = {}
    for key, body in re.findall(
        r"<li>\s*<p>\s*<code>([a-z0-9_.]+)</code>\s*-\s*(.*?)</p>\s*</li>", documentation, re.S
    ):
        text = html.unescape(re.sub(r"<[^>]+>", "", body))
        catalog[key] = _parse_attribute(key, " ".join(text.split()))
    return catalog


def attribute_problems(shape_name: str, key: str, value: Any) -> str | None:
    """Why `key=value` is not a documented attribute setting of `shape_name`, or None."""
    spec = attribute_catalog(shape_name).get(key)
    if spec is None:
        return f"{key!r} is not a documented {shape_name} key"
    return spec.problem(value)


def parse_string_map(text: str) -> list[tuple[str, str]]:
    """'k1=v1,k2=v2' (the LB controller's stringMap annotation format) -> [(k1, v1), (k2, v2)]."""
    pairs = []
    for item in filter(None, (part.strip() for part in text.split(","))):
        key, _, value = item.partition("=")
        pairs.append((key.strip(), value.strip()))
    return pairs


# ---- the gate -----------------------------------------------------------------------------------


def _source(target: str) -> str:
    service, _, path = target.partition(":")
    return f"botocore {botocore.__version__} {service} {path.split('.')[0]}"


def aws_api_gate(stacks: Sequence[Stack]) -> Iterable[Result]:
    attributes_source = f"ELBv2 API reference, attribute keys (botocore {botocore.__version__})"
    for stack in stacks:
        for resource in stack.resources:
            inputs = plain(resource.inputs)
            for path, target in RULES.get(resource.type, {}).items():
                shape = api_shape(target)
                for concrete, value in values_at(inputs, path):
                    for problem in shape_problems(value, shape):
                        yield stack.finding("aws-api", subject(resource), concrete, problem, _source(target))
            shape_name, keys = ATTRIBUTES.get(resource.type, ("", {}))
            for path, key in keys.items():
                for concrete, value in values_at(inputs, path):
                    if problem := attribute_problems(shape_name, key, value):
                        yield stack.finding(
                            "aws-api", subject(resource), concrete, f"{key}: {problem}", attributes_source
                        )
            yield from _scaling(stack, resource, inputs)
            yield from addon_configuration(stack, resource, inputs)
        for resource, manifest in stack.kubernetes_objects:
            annotations = (manifest.get("metadata") or {}).get("annotations") or {}
            for annotation, value in annotations.items():
                shape_name = _annotation_shape(annotation)
                if shape_name is None:
                    continue
                for key, setting in parse_string_map(str(value)):
                    if problem := attribute_problems(shape_name, key, setting):
                        yield stack.finding(
                            "aws-api",
                            subject(resource),
                            f"metadata.annotations[{annotation}]",
                            problem,
                            attributes_source,
                        )


def _annotation_shape(annotation: str) -> str | None:
    for name, shape_name in ANNOTATION_ATTRIBUTES.items():
        if annotation == name or (name.endswith(".") and annotation.startswith(name)):
            return shape_name
    return None


def _scaling(stack: Stack, resource, inputs: dict) -> Iterable[Result]:
    scaling = inputs.get("scalingConfig") if resource.type == "aws:eks/nodeGroup:NodeGroup" else None
    if not scaling:
        return
    low, want, high = (scaling.get(k) for k in ("minSize", "desiredSize", "maxSize"))
    if None not in (low, want, high) and not low <= want <= high:
        yield stack.finding(
            "aws-api",
            subject(resource),
            "scalingConfig",
            f"desiredSize {want} must lie within minSize {low} and maxSize {high}",
            "EKS API NodegroupScalingConfig (InvalidParameterException otherwise)",
        )
