"""The experiment model: predicates over client.py's lines, the judge's verdicts, and the
experiments each scenario derives from its config. Event lines are written here the way
k8s/apps/keepalive/client.py prints them, with seed 000's findings as the values."""

from __future__ import annotations

import json

import pytest

from stacks.config import ConfigError, engine_value
from stacks.experiments.model import experiments_for, judge, repeat_event
from stacks.experiments.predicates import Changes, Distinct, FieldIs, Near, RequestCount, Share
from testbed.stackfile import read_stack_config


def request(seq: int, **fields: object) -> dict[str, object]:
    line: dict[str, object] = {"event": "request", "seq": seq, "ok": True, "status": 200, "error": None}
    line.update(fields)
    return line


def seed_70s_alb() -> list[dict[str, object]]:
    """Seed 000 at 70 s through the ALB: the ALB's FIN at 60 s, every request on a new connection."""
    return [
        {"event": "start", "interval": 70, "count": 3},
        request(1, connection="new", server_peer="10.0.1.5:40001"),
        *(
            request(
                seq,
                connection="reopened",
                reason="peer FIN while idle",
                peer_closed_after_s=60.01,
                server_peer=f"10.0.1.5:4000{seq}",
            )
            for seq in (2, 3)
        ),
        {"event": "summary", "requests": 3},
    ]


def test_field_is_checks_the_numbered_requests_only():
    events = seed_70s_alb()
    assert FieldIs("connection", "reopened", first=2).check(events).ok
    result = FieldIs("connection", "reopened").check(events)
    assert not result.ok and result.observed == "request 1: connection='new'"
    assert FieldIs("connection", "new", first=1, last=1).check(events).ok


def test_a_predicate_over_no_request_fails():
    assert not FieldIs("ok", True).check([{"event": "start"}]).ok
    assert not FieldIs("connection", "reused", first=4).check(seed_70s_alb()).ok
    assert not Changes("server_peer").check([request(1, server_peer="a")]).ok
    assert not Near("idle_s", 1, 1).check([]).ok


def test_error_kind_is_the_part_before_the_colon():
    events = [request(1), request(2, ok=False, status=None, error="reset: [Errno 104] Connection reset by peer")]
    assert FieldIs("error_kind", "reset", first=2, last=2).check(events).ok
    assert not FieldIs("error_kind", "reset", first=1, last=1).check(events).ok


def test_near_accepts_within_the_tolerance_only():
    events = seed_70s_alb()
    assert Near("peer_closed_after_s", 60, 2, first=2).check(events).ok
    assert not Near("peer_closed_after_s", 65, 2, first=2).check(events).ok
    assert not Near("peer_closed_after_s", 60, 2).check(events).ok  # request 1 has none


def test_changes_and_repeats():
    same = [request(seq, server_peer="10.0.1.5:40001") for seq in (1, 2, 3)]
    assert Changes("server_peer", changes=False).check(same).ok
    assert not Changes("server_peer").check(same).ok
    assert Changes("server_peer").check(seed_70s_alb()).ok
    once_repeated = [*seed_70s_alb()[1:3], request(3, server_peer="10.0.1.5:40002")]
    assert not Changes("server_peer").check(once_repeated).ok


def test_share_uses_a_binomial_band():
    # 100 requests at 20 %: sd = sqrt(.2 * .8 / 100) = 4 %, 3 sigma = 12 %: 8..32 pass.
    def run(hits: int) -> list[dict[str, object]]:
        return [request(i, body="Im Canary service" if i <= hits else "Im Primary service") for i in range(1, 101)]

    share = Share("body", "Im Canary", 0.2)
    assert share.bound(100) == pytest.approx(0.12)
    assert share.check(run(8)).ok and share.check(run(32)).ok
    assert not share.check(run(7)).ok and not share.check(run(33)).ok
    assert not share.check([]).ok


def test_distinct_counts_answering_servers():
    events = [request(1, server="a"), request(2, server="b"), request(3, server="c", ok=False)]
    assert Distinct("server", 2).check(events).ok
    assert not Distinct("server", 3).check(events).ok


def test_repeat_event_reads_the_answer():
    [experiment] = experiments_for("nlb-ip", read_stack_config("nlb-ip"))
    body = "Hostname: deploy-echo-abc\n\nRequest Information:\n...\nstatus=200\n"
    event = repeat_event(experiment, 1, exit_code=0, output=body, time="t")
    assert (event["server"], event["status"], event["ok"]) == ("deploy-echo-abc", 200, True)
    failed = repeat_event(experiment, 2, exit_code=0, output="<html>bad gateway</html>\nstatus=502\n", time="t")
    assert (failed["status"], failed["ok"], failed["server"]) == (502, False, None)


def alb_70s():
    return {e.name: e for e in experiments_for("alb-keepalive", read_stack_config("alb-keepalive"))}["interval70"]


def test_judge_passes_the_seeds_70s_finding():
    entry = judge(alb_70s(), seed_70s_alb())
    assert entry["verdict"] == "as expected"
    assert entry["name"] == "interval70" and entry["where"] == "client-pod"
    assert len(entry["expected"]) == len(entry["observed"]) == 6
    assert [row["check"] for row in entry["expected"]] == [row["check"] for row in entry["observed"]]
    assert entry["timeouts"] == {"idle": 60, "keepalive": 20} and entry["notes"] == []
    assert all(check["ok"] for check in entry["observed"])
    assert entry["events"][0] == {"event": "start", "interval": 70, "count": 3}
    json.dumps(entry)  # results.json must hold it


