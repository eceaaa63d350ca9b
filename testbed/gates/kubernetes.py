"""Kubernetes gates: built-in objects against the cluster version's OpenAPI schema, custom
resources against the pinned chart's CRDs, Helm values against the chart's values.yaml (the
CRDs and values trees ship in testbed/reference, derived from the upstream files)."""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import jsonschema
import kubernetes_validate

from components.aws.versions import EKS_VERSION, LB_CONTROLLER_CHART, LB_CONTROLLER_CHART_VERSION
from testbed import reference
from testbed.gates import Result, Stack, subject
from testbed.plan import is_helm_release, plain

DEFAULT_KUBERNETES_VERSION = EKS_VERSION


def kubernetes_version(stack: Stack) -> str:
    """The Kubernetes version of the stack's cluster (EKS `version`, AKS `kubernetesVersion`)."""
    for resource in stack.resources:
        if resource.type == "eks:index:Cluster" and resource.inputs.get("version"):
            return str(resource.inputs["version"])
        if resource.type.endswith(":ManagedCluster") and resource.inputs.get("kubernetesVersion"):
            return ".".join(str(resource.inputs["kubernetesVersion"]).split(".")[:2])
    return DEFAULT_KUBERNETES_VERSION


def _is_builtin(api_version: str) -> bool:
    group = api_version.rpartition("/")[0]
    return "." not in group or group.endswith(".k8s.io")


def _schema_versions() -> list[str]:
    """Kubernetes minor versions kubernetes-validate has schemas for."""
    from kubernetes_validate.utils import all_versions, major_minor

    return sorted({major_minor(v) for v in all_versions()}, key=lambda v: tuple(int(p) for p in v.split(".")))


def schema_gate(stacks: Sequence[Stack]) -> Iterable[Result]:
    for stack in stacks:
        version = kubernetes_version(stack)
        source = f"Kubernetes {version} OpenAPI schema, strict (kubernetes-validate {kubernetes_validate.__version__})"
        if ".".join(version.split(".")[:2]) not in _schema_versions():
            yield stack.finding(
                "kubernetes-schema",
                "cluster",
                "kubernetesVersion",
                f"{version!r}: kubernetes-validate has schemas for {', '.join(_schema_versions()[-4:])}",
                source,
            )
            continue
        for resource, manifest in stack.kubernetes_objects:
            if not _is_builtin(str(manifest.get("apiVersion", ""))):
                continue
            try:
                kubernetes_validate.validate(manifest, version, strict=True)
            except kubernetes_validate.ValidationError as err:
                path = ".".join(str(p) for p in err.path) or "(object)"
                yield stack.finding("kubernetes-schema", subject(resource), path, err.message, source)
            except kubernetes_validate.SchemaNotFoundError:
                yield stack.note("kubernetes-schema", f"no schema for {manifest.get('kind')} in Kubernetes {version}")


# ---- custom resources ---------------------------------------------------------------------------


def lb_controller_crds() -> dict[str, Any] | None:
    """'<apiVersion> <Kind>' -> openAPIV3Schema of the pinned LB controller chart's CRDs (shipped data)."""
    return reference.crd_schemas(LB_CONTROLLER_CHART, LB_CONTROLLER_CHART_VERSION)


