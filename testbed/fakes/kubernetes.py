"""pulumi-kubernetes: objects get a uid; Helm releases report themselves deployed."""

from __future__ import annotations

from testbed.fakes import azure
from testbed.fakes.common import Context, ResourceHandler, digest, uuid

AZURE_PIP_NAME = "service.beta.kubernetes.io/azure-pip-name"


def kubernetes_object(context: Context, name: str, inputs: dict, rid: str) -> tuple[str, dict]:
    metadata = dict(inputs.get("metadata") or {})
    metadata.setdefault("uid", uuid(rid))
    namespace = metadata.get("namespace")
    object_id = f"{namespace}/{metadata.get('name')}" if namespace else str(metadata.get("name"))
    return object_id, {**inputs, "metadata": metadata}


def _service(context: Context, name: str, inputs: dict, rid: str) -> tuple[str, dict]:
    """A Service, with the cluster IP and node ports Kubernetes assigns; one of type LoadBalancer
    reports in its status the address its load balancer controller would write: the named
    public IP on AKS, the AWS LB controller's NLB name for `service.k8s.aws/nlb`, the in-tree
    controller's ELB name otherwise."""
    object_id, outputs = kubernetes_object(context, name, inputs, rid)
    spec = dict(inputs.get("spec") or {})
    if spec.get("type") != "ExternalName":
        # The default service CIDRs: EKS 172.20.0.0/16, AKS 10.0.0.0/16.
        prefix = "10.0" if "azure-native:location" in context.config else "172.20"
        spec.setdefault("clusterIP", f"{prefix}.{int(rid[:2], 16)}.{int(rid[2:4], 16) % 254 + 1}")
    if spec.get("type") != "LoadBalancer":
        return object_id, {**outputs, "spec": spec, "status": {"loadBalancer": {}}}
    metadata = outputs["metadata"]
    annotations = metadata.get("annotations") or {}
    region = context.aws_region
    if AZURE_PIP_NAME in annotations:
        ingress = {"ip": azure.public_ip_address(annotations[AZURE_PIP_NAME])}
    elif spec.get("loadBalancerClass") == "service.k8s.aws/nlb":
        # k8s-<namespace[:8]>-<name[:8]>-<10 hex>-<16 hex>.elb.<region>.amazonaws.com
        namespace = str(metadata.get("namespace", "default")).replace("-", "")[:8]
        short = str(metadata.get("name")).replace("-", "")[:8]
        hostname = f"k8s-{namespace}-{short}-{digest(rid, 'lb', length=10)}-{digest(rid, 'dns', length=16)}"
        ingress = {"hostname": f"{hostname}.elb.{region}.amazonaws.com"}
    else:
        hostname = f"{digest(rid, 'elb', length=32)}-{int(digest(rid, 'n', length=8), 16) % 10**9}"
        ingress = {"hostname": f"{hostname}.{region}.elb.amazonaws.com"}
    spec["ports"] = [
        {**port, "nodePort": 30000 + int(digest("nodeport", rid, str(port.get("port")), length=4), 16) % 2768}
        for port in spec.get("ports") or []
    ]
    if spec.get("externalTrafficPolicy") == "Local":
        spec["healthCheckNodePort"] = 30000 + int(digest("healthcheck", rid, length=4), 16) % 2768
    return object_id, {**outputs, "spec": spec, "status": {"loadBalancer": {"ingress": [ingress]}}}


def _ingress(context: Context, name: str, inputs: dict, rid: str) -> tuple[str, dict]:
    """An Ingress reports its load balancer's DNS name in its status, as its controller would: for
    class alb the AWS LB controller's ALB (`load-balancer-name`, or `k8s-<group or namespace-name>-<hash>`,
    `internal-` unless internet-facing: the controller's default scheme is internal), for another
    class the NLB in front of that controller (ingress-nginx publishes its Service's address)."""
    object_id, outputs = kubernetes_object(context, name, inputs, rid)
    metadata = outputs["metadata"]
    annotations = metadata.get("annotations") or {}
    region = context.aws_region
    if (inputs.get("spec") or {}).get("ingressClassName") == "alb":
        lb_name = annotations.get("alb.ingress.kubernetes.io/load-balancer-name")
        if not lb_name:
            group = annotations.get("alb.ingress.kubernetes.io/group.name")
            scope = (
                group.replace("-", "").replace(".", "")[:17]
                if group
                else "-".join(str(metadata.get(k, "default")).replace("-", "")[:8] for k in ("namespace", "name"))
            )
            lb_name = f"k8s-{scope}-{digest(rid, 'alb', length=10)}"
        internal = annotations.get("alb.ingress.kubernetes.io/scheme", "internal") == "internal"
        hostname = f"{'internal-' if internal else ''}{lb_name}-{int(digest(rid, 'n', length=8), 16) % 10**10}"
        hostname += f".{region}.elb.amazonaws.com"
    else:
        hostname = f"k8s-ingressn-ingressn-{digest(rid, 'lb', length=10)}-{digest(rid, 'dns', length=16)}"
        hostname += f".elb.{region}.amazonaws.com"
    outputs["status"] = {"loadBalancer": {"ingress": [{"hostname": hostname}]}}
    return object_id, outputs


def _helm_release(context: Context, name: str, inputs: dict, rid: str):
    release = inputs.get("name") or name
    namespace = inputs.get("namespace", "default")
    status = {
        "name": release,
        "namespace": namespace,
        "chart": inputs.get("chart"),
        "version": inputs.get("version"),
        "status": "deployed",
        "revision": 1,
    }
    return f"{namespace}/{release}", {**inputs, "status": status}


RESOURCES: dict[str, ResourceHandler] = {
    "kubernetes:core/v1:Service": _service,
    "kubernetes:networking.k8s.io/v1:Ingress": _ingress,
    "kubernetes:helm.sh/v3:Release": _helm_release,
}
