"""Tree summaries of Kubernetes objects and Helm releases: the settings a reviewer checks."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from testbed.plan.model import plain
from testbed.plan.summaries.common import Summary, get, pick


def _service(inputs: dict[str, Any]) -> Iterable[tuple[str, Any]]:
    metadata = inputs.get("metadata") or {}
    spec = inputs.get("spec") or {}
    yield "namespace", metadata.get("namespace")
    yield "type", spec.get("type")
    yield "loadBalancerClass", spec.get("loadBalancerClass")
    yield (
        "ports",
        [
            f"{p.get('name') + ' ' if p.get('name') else ''}{p.get('port')}->{p.get('targetPort', p.get('port'))}"
            f"/{p.get('protocol', 'TCP')}"
            for p in spec.get("ports") or []
        ],
    )
    yield "externalTrafficPolicy", spec.get("externalTrafficPolicy")
    yield "selector", spec.get("selector")
    yield "sourceRanges", spec.get("loadBalancerSourceRanges")
    yield from _annotations(metadata)


def _annotations(metadata: dict[str, Any]) -> Iterable[tuple[str, Any]]:
    """One line per annotation: the load balancer settings are read one by one."""
    for key, value in sorted((metadata.get("annotations") or {}).items()):
        yield f"@{key}", value


def _ingress(inputs: dict[str, Any]) -> Iterable[tuple[str, Any]]:
    metadata = inputs.get("metadata") or {}
    spec = inputs.get("spec") or {}
    yield "namespace", metadata.get("namespace")
    yield "class", spec.get("ingressClassName")
    for rule in spec.get("rules") or []:
        for path in (rule.get("http") or {}).get("paths") or []:
            service = (path.get("backend") or {}).get("service") or {}
            port = service.get("port") or {}
            where = f"{rule.get('host') or '*'}{path.get('path') or ''} ({path.get('pathType')})"
            yield "rule", f"{where} -> {service.get('name')}:{port.get('number', port.get('name'))}"
    yield from _annotations(metadata)


def _namespace(inputs: dict[str, Any]) -> Iterable[tuple[str, Any]]:
    metadata = inputs.get("metadata") or {}
    yield "name", metadata.get("name")
    yield "labels", {k: v for k, v in (metadata.get("labels") or {}).items() if k != "app.kubernetes.io/managed-by"}


def _deployment(inputs: dict[str, Any]) -> Iterable[tuple[str, Any]]:
    metadata = inputs.get("metadata") or {}
    spec = inputs.get("spec") or {}
    pod = (spec.get("template") or {}).get("spec") or {}
    yield "namespace", metadata.get("namespace")
    yield "replicas", spec.get("replicas")
    yield "terminationGracePeriodSeconds", pod.get("terminationGracePeriodSeconds")
    for container in pod.get("containers") or []:
        readiness = container.get("readinessProbe") or {}
        if path := (readiness.get("httpGet") or {}).get("path"):
            delay, period = readiness.get("initialDelaySeconds", 0), readiness.get("periodSeconds", 10)
            yield "readiness", f"GET {path} (after {delay}s, every {period}s)"
        pre_stop = ((container.get("lifecycle") or {}).get("preStop") or {}).get("exec") or {}
        yield "preStop", " ".join(pre_stop.get("command") or [])
    yield "nodeSelector", pod.get("nodeSelector")
    yield (
        "spread",
        [f"{c.get('topologyKey')} maxSkew {c.get('maxSkew')}" for c in pod.get("topologySpreadConstraints") or []],
    )
    yield "annotations", metadata.get("annotations")
    yield from _containers(inputs)


def _containers(inputs: dict[str, Any]) -> Iterable[tuple[str, Any]]:
    spec = get(inputs, "spec.template.spec") or {}
    for kind in ("initContainers", "containers"):
        for c in spec.get(kind) or []:
            label = f"{'init ' if kind == 'initContainers' else ''}container {c.get('name')}"
            ports = [str(p.get("containerPort")) for p in c.get("ports") or []]
            yield label, f"{c.get('image')}{' ports ' + ','.join(ports) if ports else ''}"
            yield "  command", c.get("command")
            if env := {e["name"]: e.get("value") for e in c.get("env") or [] if "value" in e}:
                yield "  env", env
            caps = get(c, "securityContext.capabilities.add")
            user = get(c, "securityContext.runAsUser")
            yield "  runAsUser", user
            yield "  addCapabilities", caps


def _release(inputs: dict[str, Any]) -> Iterable[tuple[str, Any]]:
    yield "chart", f"{inputs.get('chart')}@{inputs.get('version')}"
    yield "repo", (inputs.get("repositoryOpts") or {}).get("repo")
    yield "namespace", inputs.get("namespace")
    yield "values", _flatten(plain(inputs.get("values") or {}))


def _flatten(values: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in values.items():
        if isinstance(value, dict) and value:
            flat.update(_flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def _target_group_binding(inputs: dict[str, Any]) -> Iterable[tuple[str, Any]]:
    spec = inputs.get("spec") or {}
    yield "namespace", get(inputs, "metadata.namespace")
    yield "serviceRef", spec.get("serviceRef")
    yield "targetGroupARN", spec.get("targetGroupARN")
    yield "targetType", spec.get("targetType")
    for rule in get(spec, "networking.ingress") or []:
        yield "allow", {"from": rule.get("from"), "ports": rule.get("ports")}


def default(inputs: dict[str, Any]) -> Iterable[tuple[str, Any]]:
    """Any other Kubernetes object: where it lives and how it is annotated."""
    metadata = inputs.get("metadata") or {}
    yield "namespace", metadata.get("namespace")
    yield "annotations", metadata.get("annotations")


SUMMARIES: dict[str, Summary] = {
    "kubernetes:core/v1:ConfigMap": lambda i: [
        ("namespace", get(i, "metadata.namespace")),
        ("files", sorted(i.get("data") or {})),
    ],
    "kubernetes:elbv2.k8s.aws/v1beta1:TargetGroupBinding": _target_group_binding,
    "kubernetes:helm.sh/v3:Release": _release,
    "kubernetes:core/v1:Service": _service,
    "kubernetes:apps/v1:Deployment": _deployment,
    "kubernetes:networking.k8s.io/v1:Ingress": _ingress,
    "kubernetes:core/v1:Namespace": _namespace,
    "kubernetes:core/v1:NamespacePatch": _namespace,
    "pulumi:providers:kubernetes": pick("enableServerSideApply"),
}
