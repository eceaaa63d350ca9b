"""An experiment as data, and the judge that turns a run's events into a verdict.

An `Experiment` says what runs where (the client program and its argv, on the client pod or on
this machine), for how long, under which bed settings, and what should be seen: a tuple of
`Expectation`s, each a checkable predicate over the run's events with a one-line `describe()`.
The stacks export these descriptions as their `experiments` output, `run` executes the same
experiments against a deployed stack, `lab` on this machine; `judge` is the same for both.

Events are the client's JSON lines as dicts (k8s/apps/keepalive/client.py: `event` "start",
"request", "summary"), plus lines the runners add with a `kind` key (e.g. `{"kind": "error",
"message": ...}` when the run itself failed).

One entry of results.json's "experiments" (what `judge` returns):
    {"name", "title", "where", "expected": [{"check", "note"?}, ...], "observed": [{"check",
     "expected", "observed", "ok"}, ...], "notes": [str, ...], "timeouts": {"idle", "keepalive"},
     "verdict", "events", "error"?}
`expected` holds one row per predicate (`check` is its one-line description, the prose the
stack exports); `observed` one check result per predicate this target can show, joined to
`expected` by `check`. A predicate the target cannot show (a cloud behaviour the lab's proxy
lacks) has a `note` saying why, a line in `notes`, no `observed` row, and never counts as passed.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, runtime_checkable

Event = Mapping[str, Any]
Where = Literal["client-pod", "local"]
Target = Literal["lab", "cloud"]
AS_EXPECTED, UNEXPECTED, ERROR = "as expected", "unexpected", "error"


@dataclass(frozen=True)
class CheckResult:
    """One predicate judged against one run's events."""

    check: str
    expected: str
    observed: str
    ok: bool

    def as_dict(self) -> dict[str, Any]:
        return {"check": self.check, "expected": self.expected, "observed": self.observed, "ok": self.ok}


@runtime_checkable
class Expectation(Protocol):
    """A checkable predicate over a run's events (stacks/experiments/predicates.py has them).

    `not_in_lab`, when set, says why the local lab cannot show this (the judge then lists it as
    not covered there, instead of passing or failing it).
    """

    @property
    def not_in_lab(self) -> str | None: ...

    def describe(self) -> str:
        """One line: what should be seen."""
        ...

    def check(self, events: Sequence[Event]) -> CheckResult:
        """Judge the events: what was expected, what was observed, whether they agree."""
        ...


@dataclass(frozen=True)
class Action:
    """A command the runner starts `after_seconds` into an experiment (e.g. the scale-in), once."""

    after_seconds: float
    argv: tuple[str, ...]
    description: str


@dataclass(frozen=True)
class Experiment:
    """One experiment of a scenario: the client run, its bed settings, and what to expect.

    `argv` is the program's command line as the pod (or this machine, for `where == "local"`)
    runs it, e.g. ("python", "client.py", "70", "3"); `env` adds variables to the pod's own.
    `bed` holds the settings the expectations assume (seconds, already scaled by `time_scale`),
    which the lab builds its load balancer and server from. `config` holds the stack-config
    keys (unscaled, path form) the experiment needs that the stack does not have yet: a cloud
    run needs `pulumi config set --path` and `pulumi up` first; the lab applies them itself.

    `mode` says how the runner reads the program: "stream" (client.py: it runs once and prints
    the JSON lines itself) or "repeat" (the argv makes ONE request and prints the answer; the
    runner runs it `count` times, `interval_seconds` apart, and turns each run into a request
    event with `repeat_event`, reading fields out of the answer with the regexes of `parse`).
    Items of `argv` may hold `{name}` placeholders for stack outputs (e.g. `{url}`).
    """

    name: str
    title: str
    where: Where
    argv: tuple[str, ...]
    interval_seconds: float
    count: int
    expected_seconds: float
    expectations: tuple[Expectation, ...]
    env: Mapping[str, str] = field(default_factory=dict)
    bed: Mapping[str, float] = field(default_factory=dict)
    config: Mapping[str, str] = field(default_factory=dict)
    time_scale: float = 1.0
    mode: Literal["stream", "repeat"] = "stream"
    parse: Mapping[str, str] = field(default_factory=dict)
    actions: tuple[Action, ...] = ()

    def describe(self) -> list[str]:
        """The expectation, one line per predicate."""
        return [expectation.describe() for expectation in self.expectations]