def test_judge_says_unexpected_and_which_check_failed():
    events = seed_70s_alb()
    events[2] = {**events[2], "peer_closed_after_s": 350.0}
    entry = judge(alb_70s(), events)
    assert entry["verdict"] == "unexpected"
    [failed] = [check for check in entry["observed"] if not check["ok"]]
    assert failed["check"].startswith("from request 2 on: peer_closed_after_s within 60 ± 2 s")
    assert "request 2: 350.0" in failed["observed"]


def test_judge_says_error_when_the_run_failed():
    assert judge(alb_70s(), [])["verdict"] == "error"
    entry = judge(alb_70s(), [*seed_70s_alb(), {"kind": "error", "message": "client pod not ready"}])
    assert (entry["verdict"], entry["error"]) == ("error", "client pod not ready")


def test_lab_lists_what_it_cannot_show_instead_of_passing_it():
    from dataclasses import replace

    cloud_only = FieldIs("ok", True, not_in_lab="the lab has no such thing")
    experiment = replace(alb_70s(), expectations=(RequestCount(3), cloud_only))
    lab = judge(experiment, seed_70s_alb(), target="lab")
    assert [c["check"] for c in lab["observed"]] == ["the client makes 3 requests"]
    assert lab["expected"][1] == {
        "check": "every request: ok == True",
        "note": "not shown by the lab: the lab has no such thing",
    }
    assert lab["notes"] == ["not shown by the lab: every request: ok == True (the lab has no such thing)"]
    assert len(judge(experiment, seed_70s_alb(), target="cloud")["observed"]) == 2


def config_with(stack: str, **overrides: object) -> dict[str, str]:
    return {**read_stack_config(stack), **{k: engine_value(v) for k, v in overrides.items()}}


def test_the_alb_idle_timeout_moves_the_expectation():
    tuned = config_with("alb-keepalive", **{"testbed:alb": {"idleTimeoutSeconds": 90}})
    runs = {e.name: e for e in experiments_for("alb-keepalive", tuned)}
    # 70 s is now shorter than the idle timeout: the connection is reused, no FIN.
    assert "from request 2 on: connection == 'reused'" in runs["interval70"].describe()
    assert not any("peer FIN" in line for line in runs["interval70"].describe())
    assert judge(runs["interval70"], seed_70s_alb())["verdict"] == "unexpected"
    shorter = config_with("alb-keepalive", **{"testbed:alb": {"idleTimeoutSeconds": 50}})
    [near] = [e for e in experiments_for("alb-keepalive", shorter)[2].expectations if isinstance(e, Near)]
    assert (near.target, near.tolerance) == (50, 2)


def test_time_scale_divides_intervals_timeouts_and_tolerance():
    runs = experiments_for("alb-keepalive", read_stack_config("alb-keepalive"), time_scale=0.1)
    assert [e.argv for e in runs] == [
        ("python", "client.py", "0.3", "10"),
        ("python", "client.py", "3", "4"),
        ("python", "client.py", "7", "3"),
    ]
    assert dict(runs[2].bed) == {"server.keepAliveSeconds": 2, "alb.idleTimeoutSeconds": 6}
    [near] = [e for e in runs[2].expectations if isinstance(e, Near)]
    assert (near.target, near.tolerance) == (6, 0.2)
    assert runs[2].expected_seconds == 14


def test_nlb_silent_drop_carries_the_settings_it_needs():
    runs = {e.name: e for e in experiments_for("nlb-keepalive", read_stack_config("nlb-keepalive"), time_scale=0.1)}
    drop = runs["silentDrop"]
    assert dict(drop.config) == {"testbed:nlb.tcpIdleTimeoutSeconds": "60", "testbed:server.keepAliveSeconds": "120"}
    assert dict(drop.bed) == {"server.keepAliveSeconds": 12, "nlb.tcpIdleTimeoutSeconds": 6}
    assert drop.argv == ("python", "client.py", "7", "3")
    seed_drop = [
        request(1, connection="new"),
        request(2, connection="reused", ok=False, status=None, error="reset: [Errno 104] Connection reset by peer"),
        request(3, connection="reopened", reason="previous request failed (reset)"),
    ]
    assert judge(drop, seed_drop)["verdict"] == "as expected"
    fin_first = [
        seed_drop[0],
        {**seed_drop[1], "connection": "reopened", "reason": "peer FIN while idle"},
        seed_drop[2],
    ]
    assert judge(drop, fin_first)["verdict"] == "unexpected"


def test_every_scenario_declares_its_experiments_or_none():
    declared = {
        stack: [e.name for e in experiments_for(stack, read_stack_config(stack))]
        for stack in ("alb-canary", "alb-graceful", "nlb-ip", "aks-tcp", "eks-base", "cni-maxpods")
    }
    assert declared == {
        "alb-canary": ["split"],
        "alb-graceful": ["scaleIn"],
        "nlb-ip": ["spread"],
        "aks-tcp": ["recreate"],
        "eks-base": [],
        "cni-maxpods": [],
    }


def test_a_bad_config_is_a_config_error():
    with pytest.raises(ConfigError) as caught:
        experiments_for("alb-keepalive", config_with("alb-keepalive", **{"testbed:alb": {"idleTimeoutSeconds": 0}}))
    assert caught.value.lines == ["testbed:alb.idleTimeoutSeconds: 0: at least 1"]
