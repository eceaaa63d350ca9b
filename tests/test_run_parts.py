"""The parts of `run` and `compare`, in process: bounded children and pulumi, local repeat runs, progress, diffs."""

from __future__ import annotations

import io
import json
import sys
import time

import pytest

from stacks.experiments.model import Action, Experiment, experiments_for, judge
from stacks.experiments.predicates import FieldIs, RequestCount
from testbed.__main__ import main
from testbed.experiments.compare import differences
from testbed.experiments.kubectl import Kubectl, kubectl_problem
from testbed.experiments.process import Finished, stream
from testbed.experiments.progress import Progress
from testbed.experiments.report import write_results
from testbed.experiments.run import REMOTE_EXIT, Runner, fill, limit_seconds, stream_problem, unmet_config
from testbed.experiments.stack_outputs import RunProblem, read_outputs
from testbed.stackfile import read_stack_config
from tests.experiment_data import alb_results
from tests.fake_tools import install


def test_stream_hands_over_lines_as_they_come_and_the_exit_code():
    seen: list[tuple[str, float]] = []
    started = time.monotonic()
    code = "import sys, time\nprint('a', flush=True)\ntime.sleep(0.6)\nprint('b')\n"
    code += "sys.stderr.write('oops\\n')\nsys.exit(3)"
    finished = stream(
        [sys.executable, "-c", code], timeout=20, on_line=lambda line: seen.append((line, time.monotonic() - started))
    )
    assert [line for line, _ in seen] == ["a", "b"]
    assert seen[1][1] - seen[0][1] >= 0.5, "the first line came before the child ended"
    assert (finished.exit_code, finished.timed_out, finished.last_error()) == (3, False, "oops")


def test_stream_ticks_while_lines_keep_coming():
    ticks: list[float] = []
    code = "import time\nfor i in range(30):\n    print(i, flush=True)\n    time.sleep(0.05)"
    finished = stream([sys.executable, "-c", code], timeout=20, on_line=lambda line: None, on_tick=ticks.append)
    assert finished.exit_code == 0
    assert len(ticks) >= 4, "an action due at 1 s would start on time though a line comes every 0.05 s"


def test_stream_stops_a_child_that_runs_past_its_time():
    lines: list[str] = []
    code = "import time\nprint('started', flush=True)\ntime.sleep(60)"
    finished = stream([sys.executable, "-c", code], timeout=1.0, on_line=lines.append)
    assert finished.timed_out and finished.exit_code is None
    assert lines == ["started"]
    assert finished.seconds < 10


def test_read_outputs_gives_up_on_a_pulumi_that_does_not_answer(tmp_path, monkeypatch):
    install(tmp_path, {"pulumi": {"stacks": {"s": {"a": 1}}, "hang": 30}}, tools=("pulumi",))
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    started = time.monotonic()
    with pytest.raises(
        RunProblem, match=r"^`pulumi stack select --stack s` gave no answer in 1 s: is the backend in Pulumi.yaml"
    ):
        read_outputs("s", timeout=1.0)
    assert time.monotonic() - started < 10


def test_read_outputs_returns_plain_values_secrets_shown(tmp_path, monkeypatch):
    install(tmp_path, {"pulumi": {"stacks": {"s": {"url": "http://x", "kubeconfig": {"kind": "Config"}}}}})
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    assert read_outputs("s") == {"url": "http://x", "kubeconfig": {"kind": "Config"}}


def test_fill_replaces_stack_outputs_and_keeps_curl_formats():
    argv = ("curl", "-w", "\\nstatus=%{http_code}\\n", "{url}/", "{missing}")
    assert fill(argv, {"url": "http://lb", "http_code": "no"}) == [
        "curl",
        "-w",
        "\\nstatus=%{http_code}\\n",
        "http://lb/",
        "{missing}",
    ]


def test_unmet_config_names_the_pulumi_config_commands():
    experiment = _local_experiment(config={"testbed:server.keepAliveSeconds": "120"})
    assert unmet_config(experiment, {"testbed:server": '{"keepAliveSeconds": 120}'}) == []
    assert unmet_config(experiment, {"testbed:server": '{"keepAliveSeconds": 20}'}) == [
        "pulumi config set --path testbed:server.keepAliveSeconds 120"
    ]


