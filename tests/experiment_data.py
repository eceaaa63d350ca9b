"""Recorded client.py output for the experiment tests (tests/data/experiments/*.jsonl).

`loopback-*` were recorded by running k8s/apps/keepalive/client.py against app.py under
gunicorn (--keep-alive 2) on 127.0.0.1; the `alb-*` and `nlb-*` files hold seed 000's cloud runs
(ALB idle timeout 60 s, gunicorn keep-alive 20 s; NLB idle 60 s, keep-alive 120 s) written
line for line in client.py's format, which `test_recorded_lines_have_the_clients_keys` pins.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from stacks.experiments.model import experiments_for, judge
from testbed.stackfile import read_stack_config

DATA = Path(__file__).resolve().parent / "data" / "experiments"


def recorded(name: str) -> list[dict[str, Any]]:
    """The JSON lines of tests/data/experiments/<name>.jsonl."""
    return [json.loads(line) for line in (DATA / f"{name}.jsonl").read_text().splitlines() if line.strip()]


def alb_results(*, interval70_events: str = "alb-interval70") -> dict[str, Any]:
    """Results of alb-keepalive's three runs from the recorded lines, judged by the real judge, as `run` builds them.

    `interval70_events` swaps in another recording for the 70 s run (e.g. "alb-interval30": unexpected).
    """
    config = read_stack_config("alb-keepalive")
    runs = {e.name: e for e in experiments_for("alb-keepalive", config)}
    recordings = {"interval3": "alb-interval3", "interval30": "alb-interval30", "interval70": interval70_events}
    entries = [
        {**judge(runs[name], recorded(recording)), "bed": dict(runs[name].bed)}
        for name, recording in recordings.items()
    ]
    return {"stack": "alb-keepalive", "target": "cloud", "config": config, "experiments": entries}
