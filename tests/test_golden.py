"""Golden plans: any change to what a stack would build must show up in review.

On purpose: `TESTBED_UPDATE_GOLDEN=1 pytest tests/test_golden.py` or `python -m testbed golden --update`.
"""

from __future__ import annotations

import difflib
import os

import pytest

from testbed import golden
from testbed.plan import Plan, plan_json
from testbed.stackfile import known_stacks, read_stack_config


@pytest.mark.parametrize("stack", known_stacks())
def test_plan_matches_its_golden_file(plan_stack, stack):
    scenario = read_stack_config(stack).get("testbed:scenario", stack)
    text = plan_json(Plan(scenario, plan_stack(stack)))
    if os.environ.get("TESTBED_UPDATE_GOLDEN"):
        golden.write(stack, text)
    path = golden.golden_path(stack)
    assert path.exists(), f"no {path}: run python -m testbed golden --update"
    if not golden.is_current(stack, text):
        diff = difflib.unified_diff(path.read_text().splitlines(), text.splitlines(), "golden", "now", lineterm="", n=2)
        shown = "\n".join(list(diff)[:80])
        pytest.fail(f"{stack}: the plan changed (python -m testbed golden --update if intended):\n{shown}")


def test_golden_files_belong_to_stacks():
    orphans = {p.stem for p in golden.GOLDEN_DIR.glob("*.json")} - set(known_stacks())
    assert not orphans, f"golden files without a stack file: {sorted(orphans)}"
