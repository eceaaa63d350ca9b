"""The bed as a lifecycle: how `pulumi up` and `pulumi destroy` would order the recorded plan, how long
each would take, and what the running bed costs per hour.

- graph.py: what each resource waits for on create and on delete, as Pulumi's engine decides it;
- schedule.py: waves, start and finish minutes, critical paths;
- durations.py, prices.py: the two pinned tables, each figure with its source;
- cost.py: the hourly cost items; support.py: Kubernetes version support phases by date;
- kinds.py: which Kubernetes objects make cloud load balancers.

`today` is a parameter everywhere (default: date.today(); the CLI passes stacks.support.plan_date(),
which TESTBED_TODAY can fix) so that tests never depend on the date.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from testbed.engine import Resource
from testbed.lifecycle.cost import Cost, cost_of
from testbed.lifecycle.durations import delete_minutes, duration
from testbed.lifecycle.graph import Graph
from testbed.lifecycle.schedule import Schedule, create_schedule, destroy_schedule

HOURS_PER_DAY = 8
REGION_KEYS = ("aws:region", "azure-native:location", "testbed:location", "testbed:region")


@dataclass(frozen=True)
class Lifecycle:
    """Create and destroy schedules and the hourly cost of one planned bed."""

    resources: int
    create: Schedule
    destroy: Schedule
    cost: Cost
    warnings: list[str]


def region_of(config: Mapping[str, str]) -> str | None:
    """The region a stack's config deploys to (aws:region, or an Azure location)."""
    for key in REGION_KEYS:
        value = config.get(key)
        if value:
            return json.loads(value) if value.startswith('"') else value
    return None


def analyse(resources: list[Resource], *, region: str | None, today: date | None = None) -> Lifecycle:
    """The lifecycle of a bed whose plan registered `resources`, deployed in `region`, on `today`."""
    today = today or date.today()
    graph = Graph(resources)
    create = create_schedule(graph, lambda urn: duration(graph.by_urn[urn]).create)
    destroy = destroy_schedule(graph, lambda urn: delete_minutes(graph.by_urn[urn]))
    cost = cost_of(resources, region, today)
    warnings = list(cost.warnings)
    for r in resources:
        if r.options.get("protect"):
            warnings.append(f"{r.type} {r.name} is protected: `pulumi destroy` stops until it is unprotected")
    return Lifecycle(len(resources), create, destroy, cost, warnings)


def _schedule_document(schedule: Schedule) -> dict[str, Any]:
    return {
        "waves": schedule.waves,
        "criticalPath": schedule.critical_path,
        "minutes": round(schedule.minutes, 1),
    }


def document(lifecycle: Lifecycle) -> dict[str, Any]:
    """The lifecycle.json document (shape given in issue 11)."""
    cost = lifecycle.cost
    return {
        "create": _schedule_document(lifecycle.create),
        "destroy": _schedule_document(lifecycle.destroy),
        "cost": {
            "currency": cost.currency,
            "region": cost.region,
            "pricedAt": cost.priced_at.isoformat(),
            "perHour": cost.per_hour,
            "items": [{"urn": i.urn, "what": i.what, "perHour": i.per_hour, "source": i.source} for i in cost.items],
            "excluded": cost.excluded,
        },
        "warnings": lifecycle.warnings,
    }


def summary_line(lifecycle: Lifecycle) -> str:
    """One line for `plan`: resources, up and destroy critical paths, cost per hour and per 8-hour day."""
    per_hour = lifecycle.cost.per_hour
    price = (
        f"${per_hour:.2f}/h (${per_hour * HOURS_PER_DAY:.2f} per {HOURS_PER_DAY}-hour day, traffic excluded)"
        if lifecycle.cost.items
        else "cost not estimated"
    )
    return (
        f"{lifecycle.resources} resources; up ~{lifecycle.create.minutes:.0f} min, "
        f"destroy ~{lifecycle.destroy.minutes:.0f} min (critical paths); {price}"
    )


def write_lifecycle(lifecycle: Lifecycle, out: Path) -> Path:
    """Write `out/lifecycle.json`; returns its path."""
    out.mkdir(parents=True, exist_ok=True)
    path = out / "lifecycle.json"
    path.write_text(json.dumps(document(lifecycle), indent=2) + "\n")
    return path
