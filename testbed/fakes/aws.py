"""pulumi-aws and pulumi-eks: ids, ARNs, an OIDC issuer and a kubeconfig in AWS's shapes."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

from testbed.fakes.common import Context, InvokeHandler, ResourceHandler, auto_name, digest, fake_pem, uuid

ACCOUNT_ID = "123456789012"
PARTITION = "aws"


def arn(context: Context, service: str, resource: str, *, regional: bool = True) -> str:
    region = context.aws_region if regional else ""
    return f"arn:{PARTITION}:{service}:{region}:{ACCOUNT_ID}:{resource}"


def oidc_issuer(context: Context, cluster: str) -> str:
    return f"oidc.eks.{context.aws_region}.amazonaws.com/id/{digest('oidc', cluster, length=32).upper()}"


def kubeconfig(context: Context, cluster: str) -> dict[str, Any]:
    """A kubeconfig as pulumi-eks writes it: the API endpoint, its CA, `aws eks get-token`."""
    region = context.aws_region
    endpoint = f"https://{digest('endpoint', cluster, length=32).upper()}.gr7.{region}.eks.amazonaws.com"
    ca = base64.b64encode(fake_pem("CERTIFICATE", cluster).encode()).decode()
    token_args = ["--region", region, "eks", "get-token", "--cluster-name", cluster, "--output", "json"]
    return {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "kubernetes", "cluster": {"server": endpoint, "certificate-authority-data": ca}}],
        "contexts": [{"name": "aws", "context": {"cluster": "kubernetes", "user": "aws"}}],
        "current-context": "aws",
        "users": [
            {
                "name": "aws",
                "user": {
                    "exec": {
                        "apiVersion": "client.authentication.k8s.io/v1beta1",
                        "command": "aws",
                        "args": token_args,
                    }
                },
            }
        ],
    }


def _ec2(prefix: str, kind: str, extra: Callable[[Context, str, dict], dict] | None = None) -> ResourceHandler:
    def handler(context: Context, name: str, inputs: dict, rid: str):
        rid = f"{prefix}-{rid}"
        outputs = {**inputs, "id": rid, "arn": arn(context, "ec2", f"{kind}/{rid}"), "ownerId": ACCOUNT_ID}
        if extra:
            outputs.update(extra(context, rid, inputs))
        return rid, outputs

    return handler


def _vpc_extra(context: Context, rid: str, inputs: dict) -> dict:
    return {"defaultSecurityGroupId": f"sg-{digest(rid, 'default')}", "mainRouteTableId": f"rtb-{digest(rid, 'main')}"}


def _eip_extra(context: Context, rid: str, inputs: dict) -> dict:
    return {"allocationId": rid, "publicIp": f"203.0.113.{int(rid[-2:], 16) % 250 + 1}"}


def _instance_extra(context: Context, rid: str, inputs: dict) -> dict:
    octets = [int(rid[i : i + 2], 16) for i in (2, 4, 6)]
    extra = {
        "privateIp": f"10.0.{octets[0]}.{octets[1] % 250 + 4}",
        "instanceState": "running",
        "primaryNetworkInterfaceId": f"eni-{digest(rid, 'eni')}",
    }
    if inputs.get("associatePublicIpAddress"):
        extra["publicIp"] = f"203.0.113.{octets[2] % 250 + 1}"
        extra["publicDns"] = f"ec2-203-0-113-{octets[2] % 250 + 1}.{context.aws_region}.compute.amazonaws.com"
    return extra


def _iam_role(context: Context, name: str, inputs: dict, rid: str):
    physical = auto_name(name, inputs)
    role_arn = arn(context, "iam", f"role/{physical}", regional=False)
    return physical, {**inputs, "id": physical, "name": physical, "arn": role_arn, "uniqueId": f"AROA{rid.upper()}"}


def _iam_policy(context: Context, name: str, inputs: dict, rid: str):
    physical = auto_name(name, inputs)
    policy_arn = arn(context, "iam", f"policy/{physical}", regional=False)
    return policy_arn, {
        **inputs,
        "id": policy_arn,
        "name": physical,
        "arn": policy_arn,
        "policyId": f"ANPA{rid.upper()}",
    }


def _instance_profile(context: Context, name: str, inputs: dict, rid: str):
    physical = auto_name(name, inputs)
    profile_arn = arn(context, "iam", f"instance-profile/{physical}", regional=False)
    return physical, {**inputs, "id": physical, "name": physical, "arn": profile_arn, "uniqueId": f"AIPA{rid.upper()}"}


def _attachment(context: Context, name: str, inputs: dict, rid: str):
    return f"{inputs.get('role')}-{rid[:8]}", dict(inputs)


def _launch_template(context: Context, name: str, inputs: dict, rid: str):
    rid = f"lt-{rid}"
    return rid, {
        **inputs,
        "id": rid,
        "name": auto_name(name, inputs),
        "arn": arn(context, "ec2", f"launch-template/{rid}"),
        "latestVersion": 1,
        "defaultVersion": 1,
    }


def _node_group(context: Context, name: str, inputs: dict, rid: str):
    cluster, group = inputs["clusterName"], inputs.get("nodeGroupName") or auto_name(name, {})
    node_group_uuid = uuid(rid)
    return f"{cluster}:{group}", {
        **inputs,
        "arn": arn(context, "eks", f"nodegroup/{cluster}/{group}/{node_group_uuid}"),
        "status": "ACTIVE",
        "resources": [{"autoscalingGroups": [{"name": f"eks-{group}-{node_group_uuid}"}]}],
    }


def _addon(context: Context, name: str, inputs: dict, rid: str):
    cluster, addon = inputs["clusterName"], inputs["addonName"]
    return f"{cluster}:{addon}", {
        **inputs,
        "arn": arn(context, "eks", f"addon/{cluster}/{addon}/{uuid(rid)}"),
        "addonVersion": inputs.get("addonVersion") or "v1.12.1-eksbuild.2",
    }


def _eks_cluster(context: Context, name: str, inputs: dict, rid: str):
    # A remote component: return only its declared outputs (echoing inputs breaks it).
    cluster = inputs.get("name") or name
    issuer = oidc_issuer(context, cluster)
    config = kubeconfig(context, cluster)
    security_group = f"sg-{digest('cluster-sg', cluster)}"
    return "", {
        "kubeconfig": config,
        "kubeconfigJson": json.dumps(config),
        "oidcProviderArn": arn(context, "iam", f"oidc-provider/{issuer}", regional=False),
        "oidcProviderUrl": f"https://{issuer}",
        "oidcIssuer": issuer,
        "clusterSecurityGroupId": security_group,
        "nodeSecurityGroupId": security_group,
    }


def _load_balancer(context: Context, name: str, inputs: dict, rid: str):
    """An ELBv2 load balancer: ARN `loadbalancer/<app|net>/<name>/<16 hex>` and its DNS name.

    Internal ALBs resolve as `internal-<name>-<digits>.<region>.elb.amazonaws.com`; NLBs as
    `<name>-<16 hex>.elb.<region>.amazonaws.com`.
    """
    physical = auto_name(name, inputs)
    kind = "net" if inputs.get("loadBalancerType") == "network" else "app"
    lb_arn = arn(context, "elasticloadbalancing", f"loadbalancer/{kind}/{physical}/{rid[:16]}")
    region = context.aws_region
    if kind == "net":
        dns = f"{physical}-{rid[:16]}.elb.{region}.amazonaws.com"
    else:
        digits = int(rid[:8], 16) % 10**10
        dns = f"{'internal-' if inputs.get('internal') else ''}{physical}-{digits}.{region}.elb.amazonaws.com"
    return lb_arn, {
        **inputs,
        "id": lb_arn,
        "arn": lb_arn,
        "arnSuffix": lb_arn.split(":loadbalancer/")[1],
        "name": physical,
        "dnsName": dns,
        "zoneId": "ZWKZPGTI48KDX" if kind == "app" else "ZIBE1TIR4HY56",
        "vpcId": f"vpc-{digest('lb-vpc', name)}",
    }


def _target_group(context: Context, name: str, inputs: dict, rid: str):
    physical = auto_name(name, inputs)
    tg_arn = arn(context, "elasticloadbalancing", f"targetgroup/{physical}/{rid[:16]}")
    return tg_arn, {**inputs, "id": tg_arn, "arn": tg_arn, "arnSuffix": tg_arn.split(":")[-1], "name": physical}


def _listener(context: Context, name: str, inputs: dict, rid: str):
    lb_arn = str(inputs.get("loadBalancerArn", ""))
    lb_path = lb_arn.split(":loadbalancer/")[-1] if ":loadbalancer/" in lb_arn else f"app/{name}/{rid[:16]}"
    listener_arn = arn(context, "elasticloadbalancing", f"listener/{lb_path}/{rid[:16]}")
    return listener_arn, {**inputs, "id": listener_arn, "arn": listener_arn}


def _security_group_rule(context: Context, name: str, inputs: dict, rid: str):
    rule_id = f"sgr-{rid}"
    return rule_id, {
        **inputs,
        "id": rule_id,
        "securityGroupRuleId": rule_id,
        "arn": arn(context, "ec2", f"security-group-rule/{rule_id}"),
    }


RESOURCES: dict[str, ResourceHandler] = {
    "aws:lb/loadBalancer:LoadBalancer": _load_balancer,
    "aws:lb/targetGroup:TargetGroup": _target_group,
    "aws:lb/listener:Listener": _listener,
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": _security_group_rule,
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": _security_group_rule,
    "aws:ec2/vpc:Vpc": _ec2("vpc", "vpc", _vpc_extra),
    "aws:ec2/internetGateway:InternetGateway": _ec2("igw", "internet-gateway"),
    "aws:ec2/subnet:Subnet": _ec2("subnet", "subnet"),
    "aws:ec2/routeTable:RouteTable": _ec2("rtb", "route-table"),
    "aws:ec2/route:Route": _ec2("r", "route"),
    "aws:ec2/routeTableAssociation:RouteTableAssociation": _ec2("rtbassoc", "route-table-association"),
    "aws:ec2/eip:Eip": _ec2("eipalloc", "elastic-ip", _eip_extra),
    "aws:ec2/natGateway:NatGateway": _ec2("nat", "natgateway"),
    "aws:ec2/securityGroup:SecurityGroup": _ec2("sg", "security-group"),
    "aws:ec2/launchTemplate:LaunchTemplate": _launch_template,
    "aws:ec2/instance:Instance": _ec2("i", "instance", _instance_extra),
    "aws:iam/instanceProfile:InstanceProfile": _instance_profile,
    "aws:iam/role:Role": _iam_role,
    "aws:iam/policy:Policy": _iam_policy,
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": _attachment,
    "aws:eks/nodeGroup:NodeGroup": _node_group,
    "aws:eks/addon:Addon": _addon,
    "eks:index:Cluster": _eks_cluster,
}


def _partition(context: Context, args: dict) -> dict:
    return {"partition": PARTITION, "dnsSuffix": "amazonaws.com", "reverseDnsPrefix": "com.amazonaws", "id": PARTITION}


def _caller_identity(context: Context, args: dict) -> dict:
    return {
        "accountId": ACCOUNT_ID,
        "arn": f"arn:{PARTITION}:iam::{ACCOUNT_ID}:user/testbed",
        "userId": "AIDAMOCKTESTBED",
        "id": ACCOUNT_ID,
    }


def _region(context: Context, args: dict) -> dict:
    region = context.aws_region
    return {"name": region, "region": region, "endpoint": f"ec2.{region}.amazonaws.com", "id": region}


def _ssm_parameter(context: Context, args: dict) -> dict:
    """SSM public parameters: the AMI ids AWS publishes under /aws/service/ (AL2023 and the like)."""
    name = args["name"]
    value = f"ami-{digest('ami', context.aws_region, name)}" if "/ami-" in name else f"mock value of {name}"
    return {
        "id": name,
        "name": name,
        "value": value,
        "insecureValue": value,
        "type": "String",
        "version": 1,
        "arn": arn(context, "ssm", f"parameter{name}"),
        "withDecryption": bool(args.get("withDecryption", True)),
    }


INVOKES: dict[str, InvokeHandler] = {
    "aws:index/getPartition:getPartition": _partition,
    "aws:index/getCallerIdentity:getCallerIdentity": _caller_identity,
    "aws:index/getRegion:getRegion": _region,
    "aws:ssm/getParameter:getParameter": _ssm_parameter,
}