def test_limit_is_half_again_the_expected_time_plus_a_minute():
    assert limit_seconds(_local_experiment(expected_seconds=140)) == 270


@pytest.mark.parametrize(
    ("stderr", "start"),
    [
        ("error: You must be logged in to the server (Unauthorized)", "kubectl has no credentials for the cluster"),
        (
            "Unable to connect to the server: getting credentials: exec: executable aws not found\n",
            "kubectl has no credentials for the cluster",
        ),
        (
            "Unable to connect to the server: dial tcp 10.0.0.1:443: i/o timeout",
            "kubectl cannot reach the cluster",
        ),
        ('Error from server (NotFound): deployments.apps "client" not found', "the client is not deployed"),
        ("error: something else entirely", "kubectl failed: error: something else entirely"),
    ],
)
def test_kubectl_problems_say_what_to_do(stderr, start):
    assert kubectl_problem(stderr).startswith(start)


def _local_experiment(**overrides) -> Experiment:
    fields = {
        "name": "loop",
        "title": "three requests from this machine",
        "where": "local",
        "argv": (sys.executable, "-c", "import sys; print('hello'); print('status=' + sys.argv[1])", "{code}"),
        "interval_seconds": 0.05,
        "count": 3,
        "expected_seconds": 0.1,
        "expectations": (RequestCount(3), FieldIs("status", 200)),
        "mode": "repeat",
        "parse": {"status": r"status=(\d{3})"},
    }
    return Experiment(**{**fields, **overrides})


def test_a_local_repeat_experiment_runs_its_command_count_times_and_its_action_once(tmp_path):
    marker = tmp_path / "scaled"
    action = Action(0.0, (sys.executable, "-c", f"open({str(marker)!r}, 'w').write('x')"), "scale in")
    experiment = _local_experiment(actions=(action,))
    runner = Runner("s", {"code": "200"}, {}, Kubectl(None))
    events, interrupted = runner.run(experiment, Progress("loop", 3, 0.1, io.StringIO()))
    assert not interrupted
    requests = [e for e in events if e.get("event") == "request"]
    assert [(e["seq"], e["status"], e["ok"]) for e in requests] == [(1, 200, True), (2, 200, True), (3, 200, True)]
    assert [e["description"] for e in events if e.get("kind") == "action"] == ["scale in"]
    assert marker.read_text() == "x"
    assert judge(experiment, events)["verdict"] == "as expected"


def test_a_local_experiment_without_its_output_is_not_run():
    runner = Runner("s", {}, {}, Kubectl(None))
    events, _ = runner.run(_local_experiment(), Progress("loop", 3, 0.1, io.StringIO()))
    assert [e["message"] for e in events] == [
        "not run: the stack has no output code: is it up to date? `pulumi up -s s`"
    ]
    assert judge(_local_experiment(), events)["verdict"] == "error"


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_is_a_bar_on_a_terminal_and_keeps_failures_on_their_own_lines():
    out = _Terminal()
    progress = Progress("interval70", 3, 140, out)
    progress.request({"ok": True, "connection": "new", "status": 200}, 0.1)
    progress.tick(35)
    progress.request({"ok": False, "connection": "reused", "error": "reset: [Errno 104]"}, 70.1)
    progress.finish("unexpected")
    text = out.getvalue()
    assert "\rinterval70 [########................] 1/3 requests  35/140 s" in text
    assert "interval70: request 2/3 FAILED, reused, reset: [Errno 104] 70/140 s\n" in text
    assert text.endswith("\r\x1b[Kinterval70: unexpected (2/3 requests, 70 s)\n")


