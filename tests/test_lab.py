"""`python -m testbed lab` for real: nginx and conntrack as the load balancers, the pods' gunicorn
and client.py, at --time-scale 0.1. The expected verdicts and numbers are seed 000's findings
(research/lab.md), scaled: ALB idle 60 s -> 6 s, keep-alive 20 s -> 2 s, NLB silent drop with
idle 60 s -> 6 s and keep-alive 120 s -> 12 s.

The lab runs start side by side (they mostly wait), as root; without root they are skipped.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from stacks.experiments.predicates import Near
from testbed.lab import beds
from testbed.lab.runner import lab_kind, select
from testbed.lab.system import LabUnavailable, require
from testbed.stackfile import with_override

ROOT = Path(__file__).resolve().parents[1]
SCALE = ["--time-scale", "0.1"]
RUNS = {
    "alb": ["alb-keepalive", *SCALE],
    "nlb": ["nlb-keepalive", *SCALE],
    "nlb-drop-config": [
        "nlb-keepalive",
        *SCALE,
        "-c",
        "testbed:nlb.tcpIdleTimeoutSeconds=60",
        "-c",
        "testbed:server.keepAliveSeconds=120",
        "interval30",
        "interval70",
    ],
    "alb-idle40": ["alb-keepalive", *SCALE, "-c", "testbed:alb.idleTimeoutSeconds=40", "interval30", "interval70"],
}
LIMIT_SECONDS = 120  # the issue: each lab run under 2 minutes


def lab(args: list[str], out: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "testbed", "lab", *args, "--out", str(out)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, dict]:
    """name -> {returncode, stderr, seconds, results}: every lab run of RUNS, side by side."""
    if os.geteuid() != 0:
        pytest.skip("the lab's NLB beds make network namespaces: run the tests as root")
    base = tmp_path_factory.mktemp("lab")
    started = time.monotonic()
    processes = {name: lab(args, base / name) for name, args in RUNS.items()}
    done = {}
    for name, process in processes.items():
        try:
            _, stderr = process.communicate(timeout=LIMIT_SECONDS * 2)
        except subprocess.TimeoutExpired:
            for other in processes.values():
                other.kill()
            pytest.fail(f"lab run {name} still running after {LIMIT_SECONDS * 2} s")
        results_file = base / name / "results.json"
        done[name] = {
            "returncode": process.returncode,
            "stderr": stderr,
            "seconds": time.monotonic() - started,
            "results": json.loads(results_file.read_text()) if results_file.exists() else None,
        }
    return done


def experiments(run: dict) -> dict[str, dict]:
    return {entry["name"]: entry for entry in run["results"]["experiments"]}


def requests(entry: dict) -> list[dict]:
    return [event for event in entry["events"] if event.get("event") == "request"]


@pytest.mark.parametrize("name", list(RUNS))
def test_every_verdict_is_as_expected_within_two_minutes(runs, name):
    run = runs[name]
    assert run["returncode"] == 0, run["stderr"][-3000:]
    assert run["results"]["target"] == "lab" and run["results"]["time_scale"] == 0.1
    assert {entry["name"]: entry["verdict"] for entry in run["results"]["experiments"]} == dict.fromkeys(
        {
            "alb": ["interval3", "interval30", "interval70"],
            "nlb": ["interval3", "interval30", "interval70", "silentDrop"],
        }.get(name, ["interval30", "interval70"]),
        "as expected",
    )
    assert run["seconds"] < LIMIT_SECONDS


def test_alb_reuses_then_replaces_the_backend_then_reopens_after_the_proxys_fin(runs):
    by_name = experiments(runs["alb"])
    fast = requests(by_name["interval3"])
    assert [r["connection"] for r in fast] == ["new"] + ["reused"] * 9
    assert len({r["server_peer"] for r in fast}) == 1
    thirty = requests(by_name["interval30"])
    assert [r["connection"] for r in thirty] == ["new", "reused", "reused", "reused"]
    assert len({r["server_peer"] for r in thirty}) == 4, "nginx opened a new backend connection per request"
    seventy = requests(by_name["interval70"])
    assert [(r["connection"], r["reason"]) for r in seventy[1:]] == [("reopened", "peer FIN while idle")] * 2
    assert all(abs(r["peer_closed_after_s"] - 6) < 0.2 for r in seventy[1:])


def test_nlb_passes_the_servers_fin_at_its_keep_alive(runs):
    by_name = experiments(runs["nlb"])
    for name in ("interval30", "interval70"):
        later = requests(by_name[name])[1:]
        assert {(r["connection"], r["reason"]) for r in later} == {("reopened", "peer FIN while idle")}
        assert all(abs(r["peer_closed_after_s"] - 2) < 0.2 for r in later), "gunicorn's keep-alive, 20 s / 10"
        assert by_name[name]["events"][-1] == {
            "kind": "lab",
            "event": "lb-resets",
            "forgotten_forward": 0,
            "forgotten_input": 0,
        }


@pytest.mark.parametrize(("run", "experiment"), [("nlb", "silentDrop"), ("nlb-drop-config", "interval70")])
def test_nlb_silent_drop_resets_request_2_with_no_fin_before_it(runs, run, experiment):
    entry = experiments(runs[run])[experiment]
    _, second, third = requests(entry)
    assert second["connection"] == "reused", "no FIN or RST reached the client while idle"
    assert second["error"].startswith("reset") and second["ok"] is False
    assert (third["connection"], third["reason"], third["ok"]) == ("reopened", "previous request failed (reset)", True)
    [bed] = [e for e in entry["events"] if e.get("event") == "bed"]
    assert (bed["conntrack_tcp_timeout_established_s"], bed["keep_alive_s"]) == (6, 12)
    assert entry["events"][-1]["forgotten_input"] >= 1, "the lb answered the forgotten flow with a reset"


def test_a_longer_keep_alive_than_interval_keeps_the_nlb_connection(runs):
    thirty = requests(experiments(runs["nlb-drop-config"])["interval30"])
    assert [r["connection"] for r in thirty] == ["new", "reused", "reused", "reused"]


def test_the_alb_idle_timeout_moves_the_expectation_and_the_lab_agrees(runs):
    entry = experiments(runs["alb-idle40"])["interval70"]
    assert "from request 2 on: peer_closed_after_s within 4 ± 0.2 s (the ALB's idle timeout)" in [
        row["check"] for row in entry["expected"]
    ]
    assert all(abs(r["peer_closed_after_s"] - 4) < 0.2 for r in requests(entry)[1:])


def test_the_lab_removes_its_namespaces(runs):
    made = [
        ns
        for run in runs.values()
        for entry in run["results"]["experiments"]
        for event in entry["events"]
        if event.get("event") == "bed"
        for ns in event.get("namespaces", [])
    ]
    assert len(made) == 3 * (4 + 2)
    listed = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True, check=True).stdout
    assert not [ns for ns in made if ns in listed]


def test_ctrl_c_takes_the_bed_down_and_keeps_what_it_has(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("the NLB bed needs root")
    process = lab(["nlb-keepalive", *SCALE, "interval70"], tmp_path / "r")
    time.sleep(4)  # past the first request, into the 7 s idle wait
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    results = json.loads((tmp_path / "r" / "results.json").read_text())
    [entry] = results["experiments"]
    assert (entry["verdict"], entry["error"], results["interrupted"]) == ("error", "interrupted", True)
    [bed] = [e for e in entry["events"] if e.get("event") == "bed"]
    listed = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True, check=True).stdout
    assert not [ns for ns in bed["namespaces"] if ns in listed]


# ---- without running a bed ----------------------------------------------------------------------


def test_nginx_is_configured_as_the_alb(tmp_path):
    text = beds.nginx_config(workdir=tmp_path, listen_port=18080, server_port=18000, idle_seconds=6)
    for line in (
        "keepalive_timeout 6000ms;",
        "listen 127.0.0.1:18080;",
        "server 127.0.0.1:18000;",
        "proxy_http_version 1.1;",
        'proxy_set_header Connection "";',
        "keepalive 8;",
    ):
        assert line in text
    assert text.count("keepalive_timeout 6000ms;") == 2, "client side and backend side"


def test_nft_rules_dnat_the_listener_and_reset_forgotten_flows():
    rules = beds.nft_rules()
    assert "ip daddr 198.18.1.2 tcp dport 80 dnat to 198.18.2.2:8000" in rules
    assert rules.count("ct state invalid counter reject with tcp reset") == 2


def test_other_scenarios_are_one_line_saying_the_lab_does_not_cover_them():
    with pytest.raises(LabUnavailable) as caught:
        lab_kind("alb-canary", {})
    assert str(caught.value) == (
        "the lab covers alb-keepalive and nlb-keepalive; alb-canary (alb-canary) runs only against a deployed stack: "
        "python -m testbed run"
    )
    assert lab_kind("mine", {"testbed:scenario": "nlb-keepalive"}) == "nlb"


def test_an_unknown_experiment_names_the_known_ones():
    from stacks.experiments.model import experiments_for
    from testbed.stackfile import read_stack_config

    found = experiments_for("alb-keepalive", read_stack_config("alb-keepalive"))
    with pytest.raises(LabUnavailable, match="unknown experiment 'interval5'; this stack has: interval3, interval30"):
        select(found, ["interval5"])
    assert [e.name for e in select(found, ["interval70", "interval3"])] == ["interval3", "interval70"]


def test_the_nlb_lab_without_root_says_so(monkeypatch):
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    with pytest.raises(LabUnavailable, match=r"^the NLB lab makes network namespaces and needs root"):
        require("nlb")


def test_cli_refuses_in_one_line(tmp_path):
    for args, message in (
        (["eks-base"], "the lab covers alb-keepalive and nlb-keepalive; eks-base (eks-base) runs only"),
        (["nlb-keepalive", "nosuch"], "unknown experiment 'nosuch'; this stack has: interval3"),
        (["alb-keepalive", "--time-scale", "5"], "--time-scale 5: must be between 0.01 and 1"),
        (["alb-keepalive", "-c", "testbed:alb.idleTimeoutSeconds=0"], "testbed:alb.idleTimeoutSeconds: 0: at least 1"),
    ):
        done = subprocess.run(
            [sys.executable, "-m", "testbed", "lab", *args, "--out", str(tmp_path / "r")],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 2, done.stderr
        assert len(done.stderr.strip().splitlines()) == 1 and done.stderr.startswith(message), done.stderr
        assert not (tmp_path / "r").exists()


def test_config_paths_set_one_field_and_keep_the_rest():
    config = {"testbed:nlb": json.dumps({"crossZone": True})}
    assert json.loads(with_override(config, "testbed:nlb.tcpIdleTimeoutSeconds", 60)["testbed:nlb"]) == {
        "crossZone": True,
        "tcpIdleTimeoutSeconds": 60,
    }
    assert json.loads(with_override({}, "testbed:server.keepAliveSeconds", 120)["testbed:server"]) == {
        "keepAliveSeconds": 120
    }
    assert with_override({}, "testbed:clusterName", "demo") == {"testbed:clusterName": "demo"}
    with pytest.raises(ValueError, match="holds 'demo', not an object"):
        with_override({"testbed:clusterName": "demo"}, "testbed:clusterName.x", 1)


def test_near_in_the_scaled_expectation_is_the_beds_value():
    from stacks.experiments.model import experiments_for
    from testbed.stackfile import read_stack_config

    [*_, seventy] = experiments_for("alb-keepalive", read_stack_config("alb-keepalive"), time_scale=0.1)
    [near] = [e for e in seventy.expectations if isinstance(e, Near)]
    assert near.target == seventy.bed["alb.idleTimeoutSeconds"] == 6
