"""Golden plans: tests/golden/<stack>.json, the sorted, stable plan of every stack file.

Any change to what a stack would build shows up as a diff of its golden file in review.
`python -m testbed golden --update` (or TESTBED_UPDATE_GOLDEN=1 when running pytest) rewrites them.
"""

from __future__ import annotations

from pathlib import Path

from testbed.engine import PROJECT_ROOT

GOLDEN_DIR = PROJECT_ROOT / "tests" / "golden"

PLANNED_ON = "2026-11-27"
"""The day golden plans are made on (TESTBED_TODAY), so that a plan's warnings about version support
do not change with the calendar; `check` judges support on the real date."""


def golden_path(stack: str) -> Path:
    return GOLDEN_DIR / f"{stack}.json"


def is_current(stack: str, plan_json: str) -> bool:
    path = golden_path(stack)
    return path.exists() and path.read_text() == plan_json


def write(stack: str, plan_json: str) -> Path:
    GOLDEN_DIR.mkdir(parents=True, exist_ok=True)
    path = golden_path(stack)
    path.write_text(plan_json)
    return path
