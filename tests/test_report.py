"""The experiment report: results.json, report.md, timeline.png and the raw events, from fixed results."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PIL import Image

from stacks.experiments.model import experiments_for, repeat_event
from testbed.experiments.report import checks, render_markdown, write_results
from testbed.experiments.timeline import NO_CONNECTION, ONE_SHOT, experiment_timeline, limits
from testbed.stackfile import read_stack_config
from tests.experiment_data import DATA, alb_results, recorded

ROOT = Path(__file__).resolve().parents[1]
CLIENT = ROOT / "k8s" / "apps" / "keepalive" / "client.py"
ALB_LIMITS = {"idle": ("idle 60 s", 60.0), "keepalive": ("keep-alive 20 s", 20.0)}


def test_recorded_lines_have_the_clients_keys(tmp_path):
    """Every recorded line has exactly the keys the real client prints (run here against a closed port)."""
    env = {"HOST": "127.0.0.1", "PORT": "9", "TIMEOUT": "2", "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, str(CLIENT), "0", "1"], env=env, capture_output=True, text=True, timeout=30, check=False
    )
    real = {line["event"]: set(line) for line in map(json.loads, result.stdout.splitlines())}
    assert set(real) == {"start", "request", "summary"}
    for path in sorted(DATA.glob("*.jsonl")):
        for line in recorded(path.stem):
            assert set(line) == real[line["event"]], (path.name, line["event"])


def test_write_results_writes_the_four_parts(tmp_path):
    results = alb_results()
    written = write_results(results, tmp_path / "r")
    out = tmp_path / "r"
    assert written == [out / "results.json", out / "report.md", out / "timeline.png", out / "events"]
    assert json.loads((out / "results.json").read_text()) == results
    for entry in results["experiments"]:
        lines = (out / "events" / f"{entry['name']}.jsonl").read_text().splitlines()
        assert [json.loads(line) for line in lines] == entry["events"]
    with Image.open(out / "timeline.png") as png:
        width, height = png.size
    assert png.format == "PNG" and width >= 1200 and height >= 600
    assert [p.name for p in tmp_path.iterdir()] == ["r"], "the staging folder is gone"


def test_report_md_has_a_table_per_experiment_and_the_header():
    text = render_markdown(alb_results(interval70_events="alb-interval30"))
    assert text.startswith("# alb-keepalive: experiment results (cloud)\n")
    assert "- verdicts: 2 as expected, 1 unexpected" in text
    header = text[: text.index("![timeline](timeline.png)")]
    assert "| `testbed:alb.idleTimeoutSeconds` | 60 |" in header
    assert "| `testbed:server.keepAliveSeconds` | 20 |" in header
    assert "nodeGroups" not in header and "more settings in results.json |" in header
    assert "## interval70 (client.py every 70 s, 3 requests, through the ALB): ❌ unexpected" in text
    assert "| the client makes 3 requests | 3 requests | 4 requests | **no** |" in text
    reopened = "| from request 2 on: connection == 'reopened' | connection == 'reopened' | request 2: connection="
    assert reopened in text
    assert "## interval3 (client.py every 3 s, 10 requests, through the ALB): ✅ as expected" in text
    assert "Raw events: [`events/interval3.jsonl`](events/interval3.jsonl) (10 request(s), 0 failed, 2 other" in text
    anchor = "#interval70-clientpy-every-70-s-3-requests-through-the-alb--unexpected"
    assert f"| [interval70]({anchor}) | ❌ unexpected | 4 (0) |" in text
    assert text.count("| check | expected | observed | ok |") == 3


def test_report_cells_escape_pipes_and_say_what_a_target_could_not_show():
    entry = {
        "name": "x",
        "verdict": "as expected",
        "expected": ["a | b"],
        "observed": [{"check": "a | b", "expected": "a | b", "observed": "c", "ok": True}],
        "not_covered": [{"check": "cross-zone", "why": "one zone in the lab"}],
        "events": [],
    }
    text = render_markdown({"stack": "s", "target": "lab", "experiments": [entry]})
    assert "| a \\| b | (as the check says) | c | yes |" in text
    assert "> not shown on this target: cross-zone: one zone in the lab" in text


def test_report_says_why_a_run_stopped_and_what_was_not_shown():
    results = {
        "stack": "nlb-keepalive",
        "target": "lab",
        "notes": ["the lab has no cross-zone load balancing"],
        "experiments": [
            {
                "name": "interval70",
                "verdict": "error",
                "error": "the client died after 1 of 3 requests",
                "expected": [{"check": "both pods answer", "expected": True}],
                "observed": [{"check": "both pods answer", "observed": None, "ok": None, "note": "one pod here"}],
                "events": [],
            }
        ],
    }
    text = render_markdown({**results, "time_scale": 0.1})
    assert "- time scale: 0.1 (every timeout and interval of the config multiplied by it)" in text
    assert "- note: the lab has no cross-zone load balancing" in text
    assert "## interval70: ⚠️ error" in text
    assert "Stopped: the client died after 1 of 3 requests" in text
    assert "| both pods answer | true | null | not shown |" in text
    assert "> both pods answer: one pod here" in text


def test_checks_join_expected_and_observed_by_name():
    entry = {
        "expected": [{"check": "a", "expected": 1}, {"check": "b", "expected": 2}],
        "observed": [{"check": "b", "observed": 3, "ok": False}],
    }
    assert checks(entry) == [{"check": "a", "expected": 1}, {"check": "b", "expected": 2, "observed": 3, "ok": False}]


def test_rewriting_replaces_the_runs_files_and_keeps_others(tmp_path):
    out = tmp_path / "r"
    write_results(alb_results(), out)
    (out / "notes.txt").write_text("mine")
    (out / "events" / "stale.jsonl").write_text("{}\n")
    smaller = alb_results()
    smaller["experiments"] = smaller["experiments"][:1]
    write_results(smaller, out)
    assert (out / "notes.txt").read_text() == "mine"
    assert sorted(p.name for p in (out / "events").iterdir()) == ["interval3.jsonl"]
    assert len(json.loads((out / "results.json").read_text())["experiments"]) == 1


def test_timeline_of_the_70s_run_shows_the_albs_fin_at_the_idle_timeout():
    timeline = experiment_timeline("interval70", "as expected", recorded("alb-interval70"), ALB_LIMITS)
    assert timeline.lanes == ["conn 1 :45210", "conn 2 :45217", "conn 3 :45224"]
    fins = [m for m in timeline.marks if m.kind == "fin"]
    assert [m.lane for m in fins] == ["conn 1 :45210", "conn 2 :45217"]
    assert fins[0].t == pytest.approx(60.0 + 0.00247 + 0.006, abs=0.01)
    assert fins[0].label == "FIN after 60.006 s idle"
    assert [m.kind for m in timeline.marks if m.kind != "fin"] == ["new", "reopened", "reopened"]
    idle = [s for s in timeline.spans if s.kind == "idle"]
    assert idle[0].end == pytest.approx(fins[0].t, abs=0.01), "the idle span ends where the FIN came"
    assert timeline.end == pytest.approx(140.007, abs=0.01)


def test_timeline_of_the_30s_run_shows_the_backend_replaced_on_one_client_connection():
    timeline = experiment_timeline("interval30", "as expected", recorded("alb-interval30"), ALB_LIMITS)
    assert timeline.lanes == ["conn 1 :45210"]
    assert [m.kind for m in timeline.marks if m.kind != "backend"] == ["new", "reused", "reused", "reused"]
    assert len([m for m in timeline.marks if m.kind == "backend"]) == 3
    keepalive = [s for s in timeline.spans if s.kind == "keepalive"]
    assert [round(s.end - s.start) for s in keepalive] == [20, 20, 20, 0]


def test_timeline_of_the_silent_drop_has_an_rst_and_no_fin():
    limit = {"idle": ("idle 60 s", 60.0), "keepalive": ("keep-alive 120 s", 120.0)}
    timeline = experiment_timeline("drop", "as expected", recorded("nlb-silent-drop-interval70"), limit)
    kinds = [(m.kind, m.label) for m in timeline.marks]
    assert kinds == [("new", ""), ("failed", "#2 reset"), ("rst", "RST in answer to #2"), ("reopened", "")]
    idle = next(s for s in timeline.spans if s.kind == "idle")
    assert idle.end - idle.start == pytest.approx(60.0), "the NLB forgets the flow with nothing on the wire"


def test_timeline_puts_requests_without_a_connection_on_their_own_lane():
    timeline = experiment_timeline("refused", "error", recorded("loopback-refused"), {})
    assert timeline.lanes == [NO_CONNECTION]
    assert [m.label for m in timeline.marks] == ["#1-#2 refused (2)", ""], "failures in a row: one label"
    assert timeline.lifetimes == {}


def test_limits_come_from_the_config_scaled_or_from_the_experiment():
    config = {"testbed:alb": '{"idleTimeoutSeconds": 60}', "testbed:server": '{"keepAliveSeconds": 20}'}
    assert limits(config, {}) == {
        "idle": ("alb.idleTimeoutSeconds 60 s", 60.0),
        "keepalive": ("server.keepAliveSeconds 20 s", 20.0),
    }
    scaled = limits(config, {}, time_scale=0.1)
    assert scaled["idle"][1] == pytest.approx(6.0) and scaled["keepalive"][1] == pytest.approx(2.0)
    nlb = limits({"testbed:nlb": {"tcpIdleTimeoutSeconds": 350}}, {})
    assert nlb == {"idle": ("nlb.tcpIdleTimeoutSeconds 350 s", 350.0)}
    assert limits(config, {"timeouts": {"idle": 6}}) == {"idle": ("6 s", 6.0)}
    bed = {"server.keepAliveSeconds": 2, "alb.idleTimeoutSeconds": 6.0}
    assert limits(config, {"bed": bed}, time_scale=0.1) == {
        "keepalive": ("server.keepAliveSeconds 2 s", 2.0),
        "idle": ("alb.idleTimeoutSeconds 6 s", 6.0),
    }


def _graceful_events() -> list[dict]:
    """alb-graceful's shape: one-shot curl requests 0.05 s apart, a scale-in at 3 s, two 502s after it."""
    experiment = next(e for e in experiments_for("alb-graceful", read_stack_config("alb-graceful")))
    start = datetime(2026, 11, 20, 9, 0, 0, tzinfo=UTC)
    events: list[dict] = []
    for seq in range(1, 121):
        at = (start + timedelta(seconds=seq * 0.05)).isoformat().replace("+00:00", "Z")
        status = 502 if seq in (70, 71) else 200
        output = f"<h1>ok</h1>\nstatus={status}\n"
        events.append(repeat_event(experiment, seq, exit_code=0, output=output, time=at))
    scale_in = (start + timedelta(seconds=3)).isoformat().replace("+00:00", "Z")
    events.insert(60, {"kind": "action", "time": scale_in, "description": "scale in while the load runs"})
    return events


def test_timeline_of_one_shot_requests_has_one_lane_the_action_and_the_failures():
    timeline = experiment_timeline("scaleIn", "unexpected", _graceful_events(), ALB_LIMITS)
    assert timeline.lanes == [ONE_SHOT]
    assert [m.label for m in timeline.marks if m.kind == "failed"] == ["#70-#71 status 502 (2)", ""]
    assert timeline.spans == [] and timeline.limits == {}, "no idle limits on connections used once"
    assert sum(1 for m in timeline.marks if m.kind == "new") == 118
    assert timeline.actions == [(pytest.approx(2.95), "scale in while the load runs")]