def test_compare_lists_verdicts_and_observed_values_that_differ(tmp_path, capsys):
    same, other = alb_results(), alb_results(interval70_events="alb-interval30")
    found = differences(same, other)
    assert [d.line() for d in found if d.verdict] == ["interval70: verdict: as expected (A) vs unexpected (B)"]
    assert any(
        d.what == "the client makes 3 requests: observed" and (d.a, d.b) == ("3 requests", "4 requests") for d in found
    )
    assert differences(same, same) == []

    write_results(same, tmp_path / "a")
    write_results(other, tmp_path / "b")
    assert main(["compare", str(tmp_path / "a"), str(tmp_path / "a" / "results.json")]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "no differences"
    assert main(["compare", str(tmp_path / "a"), str(tmp_path / "b")]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "A: alb-keepalive on cloud, 3 experiment(s); B: alb-keepalive on cloud, 3 experiment(s)"
    assert "interval70: verdict: as expected (A) vs unexpected (B)" in lines
    assert lines[-1].startswith("1 verdict(s) differ, ")


def test_compare_names_a_side_that_is_missing_or_not_results(tmp_path, capsys):
    (tmp_path / "x.json").write_text(json.dumps({"stack": "s"}))
    assert main(["compare", str(tmp_path / "x.json"), str(tmp_path / "nope")]) == 2
    assert (
        capsys.readouterr().err.strip() == f"compare: {tmp_path / 'x.json'}: not a results.json (no 'experiments' list)"
    )
    lab = {"stack": "s", "target": "lab", "experiments": [{"name": "only", "verdict": "as expected"}]}
    (tmp_path / "lab.json").write_text(json.dumps(lab))
    (tmp_path / "empty.json").write_text(json.dumps({**lab, "experiments": []}))
    assert main(["compare", str(tmp_path / "lab.json"), str(tmp_path / "empty.json")]) == 1
    assert "only: verdict: as expected (A) vs (not run) (B)" in capsys.readouterr().out


def test_plain_progress_lists_a_short_run_whole_and_a_long_one_in_steps_with_every_failure():
    out = io.StringIO()
    progress = Progress("scaleIn", 3000, 150, out)
    for seq in range(1, 3001):
        progress.request({"ok": seq != 1234, "status": 502 if seq == 1234 else 200}, seq * 0.05)
    lines = out.getvalue().splitlines()
    assert len(lines) == 22  # 1, every 150th (20, the last among them), and the failure
    assert "scaleIn: request 1234/3000 FAILED, status 502 62/150 s" in lines
    short = io.StringIO()
    progress = Progress("interval70", 3, 140, short)
    for seq in range(1, 4):
        progress.request({"ok": True, "connection": "reused"}, seq)
    assert len(short.getvalue().splitlines()) == 3


def test_a_client_that_exits_in_the_pod_is_told_apart_from_kubectl_failing():
    experiment = next(e for e in experiments_for("alb-keepalive", read_stack_config("alb-keepalive")))
    usage = Finished(exit_code=2, stderr=["HOST is not set: the load balancer's DNS name", REMOTE_EXIT + " 2"])
    assert stream_problem(experiment, usage, [], "alb-keepalive") == (
        "the client stopped after 0 of 10 requests (exit 2): HOST is not set: the load balancer's DNS name"
    )
    gone = Finished(exit_code=1, stderr=['Error from server (NotFound): pods "client-7d9" not found'])
    assert stream_problem(experiment, gone, [], "alb-keepalive").startswith("the client is not deployed (")
    finished = Finished(exit_code=1)
    assert stream_problem(experiment, finished, [{"event": "request"}, {"event": "summary"}], "alb-keepalive") is None


def test_compare_pairs_a_check_with_its_time_scaled_twin():
    def side(check: str, observed: str) -> dict:
        return {
            "experiments": [
                {
                    "name": "interval70",
                    "verdict": "as expected",
                    "observed": [
                        {"check": check, "observed": observed, "ok": True},
                        {"check": "the client makes 3 requests", "observed": "3 requests", "ok": True},
                    ],
                }
            ]
        }

    cloud = side("peer_closed_after_s within 60 ± 2 s", "request 2: 60.006")
    lab = side("peer_closed_after_s within 6 ± 0.2 s", "request 2: 6.003")
    assert [d.line() for d in differences(cloud, lab)] == [
        "interval70: expected: peer_closed_after_s within 60 ± 2 s (A) vs peer_closed_after_s within 6 ± 0.2 s (B)",
        "interval70: peer_closed_after_s within 60 ± 2 s: observed: request 2: 60.006 (A) vs request 2: 6.003 (B)",
    ]
