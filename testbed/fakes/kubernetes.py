"""pulumi-kubernetes: objects get a uid; Helm releases report themselves deployed."""

from __future__ import annotations

from testbed.fakes.common import Context, ResourceHandler, uuid


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
    """A Service gets a cluster IP from the default service CIDR (EKS: 172.20.0.0/16)."""
    object_id, outputs = kubernetes_object(context, name, inputs, rid)
    spec = dict(outputs.get("spec") or {})
    if spec.get("type", "ClusterIP") != "ExternalName":
        spec.setdefault("clusterIP", f"172.20.{int(rid[:2], 16)}.{int(rid[2:4], 16) % 254 + 1}")
    return object_id, {**outputs, "spec": spec, "status": {"loadBalancer": {}}}


RESOURCES: dict[str, ResourceHandler] = {
    "kubernetes:helm.sh/v3:Release": _helm_release,
    "kubernetes:core/v1:Service": _service,
}
