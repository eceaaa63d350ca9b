"""`python -m testbed run` end to end, against fake `pulumi` and `kubectl` replaying recorded client output."""

from __future__ import annotations

import http.server
import itertools
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from testbed.__main__ import main
from tests.fake_tools import calls, install, pids

ROOT = Path(__file__).resolve().parents[1]
STACK = "alb-keepalive"
KUBECONFIG = {
    "apiVersion": "v1",
    "kind": "Config",
    "clusters": [{"name": "c", "cluster": {"server": "https://0123ABCD.gr7.ap-northeast-2.eks.amazonaws.com"}}],
}
OUTPUTS = {
    "region": "ap-northeast-2",
    "clusterName": STACK,
    "loadBalancerDnsName": "internal-k8s-alb-keepalive-1234567890.ap-northeast-2.elb.amazonaws.com",
    "kubeconfig": KUBECONFIG,
}
REPLAYS = {
    "3": {"replay": "alb-interval3", "pace": 0.01},
    "30": {"replay": "alb-interval30", "pace": 0.01},
    "70": {"replay": "alb-interval70", "pace": 0.01},
}


def state(**kubectl: Any) -> dict[str, Any]:
    return {"pulumi": {"stacks": {STACK: OUTPUTS}}, "kubectl": {"rollout": "ready", "exec": REPLAYS, **kubectl}}


