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


def _service(context: Context, name: str, inputs: dict, rid: str):
    """A Service; type LoadBalancer gets the ingress address its cloud controller would write."""
    object_id, outputs = kubernetes_object(context, name, inputs, rid)
    spec = inputs.get("spec") or {}
    if spec.get("type") != "LoadBalancer":
        return object_id, outputs
    annotations = (inputs.get("metadata") or {}).get("annotations") or {}
    if AZURE_PIP_NAME in annotations:  # the AKS cloud provider puts the named public IP in front
        ingress = {"ip": azure.public_ip_address(annotations[AZURE_PIP_NAME])}
    elif any(key.startswith("service.beta.kubernetes.io/aws-load-balancer") for key in annotations):
        # The AWS LB controller's NLB: a DNS name, no address.
        metadata = inputs.get("metadata") or {}
        lb_name = f"k8s-{metadata.get('namespace', 'default')}-{metadata.get('name', name)}"[:23]
        ingress = {"hostname": f"{lb_name}-{digest('nlb', rid, length=10)}.elb.{context.aws_region}.amazonaws.com"}
    else:
        ingress = {"ip": f"198.51.100.{int(digest('lb', rid, length=4), 16) % 250 + 1}"}
    ports = [
        {**port, "nodePort": 30000 + int(digest("nodeport", rid, str(port.get("port")), length=4), 16) % 2768}
        for port in spec.get("ports") or []
    ]
    spec = {**spec, "ports": ports, "clusterIP": f"10.0.{int(rid[:2], 16)}.{int(rid[2:4], 16) % 254 + 1}"}
    if spec.get("externalTrafficPolicy") == "Local":
        spec["healthCheckNodePort"] = 30000 + int(digest("healthcheck", rid, length=4), 16) % 2768
    return object_id, {**outputs, "spec": spec, "status": {"loadBalancer": {"ingress": [ingress]}}}


RESOURCES: dict[str, ResourceHandler] = {
    "kubernetes:helm.sh/v3:Release": _helm_release,
    "kubernetes:core/v1:Service": _service,
}
