"""The recorded plan as Pulumi's engine orders it: what each resource waits for on `up` and on `destroy`.

Create (`pulumi up` of a new stack). The Python SDK sends a resource's RegisterResource only once
every resource it depends on has resolved its URN, and a custom resource's URN resolves when the
engine has *created* it. So a resource starts when these are done:
- its dependencies (inputs and `depends_on`) and its explicit provider;
- its parent: a custom or remote parent must be created first (the child needs the parent's URN),
  a local component parent registers once *its* dependencies are done, so the child inherits them;
- for a dependency on a local component: every custom or remote resource inside it (the SDK
  expands such a dependency to the component's descendants, `_add_dependency` in pulumi/sdk
  python `resource.py`; research/pulumi.md).
Remote components (eks:index:Cluster) are leaves here: their children live in the provider plugin.

Destroy. `performDeletes` in pulumi/pulumi `pkg/resource/deploy/deployment_executor.go` runs the
antichains `ScheduleDeletes` (`step_generator.go`) returns, one after another, each to completion
("each list must execute completes before the next list can safely begin"). A resource's delete
dependencies are `DependencyGraph.DependenciesOf` (`pkg/resource/graph/dependency_graph.go`): its
dependencies (a component's descendants included), its provider and its parent. Antichain 0 holds
the resources that depend on nothing still condemned; the list is then reversed. So a resource's
delete wave is `height(top) - height(resource)`, where height is the longest chain of delete
dependencies below it: two resources in different waves are deleted strictly one after the other,
whatever their own dependencies.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property

from testbed.engine import Resource


def is_local_component(resource: Resource) -> bool:
    """A ComponentResource written in this program (children visible, no cloud call of its own)."""
    return not resource.custom and not resource.remote


def does_work(resource: Resource) -> bool:
    """A resource whose create or delete is a call a provider makes (custom, or a remote component)."""
    return resource.custom or resource.remote


@dataclass
class Graph:
    """The resources of one plan, with the create and delete relations the engine derives."""

    resources: list[Resource]
    by_urn: dict[str, Resource] = field(init=False)

    def __post_init__(self) -> None:
        self.by_urn = {r.urn: r for r in self.resources}

    @cached_property
    def children(self) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {r.urn: [] for r in self.resources}
        for r in self.resources:
            if r.parent in found:
                found[r.parent].append(r.urn)
        return found

    def descendants(self, urn: str) -> set[str]:
        """Every resource below `urn` in the parent tree."""
        found: set[str] = set()
        stack = list(self.children.get(urn, []))
        while stack:
            child = stack.pop()
            if child not in found:
                found.add(child)
                stack.extend(self.children.get(child, []))
        return found

    def _known(self, urns: Iterable[str | None]) -> set[str]:
        return {u for u in urns if u and u in self.by_urn}

    def direct_dependencies(self, resource: Resource) -> set[str]:
        """Dependencies and the explicit provider, as recorded."""
        return self._known([*resource.dependencies, resource.provider])

    @cached_property
    def create_gates(self) -> dict[str, frozenset[str]]:
        """URN -> the working (custom or remote) resources that must be created before it starts."""
        gates: dict[str, frozenset[str]] = {}

        def of(urn: str) -> frozenset[str]:
            if urn in gates:
                return gates[urn]
            gates[urn] = frozenset()  # a cycle would be a program error; never loop on one
            resource = self.by_urn[urn]
            found: set[str] = set()
            for dependency in self.direct_dependencies(resource):
                target = self.by_urn[dependency]
                if is_local_component(target):
                    found |= {d for d in self.descendants(dependency) if does_work(self.by_urn[d])}
                    found |= of(dependency)
                else:
                    found.add(dependency)
            if resource.parent in self.by_urn:
                parent = self.by_urn[resource.parent]
                found |= of(parent.urn) if is_local_component(parent) else {parent.urn}
            found.discard(urn)
            gates[urn] = frozenset(found)
            return gates[urn]

        for r in self.resources:
            of(r.urn)
        return gates

    @cached_property
    def create_closure(self) -> dict[str, frozenset[str]]:
        """URN -> every working resource created before it starts (gates, transitively)."""
        return _closure(self.create_gates, [r.urn for r in self.resources])

    def created_before(self, first: str, then: str) -> bool:
        """Whether `first` is always created before `then` starts (a chain of create gates)."""
        return first in self.create_closure[then]

    @cached_property
    def delete_dependencies(self) -> dict[str, frozenset[str]]:
        """URN -> what the engine deletes only after this resource (DependencyGraph.DependenciesOf)."""
        found: dict[str, frozenset[str]] = {}
        for r in self.resources:
            deps: set[str] = set()
            for dependency in self.direct_dependencies(r):
                deps.add(dependency)
                if is_local_component(self.by_urn[dependency]):
                    deps |= self.descendants(dependency)
            if r.parent in self.by_urn:
                deps.add(r.parent)
            deps.discard(r.urn)
            found[r.urn] = frozenset(deps)
        return found

    @cached_property
    def delete_closure(self) -> dict[str, frozenset[str]]:
        """URN -> everything deleted only after it, by a chain of delete dependencies."""
        return _closure(self.delete_dependencies, [r.urn for r in self.resources])

    def deleted_before(self, first: str, then: str) -> bool:
        """Whether `first` is deleted before `then` under any schedule that respects dependencies.

        Today's engine also orders resources of different antichain heights (schedule.py), but
        only by the accident of their heights; its own comment calls antichains "not true delete
        parallelism", so an engine that deletes each resource as soon as its dependents are gone
        would not keep that order. A chain of dependencies keeps it under both.
        """
        return then in self.delete_closure[first]


def _closure(edges: Mapping[str, frozenset[str]], urns: Iterable[str]) -> dict[str, frozenset[str]]:
    """URN -> everything reachable from it along `edges`, each URN walked once."""
    closure: dict[str, frozenset[str]] = {}

    def of(urn: str) -> frozenset[str]:
        if urn not in closure:
            closure[urn] = frozenset()
            found: set[str] = set()
            for target in edges[urn]:
                found.add(target)
                found |= of(target)
            closure[urn] = frozenset(found)
        return closure[urn]

    for urn in urns:
        of(urn)
    return closure
