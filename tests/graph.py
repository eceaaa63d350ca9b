"""Queries over a Recording, so tests read like the spec they check."""

from __future__ import annotations

import json
from typing import Any

from components.helm import HelmChart
from testbed.engine import Recording, Resource, Secret


def of_type(recording: Recording, type_: str) -> list[Resource]:
    return [r for r in recording.resources if r.type == type_]


def one(recording: Recording, type_: str, name: str | None = None) -> Resource:
    """The single resource of `type_` (named `name`, when given)."""
    found = [r for r in of_type(recording, type_) if name is None or r.name == name]
    assert len(found) == 1, f"expected one {type_} {name or ''}, found {[r.name for r in found]}"
    return found[0]


def by_k8s_name(recording: Recording, type_: str, name: str) -> Resource:
    """The single Kubernetes object of `type_` whose metadata.name is `name`."""
    [found] = [r for r in of_type(recording, type_) if r.inputs["metadata"]["name"] == name]
    return found


def by_id(recording: Recording, resource_id: str) -> Resource:
    found = [r for r in recording.resources if r.id == resource_id]
    assert len(found) == 1, f"no single resource with id {resource_id}"
    return found[0]


def urn_of(recording: Recording, type_: str, name: str) -> str:
    return one(recording, type_, name).urn


def revealed(value: Any) -> Any:
    """The value under Secret wrappers (for asserting what a secret holds)."""
    if isinstance(value, Secret):
        return revealed(value.value)
    if isinstance(value, dict):
        return {k: revealed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [revealed(v) for v in value]
    return value


def json_input(resource: Resource, key: str) -> Any:
    """An input that holds a JSON document (a policy, add-on configuration values)."""
    return json.loads(revealed(resource.inputs[key]))


def installed(release: Resource) -> tuple[str, str, HelmChart]:
    """A Helm Release's name, namespace, and the chart it installs (name, version, repository)."""
    inputs = release.inputs
    chart = HelmChart(name=inputs["chart"], version=inputs["version"], repository=inputs["repositoryOpts"]["repo"])
    return inputs["name"], inputs["namespace"], chart


def deployed(deployment: Resource) -> tuple[str, str, int]:
    """A Deployment's name, namespace and replica count."""
    return (
        deployment.inputs["metadata"]["name"],
        deployment.inputs["metadata"]["namespace"],
        deployment.inputs["spec"]["replicas"],
    )


def ancestors(recording: Recording, resource: Resource) -> list[str]:
    """Names of the components `resource` sits under, innermost first."""
    by_urn = recording.by_urn()
    names = []
    parent = resource.parent
    while parent in by_urn:
        names.append(by_urn[parent].name)
        parent = by_urn[parent].parent
    return names


def needs(recording: Recording, resource: Resource) -> set[str]:
    """URNs `resource` waits for on `up` (and outlives on `destroy`): its dependencies, transitively.

    A dependency on a local component stands for all of its descendants (the Python SDK expands
    `depends_on` so; an explicit edge to a component URN is expanded here the same way).
    """
    by_urn = recording.by_urn()
    children: dict[str, list[str]] = {}
    for r in recording.resources:
        if r.parent:
            children.setdefault(r.parent, []).append(r.urn)
    seen: set[str] = set()
    stack = list(resource.dependencies)
    while stack:
        urn = stack.pop()
        if urn in seen:
            continue
        seen.add(urn)
        found = by_urn.get(urn)
        if found is None:
            continue
        stack.extend(found.dependencies)
        if not found.custom and not found.remote:
            stack.extend(children.get(urn, []))
    return seen


def missing_needs(recording: Recording, resource: Resource, required: list[Resource]) -> list[str]:
    """Names of the resources in `required` that `resource` does not reach through dependencies."""
    reached = needs(recording, resource)
    return [f"{r.type}::{r.name}" for r in required if r.urn not in reached]
