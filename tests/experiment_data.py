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

DATA = Path(__file__).resolve().parent / "data" / "experiments"


def recorded(name: str) -> list[dict[str, Any]]:
    """The JSON lines of tests/data/experiments/<name>.jsonl."""
    return [json.loads(line) for line in (DATA / f"{name}.jsonl").read_text().splitlines() if line.strip()]


def alb_results(verdict70: str = "as expected") -> dict[str, Any]:
    """A results dict for alb-keepalive's three runs, as `run` hands it to the report."""
    return {
        "stack": "alb-keepalive",
        "target": "cloud",
        "config": {
            "aws:region": "ap-northeast-2",
            "testbed:scenario": "alb-keepalive",
            "testbed:alb": json.dumps({"idleTimeoutSeconds": 60, "clientKeepAliveSeconds": 3600}),
            "testbed:server": json.dumps({"keepAliveSeconds": 20, "timeoutSeconds": 10}),
        },
        "experiments": [
            {
                "name": "interval3",
                "verdict": "as expected",
                "expected": [{"check": "connection from request 2", "expected": "reused"}],
                "observed": [{"check": "connection from request 2", "observed": ["reused"] * 9, "ok": True}],
                "events": recorded("alb-interval3"),
            },
            {
                "name": "interval30",
                "verdict": "as expected",
                "expected": [{"check": "server_peer differs between requests", "expected": True}],
                "observed": [{"check": "server_peer differs between requests", "observed": True, "ok": True}],
                "events": recorded("alb-interval30"),
            },
            {
                "name": "interval70",
                "verdict": verdict70,
                "expected": [
                    {"check": "reason from request 2", "expected": "peer FIN while idle"},
                    {"check": "peer_closed_after_s", "expected": "60 ± 2"},
                ],
                "observed": [
                    {"check": "reason from request 2", "observed": ["peer FIN while idle"] * 2, "ok": True},
                    {"check": "peer_closed_after_s", "observed": [60.006, 60.009], "ok": verdict70 == "as expected"},
                ],
                "notes": ["the ALB's FIN | timing comes from the client's clock"],
                "events": recorded("alb-interval70"),
            },
        ],
    }
