"""Tree summaries of pulumi-aws and pulumi-eks resources: the settings a reviewer checks."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterable
from typing import Any

from testbed.plan.summaries.common import Summary, pick


def _subnet(inputs: dict[str, Any]) -> Iterable[tuple[str, Any]]:
    yield "zone", inputs.get("availabilityZone")
    yield "cidr", inputs.get("cidrBlock")
    tags = inputs.get("tags") or {}
    yield "tags", {k: v for k, v in tags.items() if k.startswith("kubernetes.io/")}


def _role(inputs: dict[str, Any]) -> Iterable[tuple[str, Any]]:
    try:
        statements = json.loads(inputs.get("assumeRolePolicy", "{}")).get("Statement", [])
    except (TypeError, json.JSONDecodeError):
        return
    for s in statements:
        yield "trust", s.get("Principal")
        yield from (s.get("Condition") or {}).items()


def _policy(inputs: dict[str, Any]) -> Iterable[tuple[str, Any]]:
    try:
        statements = json.loads(inputs.get("policy", "{}")).get("Statement", [])
    except (TypeError, json.JSONDecodeError):
        return
    actions = sum(len(s["Action"]) if isinstance(s["Action"], list) else 1 for s in statements)
    yield "statements", len(statements)
    yield "actions", actions


def _launch_template(inputs: dict[str, Any]) -> Iterable[tuple[str, Any]]:
    yield from pick(
        "httpTokens=metadataOptions.httpTokens",
        "hopLimit=metadataOptions.httpPutResponseHopLimit",
        "rootGiB=blockDeviceMappings.0.ebs.volumeSize",
        "encrypted=blockDeviceMappings.0.ebs.encrypted",
    )(inputs)
    user_data = inputs.get("userData")
    if isinstance(user_data, str) and user_data:
        try:
            text = base64.b64decode(user_data).decode()
        except (ValueError, UnicodeDecodeError):
            yield "userData", f"{len(user_data)} base64 characters"
            return
        kinds = re.findall(r"^Content-Type: (\S+)", text, flags=re.MULTILINE)
        yield "userData", [k for k in kinds if not k.startswith("multipart/")]
        if match := re.search(r'^\s*maxPodsExpression: "?([^"\n]+)"?$', text, flags=re.MULTILINE):
            yield "nodeadm maxPodsExpression", match[1]


def _security_group(inputs: dict[str, Any]) -> Iterable[tuple[str, Any]]:
    def rules(direction: str) -> list[str]:
        found = []
        for rule in inputs.get(direction) or []:
            ports = "all" if rule.get("protocol") == "-1" else f"{rule.get('protocol')}/{rule.get('fromPort')}"
            if rule.get("toPort") not in (None, rule.get("fromPort")) and rule.get("protocol") != "-1":
                ports += f"-{rule.get('toPort')}"
            found.append(
                f"{ports} {'from' if direction == 'ingress' else 'to'} {', '.join(rule.get('cidrBlocks') or [])}"
            )
        return found

    yield "description", inputs.get("description")
    yield "ingress", rules("ingress") or "none"
    yield "egress", rules("egress")


def _addon(inputs: dict[str, Any]) -> Iterable[tuple[str, Any]]:
    yield "addon", inputs.get("addonName")
    if values := inputs.get("configurationValues"):
        yield "config", json.loads(values)


def _listener(inputs: dict[str, Any]) -> Iterable[tuple[str, Any]]:
    yield "listen", f"{inputs.get('protocol')} {inputs.get('port')}"
    yield "loadBalancer", inputs.get("loadBalancerArn")
    yield "tcpIdleTimeoutSeconds", inputs.get("tcpIdleTimeoutSeconds")
    for action in inputs.get("defaultActions") or []:
        yield action.get("type"), action.get("targetGroupArn")


def _sg_rule(inputs: dict[str, Any]) -> Iterable[tuple[str, Any]]:
    ports = {inputs.get("fromPort"), inputs.get("toPort")}
    yield "group", inputs.get("securityGroupId")
    yield "rule", f"{inputs.get('ipProtocol')} {'-'.join(str(p) for p in sorted(ports, key=str))}"
    yield "peer", inputs.get("referencedSecurityGroupId") or inputs.get("cidrIpv4")


SUMMARIES: dict[str, Summary] = {
    "aws:lb/loadBalancer:LoadBalancer": pick(
        "loadBalancerType",
        "internal",
        "subnets",
        "securityGroups",
        "idleTimeout",
        "clientKeepAlive",
        "enableCrossZoneLoadBalancing",
    ),
    "aws:lb/targetGroup:TargetGroup": pick(
        "protocol",
        "targetType",
        "port",
        "preserveClientIp",
        "deregistrationDelay",
        "healthCheck=healthCheck.protocol",
        "healthCheckPath=healthCheck.path",
        "healthCheckMatcher=healthCheck.matcher",
    ),
    "aws:lb/listener:Listener": _listener,
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": _sg_rule,
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": _sg_rule,
    "aws:ec2/vpc:Vpc": pick("cidrBlock"),
    "aws:ec2/subnet:Subnet": _subnet,
    "aws:ec2/natGateway:NatGateway": pick("subnet=subnetId", "allocation=allocationId"),
    "aws:ec2/route:Route": pick("to=destinationCidrBlock", "via=gatewayId", "via=natGatewayId"),
    "aws:ec2/routeTableAssociation:RouteTableAssociation": pick("subnet=subnetId", "table=routeTableId"),
    "aws:ec2/launchTemplate:LaunchTemplate": _launch_template,
    "aws:ec2/securityGroup:SecurityGroup": _security_group,
    "aws:ec2/instance:Instance": pick(
        "instanceType",
        "subnet=subnetId",
        "publicIp=associatePublicIpAddress",
        "httpTokens=metadataOptions.httpTokens",
        "hopLimit=metadataOptions.httpPutResponseHopLimit",
        "keyName",
        "securityGroups=vpcSecurityGroupIds",
        "profile=iamInstanceProfile",
    ),
    "aws:iam/instanceProfile:InstanceProfile": pick("role"),
    "aws:eks/nodeGroup:NodeGroup": pick(
        "nodeGroupName",
        "instanceTypes",
        "min=scalingConfig.minSize",
        "desired=scalingConfig.desiredSize",
        "max=scalingConfig.maxSize",
        "subnets=subnetIds",
        "labels",
        "taints",
        "amiType",
        "capacityType",
        "launchTemplate=launchTemplate.id",
    ),
    "aws:eks/addon:Addon": _addon,
    "eks:index:Cluster": pick(
        "name",
        "version",
        "authenticationMode",
        "endpointPublicAccess",
        "endpointPrivateAccess",
        "publicAccessCidrs",
        "createOidcProvider",
        "useDefaultVpcCni",
        "privateSubnetIds",
        "publicSubnetIds",
    ),
    "aws:iam/role:Role": _role,
    "aws:iam/policy:Policy": _policy,
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": pick("policyArn"),
}