def repeat_event(
    experiment: Experiment, seq: int, *, exit_code: int | None, output: str, time: str, error: str | None = None
) -> dict[str, Any]:
    """The request event of one run of a "repeat" experiment's argv: the answer (`body`), the
    fields `parse` finds in it (digits become ints), and `ok` when it exited 0 with no error
    and, if a `status` was parsed, below 400."""
    event: dict[str, Any] = {"event": "request", "seq": seq, "time": time, "body": output, "error": error}
    for name, pattern in experiment.parse.items():
        found = re.search(pattern, output)
        value = found.group(1) if found else None
        event[name] = int(value) if value is not None and value.isdigit() else value
    status = event.get("status")
    event["ok"] = exit_code == 0 and error is None and (not isinstance(status, int) or status < 400)
    return event


def shell_command(experiment: Experiment) -> str:
    """The experiment as one shell line to paste (placeholders left as `{name}` for the user)."""
    once = " ".join(f"'{a}'" if (" " in a or "%" in a) else a for a in experiment.argv)
    if experiment.mode == "stream":
        return once
    pause = f"; sleep {experiment.interval_seconds:g}" if experiment.interval_seconds else ""
    return f"for i in $(seq 1 {experiment.count}); do {once}{pause}; done"


def exported(experiments: Sequence[Experiment], command: Any = shell_command) -> dict[str, dict[str, Any]]:
    """A stack's `experiments` output: per experiment the command to paste and what to expect,
    from the same objects `run` and `lab` judge with."""
    return {
        e.name: {
            "command": command(e),
            "expect": "; ".join(e.describe()),
            **({"during": {f"after {a.after_seconds:g} s": " ".join(a.argv) for a in e.actions}} if e.actions else {}),
        }
        for e in experiments
    }


def request_events(events: Sequence[Event]) -> list[Event]:
    """The client's request lines, in order."""
    return [event for event in events if event.get("event") == "request"]


def run_errors(events: Sequence[Event]) -> list[str]:
    """Messages of events that say the run itself failed (`{"kind": "error", "message": ...}`)."""
    return [str(event.get("message", "")) for event in events if event.get("kind") == "error"]


def judge(experiment: Experiment, events: Sequence[Event], *, target: Target = "cloud") -> dict[str, Any]:
    """One entry of results.json's "experiments": every predicate checked, and the verdict.

    "error" when the run failed (an error event, or no request at all), "unexpected" when any
    predicate this target can show fails, "as expected" otherwise.
    """
    shown = [e for e in experiment.expectations if target != "lab" or e.not_in_lab is None]
    results = [expectation.check(events) for expectation in shown]
    errors = run_errors(events)
    if errors or not request_events(events):
        verdict = ERROR
    elif all(result.ok for result in results):
        verdict = AS_EXPECTED
    else:
        verdict = UNEXPECTED
    skipped = {e.describe(): e.not_in_lab for e in experiment.expectations if e not in shown}
    entry: dict[str, Any] = {
        "name": experiment.name,
        "title": experiment.title,
        "where": experiment.where,
        "expected": [
            {"check": line, **({"note": f"not shown by the lab: {skipped[line]}"} if line in skipped else {})}
            for line in experiment.describe()
        ],
        "observed": [result.as_dict() for result in results],
        "notes": [f"not shown by the lab: {line} ({why})" for line, why in skipped.items()],
        "verdict": verdict,
        "events": [dict(event) for event in events],
    }
    if timeouts := _timeouts(experiment.bed):
        entry["timeouts"] = timeouts
    if errors:
        entry["error"] = errors[0]
    elif not request_events(events):
        entry["error"] = "the run produced no request"
    return entry


def _timeouts(bed: Mapping[str, float]) -> dict[str, float]:
    """The bed's idle timeout and keep-alive, for the report's timeline."""
    found: dict[str, float] = {}
    for key, seconds in bed.items():
        if key.endswith(("idleTimeoutSeconds", "IdleTimeoutSeconds")):
            found["idle"] = seconds
        elif key.endswith("keepAliveSeconds"):
            found["keepalive"] = seconds
    return found


def experiments_for(stack_name: str, config: Mapping[str, str] | Any, *, time_scale: float = 1.0) -> list[Experiment]:
    """The experiments of stack `stack_name`, derived from its config.

    `config` is either the raw stack config (`namespace:key` -> engine string, validated here,
    ConfigError on a bad key) or an already validated scenario config. Scenarios without a
    module-level `experiments(cfg, time_scale)` declare none.
    """
    from stacks import scenario_module
    from stacks.config import SCENARIO_KEY, StackModel, load_config

    if isinstance(config, StackModel):
        module = importlib.import_module(type(config).__module__)
        cfg = config
    else:
        module = scenario_module(config.get(SCENARIO_KEY) or stack_name)
        cfg = load_config(module.Config, config, stack=stack_name)
    declare = getattr(module, "experiments", None)
    return list(declare(cfg, time_scale=time_scale)) if callable(declare) else []