def strict_schema(schema: Any) -> Any:
    """An OpenAPI v3 structural schema as the API server applies it, for jsonschema:
    int-or-string made explicit, and unknown fields rejected (the API server would silently
    prune them, which is how a typo'd field disappears) unless the schema preserves them."""
    if isinstance(schema, list):
        return [strict_schema(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    result = {k: strict_schema(v) for k, v in schema.items()}
    if result.pop("x-kubernetes-int-or-string", False):
        result.pop("type", None)
        result["anyOf"] = [{"type": "integer"}, {"type": "string"}]
    if "properties" in result and not result.get("x-kubernetes-preserve-unknown-fields"):
        result.setdefault("additionalProperties", False)
    return result


def crd_gate(stacks: Sequence[Stack]) -> Iterable[Result]:
    for stack in stacks:
        custom = [(r, m) for r, m in stack.kubernetes_objects if not _is_builtin(str(m.get("apiVersion", "")))]
        if not custom:
            continue
        schemas = lb_controller_crds()
        if schemas is None:
            yield stack.note(
                "crd-schema",
                f"{len(custom)} custom resources not checked: no shipped CRDs of chart "
                f"{LB_CONTROLLER_CHART} {LB_CONTROLLER_CHART_VERSION} (python -m testbed reference derives them)",
            )
            continue
        source = f"CRD schema of {LB_CONTROLLER_CHART} chart {LB_CONTROLLER_CHART_VERSION}"
        for resource, manifest in custom:
            key = (manifest.get("apiVersion"), manifest.get("kind"))
            schema = schemas.get(f"{key[0]} {key[1]}")
            if schema is None:
                yield stack.finding(
                    "crd-schema",
                    subject(resource),
                    "apiVersion/kind",
                    f"{key[0]} {key[1]} is not served by the pinned chart's CRDs",
                    source,
                )
                continue
            body = copy.deepcopy(manifest)
            body["metadata"] = {}  # ObjectMeta is the API server's, not the CRD's
            validator = jsonschema.Draft7Validator(strict_schema(schema))
            for error in sorted(validator.iter_errors(body), key=lambda e: list(e.path)):
                path = ".".join(str(p) for p in error.path) or "(object)"
                yield stack.finding("crd-schema", subject(resource), path, error.message, source)


# ---- Helm values --------------------------------------------------------------------------------


FREE_FORM = {"map": Mapping, "list": list}
"""Value types that accept any keys or items below them (a values.yaml default of {} or [])."""


def unknown_values(ours: Mapping[str, Any], chart: Mapping[str, Any], prefix: str = "") -> Iterable[tuple[str, str]]:
    """(path, problem) for every value of ours the chart's values tree does not declare, or whose
    type differs from the chart default's. Free-form defaults ({}, [] or null) accept anything below."""
    for key, value in ours.items():
        path = f"{prefix}{key}"
        if key not in chart:
            yield path, "is not a value of the chart (the chart would ignore it)"
            continue
        kind = chart[key]
        if value is None or kind == "any":
            continue
        if isinstance(kind, dict):
            if isinstance(value, Mapping):
                yield from unknown_values(value, kind, f"{path}.")
            else:
                yield path, f"{value!r} must be a mapping of the chart's keys ({', '.join(sorted(kind))})"
        elif kind in FREE_FORM and not isinstance(value, FREE_FORM[kind]):
            yield path, f"{value!r} must be a {'mapping' if kind == 'map' else 'list'}, like the chart's default"
        elif kind == "boolean" and not isinstance(value, bool):
            yield path, f"{value!r} must be true or false"
        elif kind in ("integer", "number") and (isinstance(value, bool) or not isinstance(value, int | float)):
            yield path, f"{value!r} must be a number"
        elif kind == "string" and isinstance(value, Mapping | list):
            yield path, f"{value!r} must be a string"


def helm_values_gate(stacks: Sequence[Stack]) -> Iterable[Result]:
    for stack in stacks:
        for release in (r for r in stack.resources if is_helm_release(r)):
            inputs = plain(release.inputs)
            chart, version = inputs.get("chart"), inputs.get("version")
            document = reference.chart_values(str(chart), str(version))
            if document is None:
                yield stack.note(
                    "helm-values",
                    f"{chart} {version}: values not checked: no shipped values tree of this chart version "
                    "(testbed/reference; python -m testbed reference derives them)",
                )
                continue
            source = f"values.yaml of chart {chart} {version}: {reference.source_line(document)}"
            accepted = reference.accepted_values(document)
            for path, problem in unknown_values(inputs.get("values") or {}, accepted):
                yield stack.finding("helm-values", subject(release), f"values.{path}", problem, source)