def run_cli(tmp_path: Path, *args: str, tools_state: dict[str, Any], tools=("pulumi", "kubectl"), timeout=120):
    """`python -m testbed <args>` with only the fake tools on PATH; (result, log of their calls)."""
    log = install(tmp_path, tools_state, tools=tools)
    env = {**os.environ, "PATH": str(tmp_path / "bin")}
    env.pop("KUBECONFIG", None)
    result = subprocess.run(
        [sys.executable, "-m", "testbed", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    return result, log


@pytest.fixture
def cli(tmp_path, monkeypatch, capsys):
    """`python -m testbed <args>` in this process (the imports are paid once), the fake tools alone on PATH."""

    def run(*args: str, tools_state: dict[str, Any], tools=("pulumi", "kubectl")):
        log = install(tmp_path, tools_state, tools=tools)
        monkeypatch.setenv("PATH", str(tmp_path / "bin"))
        monkeypatch.delenv("KUBECONFIG", raising=False)
        capsys.readouterr()
        code = main(list(args))
        captured = capsys.readouterr()
        return subprocess.CompletedProcess(list(args), code, captured.out, captured.err), log

    return run


def results_of(out: Path) -> dict[str, Any]:
    return json.loads((out / "results.json").read_text())


def verdicts(out: Path) -> dict[str, str]:
    return {e["name"]: e["verdict"] for e in results_of(out)["experiments"]}


def test_run_reads_outputs_with_the_automation_api_runs_every_experiment_and_writes_the_report(tmp_path):
    out = tmp_path / "r"
    result, log = run_cli(tmp_path, "run", STACK, "--out", str(out), tools_state=state())
    assert result.returncode == 0, result.stderr
    assert verdicts(out) == {"interval3": "as expected", "interval30": "as expected", "interval70": "as expected"}
    results = results_of(out)
    assert results["stack"] == STACK and results["target"] == "cloud"
    assert results["config"]["testbed:scenario"] == STACK
    assert all((out / name).exists() for name in ("report.md", "timeline.png", "events/interval70.jsonl"))
    made = calls(log)
    pulumi = [c[1:] for c in made if c[0] == "pulumi"]
    assert pulumi == [
        ["version"],
        ["--non-interactive", "stack", "select", "--stack", STACK],
        ["--non-interactive", "stack", "output", "--json", "--stack", STACK],
        ["--non-interactive", "stack", "output", "--json", "--show-secrets", "--stack", STACK],
    ]
    kubeconfigs = [c for c in made if c[0] == "kubeconfig"]
    assert {json.dumps(json.loads(c[1]), sort_keys=True) for c in kubeconfigs} == {
        json.dumps(KUBECONFIG, sort_keys=True)
    }
    assert {c[2] for c in kubeconfigs} == {"0o600"}, "the stack's kubeconfig is private to us"
    execs = [c[c.index("--") + 1 :] for c in made if c[0] == "kubectl" and "exec" in c]
    assert execs == [
        ["python", "client.py", "3", "10"],
        ["python", "client.py", "30", "4"],
        ["python", "client.py", "70", "3"],
    ]
    exec_call = next(c for c in made if c[0] == "kubectl" and "exec" in c)
    assert exec_call[3:9] == ["-n", "client", "exec", "deploy/client", "-c", "client"]
    assert sum(1 for c in made if c[0] == "kubectl" and "rollout" in c) == 1
    assert "request 10/10 ok, reused" in result.stderr, "plain progress lines when stderr is not a terminal"
    assert "wrote " in result.stderr and "3 as expected" in result.stderr


def test_an_unknown_experiment_is_one_line(cli, tmp_path):
    result, _ = cli("run", STACK, "interval5", "--out", str(tmp_path / "r"), tools_state=state())
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1] == (
        "run: unknown experiment(s) interval5 for alb-keepalive; known: interval3, interval30, interval70"
    )


def test_pod_not_ready_is_one_line_and_a_report_of_errors(cli, tmp_path):
    out = tmp_path / "r"
    result, log = cli("run", STACK, "--out", str(out), tools_state=state(rollout="not ready"))
    assert result.returncode == 1
    problem = (
        "the client pod is not ready after 30 s (error: timed out waiting for the condition): "
        "`kubectl -n client describe pods` says why"
    )
    assert f"interval3: error: not run: {problem}" in result.stderr.splitlines()
    assert verdicts(out) == {"interval3": "error", "interval30": "error", "interval70": "error"}
    assert results_of(out)["experiments"][0]["error"] == f"not run: {problem}"
    assert sum(1 for c in calls(log) if c[0] == "kubectl" and "rollout" in c) == 1, "checked once, not per experiment"


def test_an_unreachable_cluster_says_so(cli, tmp_path):
    out = tmp_path / "r"
    result, _ = cli("run", STACK, "interval3", "--out", str(out), tools_state=state(rollout="unreachable"))
    assert result.returncode == 1
    assert (
        "interval3: error: not run: kubectl cannot reach the cluster (Unable to connect to the server: dial tcp:"
        in (result.stderr)
    )


def test_connection_refused_is_reported_per_request_and_judged(cli, tmp_path):
    out = tmp_path / "r"
    refused = {"3": {"replay": "loopback-refused", "pace": 0.01}}
    result, _ = cli("run", STACK, "interval3", "--out", str(out), tools_state=state(exec=refused))
    assert result.returncode == 1
    assert "interval3: request 1/10 FAILED, new, refused: [Errno 111] Connection refused" in result.stderr
    assert verdicts(out) == {"interval3": "unexpected"}
    observed = {row["check"]: row for row in results_of(out)["experiments"][0]["observed"]}
    assert observed["the client makes 10 requests"]["observed"] == "2 requests"


def test_a_client_that_dies_mid_run_leaves_a_partial_report(cli, tmp_path):
    out = tmp_path / "r"
    dies = {
        **REPLAYS,
        "70": {
            "replay": "alb-interval70",
            "pace": 0.01,
            "die_after": 2,
            "stderr": "command terminated with exit code 137",
        },
    }
    result, _ = cli("run", STACK, "--out", str(out), tools_state=state(exec=dies))
    assert result.returncode == 1
    message = "the client stopped after 1 of 3 requests (exit 137): command terminated with exit code 137"
    assert f"interval70: error: {message} (1/3 requests, 0 s)" in result.stderr.splitlines()
    assert verdicts(out) == {"interval3": "as expected", "interval30": "as expected", "interval70": "error"}
    entry = results_of(out)["experiments"][2]
    assert entry["error"] == message
    raw = [json.loads(line) for line in (out / "events" / "interval70.jsonl").read_text().splitlines()]
    assert [e.get("event", e.get("kind")) for e in raw] == ["start", "request", "error"]


def test_a_client_that_cannot_start_in_the_pod_is_one_line(cli, tmp_path):
    out = tmp_path / "r"
    broken = {"3": {"stderr": 'error: unable to upgrade connection: container not found ("client")', "exit": 1}}
    result, _ = cli("run", STACK, "interval3", "--out", str(out), tools_state=state(exec=broken))
    assert result.returncode == 1
    expected = (
        "interval3: error: the client is not deployed (error: unable to upgrade connection: container not found "
        '("client")): is the stack up? `pulumi up -s alb-keepalive` builds it'
    )
    assert expected in result.stderr.splitlines()
    assert verdicts(out) == {"interval3": "error"}


def test_an_experiment_needing_other_config_is_not_run_and_says_what_to_set(cli, tmp_path):
    out = tmp_path / "r"
    nlb = {"pulumi": {"stacks": {"nlb-keepalive": OUTPUTS}}, "kubectl": {"rollout": "ready", "exec": REPLAYS}}
    result, log = cli("run", "nlb-keepalive", "silentDrop", "--out", str(out), tools_state=nlb)
    assert result.returncode == 1
    entry = results_of(out)["experiments"][0]
    assert entry["verdict"] == "error"
    assert entry["error"] == (
        "not run: needs `pulumi config set --path testbed:nlb.tcpIdleTimeoutSeconds 60; pulumi config set --path "
        "testbed:server.keepAliveSeconds 120` and `pulumi up -s nlb-keepalive` first"
    )
    assert not [c for c in calls(log) if c[0] == "kubectl" and "exec" in c]


@pytest.mark.parametrize(
    ("pulumi", "line"),
    [
        (
            {"stacks": {STACK: {}}},
            "run: stack 'alb-keepalive' has no outputs: it is not up; run `pulumi up -s alb-keepalive` first",
        ),
        (
            {"stacks": {}},
            "run: stack 'alb-keepalive' does not exist in this project's backend: deploy it first with "
            "`pulumi up -s alb-keepalive`",
        ),
        (
            {
                "fail": "error: getting secrets manager: passphrase must be set with PULUMI_CONFIG_PASSPHRASE or "
                "PULUMI_CONFIG_PASSPHRASE_FILE environment variables"
            },
            "run: pulumi needs the stack's passphrase: set PULUMI_CONFIG_PASSPHRASE (or _FILE) and rerun "
            "`run alb-keepalive`",
        ),
        (
            {"fail": "error: PULUMI_ACCESS_TOKEN must be set for login during non-interactive CLI sessions"},
            "run: pulumi is not logged in to the backend: run `pulumi login` (this project's Pulumi.yaml names "
            "its backend)",
        ),
    ],
    ids=["not up", "no such stack", "no passphrase", "not logged in"],
)
def test_stack_problems_are_one_line_and_write_nothing(cli, tmp_path, pulumi, line):
    out = tmp_path / "r"
    result, _ = cli("run", STACK, "--out", str(out), tools_state={"pulumi": pulumi})
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1] == line
    assert "Traceback" not in result.stderr
    assert not out.exists()


