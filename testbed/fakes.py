"""Realistic outputs for resources and invokes under the mock engine.

Ids and ARNs have the shapes AWS and Kubernetes give them, derived from a hash of the
resource's type and name, so two plans of one stack are byte-identical. Values are invented:
tests assert what the program *sends* (inputs), never these.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable
from typing import Any

ACCOUNT_ID = "123456789012"
PARTITION = "aws"


def digest(*parts: str, length: int = 17) -> str:
    """A stable hex string for `parts`."""
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:length]


def fake_pem(kind: str, seed: str) -> str:
    """A PEM-shaped block that says it is fake."""
    body = base64.b64encode(f"testbed mock {kind} {seed}".encode()).decode()
    return f"-----BEGIN {kind}-----\n{body}\n-----END {kind}-----\n"


class FakeAws:
    """AWS-shaped outputs for one region."""

    def __init__(self, region: str):
        self.region = region

    def arn(self, service: str, resource: str, *, regional: bool = True) -> str:
        region = self.region if regional else ""
        return f"arn:{PARTITION}:{service}:{region}:{ACCOUNT_ID}:{resource}"

    def oidc_issuer(self, cluster: str) -> str:
        return f"oidc.eks.{self.region}.amazonaws.com/id/{digest('oidc', cluster, length=32).upper()}"

    def kubeconfig(self, cluster: str) -> dict[str, Any]:
        endpoint = f"https://{digest('endpoint', cluster, length=32).upper()}.gr7.{self.region}.eks.amazonaws.com"
        return {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [
                {
                    "name": "kubernetes",
                    "cluster": {
                        "server": endpoint,
                        "certificate-authority-data": base64.b64encode(
                            fake_pem("CERTIFICATE", cluster).encode()
                        ).decode(),
                    },
                }
            ],
            "contexts": [{"name": "aws", "context": {"cluster": "kubernetes", "user": "aws"}}],
            "current-context": "aws",
            "users": [
                {
                    "name": "aws",
                    "user": {
                        "exec": {
                            "apiVersion": "client.authentication.k8s.io/v1beta1",
                            "command": "aws",
                            "args": [
                                "--region",
                                self.region,
                                "eks",
                                "get-token",
                                "--cluster-name",
                                cluster,
                                "--output",
                                "json",
                            ],
                        }
                    },
                }
            ],
        }


def resource_outputs(typ: str, name: str, inputs: dict[str, Any], region: str) -> tuple[str, dict[str, Any]]:
    """(id, outputs) for a registered resource."""
    aws = FakeAws(region)
    rid = digest(typ, name)
    handler = _HANDLERS.get(typ)
    if handler is not None:
        return handler(aws, name, inputs, rid)
    if typ.startswith("kubernetes:") and "metadata" in inputs:
        return _kubernetes_object(inputs, rid)
    if typ.startswith("pulumi:providers:"):
        return rid, dict(inputs)
    return f"{name}-{rid[:8]}", dict(inputs)


def call_result(token: str, args: dict[str, Any], region: str) -> dict[str, Any]:
    """The result of invoke `token`; unknown invokes are an error, never a silent {}."""
    if token == "aws:index/getPartition:getPartition":
        return {
            "partition": PARTITION,
            "dnsSuffix": "amazonaws.com",
            "reverseDnsPrefix": "com.amazonaws",
            "id": PARTITION,
        }
    if token == "aws:index/getCallerIdentity:getCallerIdentity":
        return {
            "accountId": ACCOUNT_ID,
            "arn": f"arn:{PARTITION}:iam::{ACCOUNT_ID}:user/testbed",
            "userId": "AIDAMOCKTESTBED",
            "id": ACCOUNT_ID,
        }
    if token == "aws:index/getRegion:getRegion":
        return {"name": region, "region": region, "endpoint": f"ec2.{region}.amazonaws.com", "id": region}
    raise NotImplementedError(f"the mock engine has no result for invoke {token}; add one in testbed/fakes.py")


def _auto_name(name: str, inputs: dict[str, Any]) -> str:
    """Pulumi auto-names AWS resources '<resource name>-<7 hex>' unless a name is given."""
    return inputs.get("name") or f"{name}-{digest('autoname', name, length=7)}"


def _ec2(prefix: str, kind: str, extra: Callable[[FakeAws, str, dict], dict] | None = None):
    def handler(aws: FakeAws, name: str, inputs: dict, rid: str):
        rid = f"{prefix}-{rid}"
        outputs = {**inputs, "id": rid, "arn": aws.arn("ec2", f"{kind}/{rid}"), "ownerId": ACCOUNT_ID}
        if extra:
            outputs.update(extra(aws, rid, inputs))
        return rid, outputs

    return handler


def _iam(kind: str):
    def handler(aws: FakeAws, name: str, inputs: dict, rid: str):
        physical = _auto_name(name, inputs)
        arn = aws.arn("iam", f"{kind}/{physical}", regional=False)
        return physical, {**inputs, "id": physical, "name": physical, "arn": arn, "uniqueId": f"AROA{rid.upper()}"}

    return handler


def _policy(aws: FakeAws, name: str, inputs: dict, rid: str):
    physical = _auto_name(name, inputs)
    arn = aws.arn("iam", f"policy/{physical}", regional=False)
    return arn, {**inputs, "id": arn, "name": physical, "arn": arn, "policyId": f"ANPA{rid.upper()}"}


def _attachment(aws: FakeAws, name: str, inputs: dict, rid: str):
    return f"{inputs.get('role')}-{rid[:8]}", dict(inputs)


def _launch_template(aws: FakeAws, name: str, inputs: dict, rid: str):
    rid = f"lt-{rid}"
    physical = _auto_name(name, inputs)
    return rid, {
        **inputs,
        "id": rid,
        "name": physical,
        "arn": aws.arn("ec2", f"launch-template/{rid}"),
        "latestVersion": 1,
        "defaultVersion": 1,
    }


def _node_group(aws: FakeAws, name: str, inputs: dict, rid: str):
    cluster, group = inputs["clusterName"], inputs["nodeGroupName"]
    uuid = f"{rid[:8]}-{rid[8:12]}-{rid[12:16]}-{digest(rid, length=4)}-{digest(rid, 'x', length=12)}"
    return f"{cluster}:{group}", {
        **inputs,
        "arn": aws.arn("eks", f"nodegroup/{cluster}/{group}/{uuid}"),
        "status": "ACTIVE",
        "resources": [{"autoscalingGroups": [{"name": f"eks-{group}-{uuid}"}], "remoteAccessSecurityGroupId": ""}],
    }


def _addon(aws: FakeAws, name: str, inputs: dict, rid: str):
    cluster, addon = inputs["clusterName"], inputs["addonName"]
    return f"{cluster}:{addon}", {
        **inputs,
        "arn": aws.arn("eks", f"addon/{cluster}/{addon}/{rid[:8]}"),
        "addonVersion": inputs.get("addonVersion") or "v1.12.1-eksbuild.2",
    }


def _eks_cluster(aws: FakeAws, name: str, inputs: dict, rid: str):
    # A remote component: return only its declared outputs (echoing inputs breaks it).
    cluster = inputs.get("name") or name
    issuer = aws.oidc_issuer(cluster)
    kubeconfig = aws.kubeconfig(cluster)
    return "", {
        "kubeconfig": kubeconfig,
        "kubeconfigJson": json.dumps(kubeconfig),
        "oidcProviderArn": aws.arn("iam", f"oidc-provider/{issuer}", regional=False),
        "oidcProviderUrl": f"https://{issuer}",
        "oidcIssuer": issuer,
        "clusterSecurityGroupId": f"sg-{digest('cluster-sg', cluster)}",
        "nodeSecurityGroupId": f"sg-{digest('cluster-sg', cluster)}",
    }


def _helm_release(aws: FakeAws, name: str, inputs: dict, rid: str):
    release = inputs.get("name") or name
    namespace = inputs.get("namespace", "default")
    return f"{namespace}/{release}", {
        **inputs,
        "status": {
            "name": release,
            "namespace": namespace,
            "chart": inputs.get("chart"),
            "version": inputs.get("version"),
            "status": "deployed",
            "revision": 1,
        },
    }


def _kubernetes_object(inputs: dict, rid: str):
    metadata = dict(inputs.get("metadata") or {})
    uid = f"{rid[:8]}-{rid[8:12]}-{rid[12:16]}-{digest(rid, length=4)}-{digest(rid, 'uid', length=12)}"
    metadata.setdefault("uid", uid)
    namespace = metadata.get("namespace")
    rid = f"{namespace}/{metadata.get('name')}" if namespace else str(metadata.get("name"))
    return rid, {**inputs, "metadata": metadata}


def _tls(field: str, kind: str):
    def handler(aws: FakeAws, name: str, inputs: dict, rid: str):
        outputs = {**inputs, "id": rid, field: fake_pem(kind, name)}
        if field == "privateKeyPem":
            outputs["publicKeyPem"] = fake_pem("PUBLIC KEY", name)
        return rid, outputs

    return handler


_HANDLERS: dict[str, Callable[[FakeAws, str, dict, str], tuple[str, dict]]] = {
    "aws:ec2/vpc:Vpc": _ec2(
        "vpc",
        "vpc",
        lambda a, i, _: {
            "defaultSecurityGroupId": f"sg-{digest(i, 'default')}",
            "mainRouteTableId": f"rtb-{digest(i, 'main')}",
        },
    ),
    "aws:ec2/internetGateway:InternetGateway": _ec2("igw", "internet-gateway"),
    "aws:ec2/subnet:Subnet": _ec2("subnet", "subnet"),
    "aws:ec2/routeTable:RouteTable": _ec2("rtb", "route-table"),
    "aws:ec2/route:Route": _ec2("r", "route"),
    "aws:ec2/routeTableAssociation:RouteTableAssociation": _ec2("rtbassoc", "route-table-association"),
    "aws:ec2/eip:Eip": _ec2(
        "eipalloc",
        "elastic-ip",
        lambda a, i, _: {"allocationId": i, "publicIp": f"203.0.113.{int(i[-2:], 16) % 250 + 1}"},
    ),
    "aws:ec2/natGateway:NatGateway": _ec2("nat", "natgateway"),
    "aws:ec2/securityGroup:SecurityGroup": _ec2("sg", "security-group"),
    "aws:ec2/launchTemplate:LaunchTemplate": _launch_template,
    "aws:iam/role:Role": _iam("role"),
    "aws:iam/policy:Policy": _policy,
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": _attachment,
    "aws:eks/nodeGroup:NodeGroup": _node_group,
    "aws:eks/addon:Addon": _addon,
    "eks:index:Cluster": _eks_cluster,
    "kubernetes:helm.sh/v3:Release": _helm_release,
    "tls:index/privateKey:PrivateKey": _tls("privateKeyPem", "RSA PRIVATE KEY"),
    "tls:index/selfSignedCert:SelfSignedCert": _tls("certPem", "CERTIFICATE"),
    "tls:index/certRequest:CertRequest": _tls("certRequestPem", "CERTIFICATE REQUEST"),
    "tls:index/locallySignedCert:LocallySignedCert": _tls("certPem", "CERTIFICATE"),
}
