"""When each resource would be created and deleted, given how long each operation takes.

`up` is event-driven: a resource starts the moment its create gates are done (graph.py), so its
length is the longest chain of durations (the critical path). `destroy` runs antichains one after
the other, each to completion, so its length is the sum of the slowest delete in every wave, and
its critical path is that slowest delete of each wave.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from testbed.lifecycle.graph import Graph, does_work


@dataclass(frozen=True)
class Schedule:
    """One direction (create or destroy) of the bed's lifecycle."""

    waves: list[list[str]]
    """URNs, wave by wave, in the order the engine reaches them (components included)."""
    critical_path: list[str]
    """The working resources whose durations add up to `minutes`, in order."""
    minutes: float
    start: dict[str, float]
    """URN -> minute its operation starts (working resources)."""
    finish: dict[str, float]

    def wave_of(self) -> dict[str, int]:
        return {urn: index for index, wave in enumerate(self.waves) for urn in wave}


def create_schedule(graph: Graph, minutes: Callable[[str], float]) -> Schedule:
    """`pulumi up` of a new stack; `minutes(urn)` is the create duration of a working resource."""
    start: dict[str, float] = {}
    finish: dict[str, float] = {}
    determined_by: dict[str, str | None] = {}
    level: dict[str, int] = {}

    def visit(urn: str, path: frozenset[str] = frozenset()) -> None:
        if urn in finish or urn in path:
            return
        gates = graph.create_gates[urn]
        for gate in gates:
            visit(gate, path | {urn})
        latest = max(gates, key=lambda g: (finish.get(g, 0.0), g), default=None)
        start[urn] = finish.get(latest, 0.0) if latest else 0.0
        determined_by[urn] = latest
        level[urn] = 1 + max((level.get(g, 0) for g in gates), default=-1)
        work = does_work(graph.by_urn[urn])
        finish[urn] = start[urn] + (minutes(urn) if work else 0.0)

    for r in graph.resources:
        visit(r.urn)
    waves: list[list[str]] = [[] for _ in range(1 + max(level.values(), default=0))]
    for urn in sorted(level):
        waves[level[urn]].append(urn)
    last = max(finish, key=lambda u: (finish[u], u), default=None)
    path: list[str] = []
    while last is not None:
        if does_work(graph.by_urn[last]):
            path.append(last)
        last = determined_by.get(last)
    path.reverse()
    working = {u for u in start if does_work(graph.by_urn[u])}
    return Schedule(
        waves=[w for w in waves if w],
        critical_path=path,
        minutes=max(finish.values(), default=0.0),
        start={u: start[u] for u in working},
        finish={u: finish[u] for u in working},
    )


def delete_heights(graph: Graph) -> dict[str, int]:
    """URN -> length of the longest chain of delete dependencies below it (0: depends on nothing)."""
    height: dict[str, int] = {}

    def of(urn: str, path: frozenset[str] = frozenset()) -> int:
        if urn not in height:
            below = [of(d, path | {urn}) for d in graph.delete_dependencies[urn] if d not in path]
            height[urn] = 1 + max(below, default=-1)
        return height[urn]

    for r in graph.resources:
        of(r.urn)
    return height


def destroy_schedule(graph: Graph, minutes: Callable[[str], float]) -> Schedule:
    """`pulumi destroy`; `minutes(urn)` is the delete duration of a working resource."""
    height = delete_heights(graph)
    top = max(height.values(), default=0)
    waves: list[list[str]] = [[] for _ in range(top + 1)]
    for urn in sorted(height):
        waves[top - height[urn]].append(urn)
    start: dict[str, float] = {}
    finish: dict[str, float] = {}
    path: list[str] = []
    clock = 0.0
    for wave in waves:
        working = [u for u in wave if does_work(graph.by_urn[u])]
        for urn in working:
            start[urn] = clock
            finish[urn] = clock + minutes(urn)
        slowest = max(working, key=lambda u: (finish[u], u), default=None)
        if slowest is not None and finish[slowest] > clock:
            path.append(slowest)
            clock = finish[slowest]
    return Schedule(waves=waves, critical_path=path, minutes=clock, start=start, finish=finish)