@pytest.mark.parametrize(
    ("tools", "line"),
    [
        (
            ("kubectl",),
            "run: pulumi is not on PATH: install the Pulumi CLI (https://www.pulumi.com/docs/iac/download-install/) "
            "and put it on PATH",
        ),
        (
            ("pulumi",),
            "run: kubectl is not on PATH: install kubectl (https://kubernetes.io/docs/tasks/tools/) and put it on PATH",
        ),
    ],
    ids=["pulumi missing", "kubectl missing"],
)
def test_a_missing_cli_is_one_line(cli, tmp_path, tools, line):
    result, _ = cli("run", STACK, "--out", str(tmp_path / "r"), tools_state=state(), tools=tools)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [line]


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["Ctrl-C", "SIGTERM"])
def test_ctrl_c_stops_the_client_and_still_writes_the_report(tmp_path, sig):
    out = tmp_path / "r"
    slow = {**REPLAYS, "3": {"replay": "alb-interval3", "pace": 1.0}}
    log = install(tmp_path, state(exec=slow))
    env = {**os.environ, "PATH": str(tmp_path / "bin")}
    child = subprocess.Popen(
        [sys.executable, "-m", "testbed", "run", STACK, "--out", str(out)],
        cwd=ROOT,
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        for line in child.stderr:  # wait until the client has answered twice
            if "request 2/10" in line or time.monotonic() > deadline:
                break
        child.send_signal(sig)
        rest = child.communicate(timeout=30)[1]
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == 130, rest
    assert verdicts(out) == {"interval3": "error"}
    results = results_of(out)
    assert results["experiments"][0]["error"].startswith("interrupted (Ctrl-C) after 2 of 10 requests")
    assert results["notes"] == ["not run (interrupted): interval30", "not run (interrupted): interval70"]
    for pid in pids(log):  # the fake kubectl was stopped, not left behind
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


class _Canary(http.server.BaseHTTPRequestHandler):
    """The two nginx pages behind alb-canary's weighted forward: primary and canary, alternately."""

    served = itertools.count()

    def do_GET(self) -> None:
        which = "Primary" if next(self.served) % 2 else "Canary"
        body = f"<h1>Im {which} service and being served from ng-6f7d</h1>\n".encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_a_local_experiment_fills_the_url_from_the_outputs_and_runs_curl_count_times(tmp_path):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Canary)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        tools = {"pulumi": {"stacks": {"alb-canary": {"url": url, "weights": {"ng": 50, "ng-canary": 50}}}}}
        log = install(tmp_path, tools, tools=("pulumi",))
        (tmp_path / "bin" / "curl").symlink_to(shutil.which("curl"))
        out = tmp_path / "r"
        env = {**os.environ, "PATH": str(tmp_path / "bin")}
        result = subprocess.run(
            [sys.executable, "-m", "testbed", "run", "alb-canary", "--out", str(out)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        server.shutdown()
    assert result.returncode == 0, result.stderr
    assert verdicts(out) == {"split": "as expected"}
    requests = [e for e in results_of(out)["experiments"][0]["events"] if e.get("event") == "request"]
    assert len(requests) == 100 and {e["status"] for e in requests} == {200}
    assert sum("Im Canary service" in e["body"] for e in requests) == 50
    assert not [c for c in calls(log) if c[0] == "kubectl"], "a local experiment needs no kubectl"
