"""What a stack would build: as data (`model`: plan.json, manifests/) and as a tree for people (`tree`).

The gates and tests read the data; `python -m testbed plan` prints the tree, each resource with
the few settings its summary picks (`summaries/`, one module per provider package).
"""

from __future__ import annotations

from testbed.plan.model import (
    SECRET,
    Plan,
    is_helm_release,
    is_kubernetes_object,
    manifests,
    plain,
    plan_document,
    plan_json,
    secret_inputs,
    write_plan,
)
from testbed.plan.tree import render_tree, short_type

__all__ = [
    "SECRET",
    "Plan",
    "is_helm_release",
    "is_kubernetes_object",
    "manifests",
    "plain",
    "plan_document",
    "plan_json",
    "render_tree",
    "secret_inputs",
    "short_type",
    "write_plan",
]
