"""`python -m testbed run <stack> [EXPERIMENT ...] --out DIR`: the stack's experiments, on the deployed bed.

Reads the stack's outputs (Automation API), runs each experiment (client-pod experiments with
`kubectl exec` into the client pod, local ones from this machine with `{output}` placeholders
filled in), streams the client's JSON lines with a progress bar, judges them with the same
judge as the lab, and writes DIR/results.json, report.md, timeline.png and events/.

Every child is bounded: an experiment may take `1.5 x expected + 60 s` before it is stopped.
A problem with one experiment (pod not ready, a client that dies, refused connections) is one
line and an "error" verdict for that experiment; Ctrl-C stops the running experiment, marks it
"error" and still writes the report.
"""

from __future__ import annotations

import contextlib
import json
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from stacks.experiments.model import Experiment, judge, repeat_event
from testbed.experiments.kubectl import INSTALL_KUBECTL, Kubectl, kubeconfig_file, kubectl_problem
from testbed.experiments.process import Finished, stream
from testbed.experiments.progress import Progress
from testbed.experiments.report import write_results
from testbed.experiments.stack_outputs import INSTALL_PULUMI, PROJECT_DIR, RunProblem, read_outputs, require_tool
from testbed.experiments.timeline import config_leaves

ONE_REQUEST_TIMEOUT_SECONDS = 30.0
REMOTE_EXIT = "command terminated with exit code"
MIN_ACTION_TIMEOUT_SECONDS = 60.0  # an action may run until the experiment's limit, and at least this long
# `{url}` is a stack output; `%{http_code}` (curl's -w) is not ours to fill.
_PLACEHOLDER = re.compile(r"(?<!%)\{([A-Za-z_][A-Za-z0-9_]*)\}")
Echo = Callable[[str], None]


def limit_seconds(experiment: Experiment) -> float:
    """How long an experiment may run before it is stopped: half again its expected time, plus a minute."""
    return experiment.expected_seconds * 1.5 + 60


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def error_event(message: str) -> dict[str, Any]:
    """The event that tells the judge (and the report) that the run itself failed."""
    return {"kind": "error", "time": utc_now(), "message": message}


def select(experiments: Sequence[Experiment], names: Sequence[str], stack: str) -> list[Experiment]:
    """The named experiments (all when none are named), in the stack's order; RunProblem for an unknown name."""
    known = [e.name for e in experiments]
    if not known:
        raise RunProblem(f"stack {stack!r} declares no experiments")
    unknown = [n for n in names if n not in known]
    if unknown:
        raise RunProblem(f"unknown experiment(s) {', '.join(unknown)} for {stack}; known: {', '.join(known)}")
    return [e for e in experiments if not names or e.name in names]


def unmet_config(experiment: Experiment, config: Mapping[str, Any]) -> list[str]:
    """The `pulumi config set --path` commands the experiment needs that the stack file does not have."""
    have = {path: value for path, value in config_leaves(config)}
    missing = []
    for key, wanted in experiment.config.items():
        value = have.get(key)
        if value is None or str(value).lower() != str(wanted).lower():
            missing.append(f"pulumi config set --path {key} {wanted}")
    return missing


def fill(argv: Sequence[str], outputs: Mapping[str, Any]) -> list[str]:
    """`{name}` placeholders replaced by the stack output of that name (unknown names and curl's %{...} kept)."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        return str(outputs[name]) if name in outputs and not isinstance(outputs[name], dict | list) else match[0]

    return [_PLACEHOLDER.sub(value, arg) for arg in argv]


@dataclass
class Runner:
    """Runs experiments of one stack against its deployed bed."""

    stack: str
    outputs: Mapping[str, Any]
    config: Mapping[str, Any]
    kubectl: Kubectl
    _client_problem: str | None = None
    _client_checked: bool = False

    def run(self, experiment: Experiment, progress: Progress) -> tuple[list[dict[str, Any]], bool]:
        """The experiment's events, and whether it was interrupted (Ctrl-C)."""
        missing = unmet_config(experiment, self.config)
        if missing:
            message = f"not run: needs `{'; '.join(missing)}` and `pulumi up -s {self.stack}` first"
            return [error_event(message)], False
        argv = fill(experiment.argv, self.outputs)
        unfilled = sorted({m.group(1) for arg in argv for m in _PLACEHOLDER.finditer(arg)})
        if unfilled:
            names = ", ".join(unfilled)
            message = f"not run: the stack has no output {names}: is it up to date? `pulumi up -s {self.stack}`"
            return [error_event(message)], False
        if experiment.where == "client-pod" and (problem := self._client_ready()):
            return [error_event(f"not run: {problem}")], False
        # Either mode records its events, and its actions' events, in this one list.
        events: list[dict[str, Any]] = []
        actions = Actions(experiment, self.kubectl, events)
        mode = self._repeat if experiment.mode == "repeat" else self._stream
        interrupted = mode(experiment, argv, actions, progress)
        return events, interrupted

    def _client_ready(self) -> str | None:
        """Why the client pod cannot run experiments (checked once per run), or None."""
        if not self._client_checked:
            self._client_checked = True
            try:
                self.kubectl.wait_ready()
            except RunProblem as problem:
                self._client_problem = str(problem)
        return self._client_problem

    def _command(self, experiment: Experiment, argv: Sequence[str]) -> tuple[list[str], dict[str, str] | None]:
        """The command line that runs `argv` where the experiment runs, and its environment."""
        if experiment.where == "client-pod":
            return self.kubectl.exec_client(argv, experiment.env), None
        return list(argv), {**self.kubectl.environment(), **experiment.env}

    def _stream(self, experiment: Experiment, argv: Sequence[str], actions: Actions, progress: Progress) -> bool:
        """Run the client once, recording the events it prints as they come; whether it was interrupted."""
        events = actions.events
        started = time.monotonic()

        def on_line(line: str) -> None:
            try:
                event = json.loads(line)
            except ValueError:
                event = None
            if not isinstance(event, dict):
                events.append({"kind": "output", "time": utc_now(), "line": line})
                return
            events.append(event)
            if event.get("event") == "request":
                progress.request(event, time.monotonic() - started)

        def on_tick(elapsed: float) -> None:
            actions.start_due(elapsed)
            progress.tick(elapsed)

        command, env = self._command(experiment, argv)
        try:
            finished = stream(
                command, timeout=limit_seconds(experiment), on_line=on_line, on_tick=on_tick, env=env, cwd=PROJECT_DIR
            )
        except OSError as err:
            finished = Finished(exit_code=None, stderr=[f"cannot start {command[0]}: {err.strerror}"])
        actions.wait()
        problem = stream_problem(experiment, finished, events, self.stack)
        if problem:
            events.append(error_event(problem))
        return finished.interrupted

    def _repeat(self, experiment: Experiment, argv: Sequence[str], actions: Actions, progress: Progress) -> bool:
        """Run the one-request command `count` times, `interval_seconds` apart; one request event each.
        Whether it was interrupted."""
        events = actions.events
        started = time.monotonic()
        command, env = self._command(experiment, argv)
        interrupted = False
        try:
            for seq in range(1, experiment.count + 1):
                elapsed = time.monotonic() - started
                if elapsed > limit_seconds(experiment):
                    events.append(error_event(f"stopped after {elapsed:.0f} s: {seq - 1} of {experiment.count} done"))
                    break
                actions.start_due(elapsed)
                event = self._once(experiment, seq, command, env)
                events.append(event)
                progress.request(event, time.monotonic() - started)
                if event.get("kind") == "error":
                    break
                if seq < experiment.count:
                    time.sleep(experiment.interval_seconds)
        except KeyboardInterrupt:
            interrupted = True
            done = sum(1 for e in events if e.get("event") == "request")
            events.append(error_event(f"interrupted (Ctrl-C) after {done} of {experiment.count} requests"))
        actions.wait()
        return interrupted

    def _once(
        self, experiment: Experiment, seq: int, command: list[str], env: Mapping[str, str] | None
    ) -> dict[str, Any]:
        at = utc_now()
        try:
            done = subprocess.run(
                command,
                capture_output=True,
                text=True,
                timeout=ONE_REQUEST_TIMEOUT_SECONDS,
                env=None if env is None else dict(env),
                cwd=PROJECT_DIR,
                stdin=subprocess.DEVNULL,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return repeat_event(
                experiment,
                seq,
                exit_code=None,
                output="",
                time=at,
                error=f"timeout after {ONE_REQUEST_TIMEOUT_SECONDS:g} s",
            )
        except OSError as err:
            return error_event(f"cannot run {command[0]}: {err.strerror}")
        error = None if done.returncode == 0 else (done.stderr.strip().splitlines() or [f"exit {done.returncode}"])[-1]
        return repeat_event(experiment, seq, exit_code=done.returncode, output=done.stdout, time=at, error=error)


def stream_problem(
    experiment: Experiment, finished: Finished, events: Sequence[Mapping[str, Any]], stack: str
) -> str | None:
    """Why a streamed run did not finish as the client finishes (None when it did)."""
    requests = sum(1 for e in events if e.get("event") == "request")
    ended = any(e.get("event") == "summary" for e in events)
    of = f"{requests} of {experiment.count} requests"
    if finished.interrupted:
        return f"interrupted (Ctrl-C) after {of}"
    if finished.timed_out:
        return f"stopped after {finished.seconds:.0f} s (expected about {experiment.expected_seconds:.0f} s), {of}"
    if ended and finished.exit_code in (0, 1):  # client.py: 1 means some request failed, which the judge weighs
        return None
    # kubectl exec says this when the program in the pod ran and exited non-zero; otherwise kubectl itself failed.
    ran = any(REMOTE_EXIT in line for line in finished.stderr)
    if requests == 0 and experiment.where == "client-pod" and not ran:
        return kubectl_problem("\n".join(finished.stderr) or f"exit {finished.exit_code}", stack=stack)
    own = [line.strip() for line in finished.stderr if line.strip() and REMOTE_EXIT not in line]
    said = own[-1] if own else finished.last_error()
    return f"the client stopped after {of} (exit {finished.exit_code}){': ' + said if said else ''}"


class Actions:
    """The experiment's actions (e.g. the scale-in), each started once when its time comes, bounded."""

    def __init__(self, experiment: Experiment, kubectl: Kubectl, events: list[dict[str, Any]]) -> None:
        self.pending = sorted(experiment.actions, key=lambda a: a.after_seconds)
        self.limit = limit_seconds(experiment)
        self.kubectl = kubectl
        self.events = events
        self.threads: list[threading.Thread] = []
        self.deadline = 0.0

    def start_due(self, elapsed: float) -> None:
        while self.pending and self.pending[0].after_seconds <= elapsed:
            action = self.pending.pop(0)
            argv = self.kubectl.command(action.argv[1:]) if action.argv[:1] == ("kubectl",) else list(action.argv)
            timeout = max(MIN_ACTION_TIMEOUT_SECONDS, self.limit - action.after_seconds)
            self.deadline = max(self.deadline, time.monotonic() + timeout)
            thread = threading.Thread(target=self._run, args=(action.description, argv, timeout), daemon=True)
            thread.start()
            self.threads.append(thread)

    def _run(self, description: str, argv: list[str], timeout: float) -> None:
        event: dict[str, Any] = {"kind": "action", "time": utc_now(), "description": description, "argv": argv}
        try:
            done = subprocess.run(
                argv,
                capture_output=True,
                text=True,
                timeout=timeout,
                env=self.kubectl.environment(),
                cwd=PROJECT_DIR,
                stdin=subprocess.DEVNULL,
                check=False,
            )
            event.update(exit_code=done.returncode, output=(done.stdout + done.stderr).strip()[-500:])
        except (subprocess.TimeoutExpired, OSError) as err:
            event.update(exit_code=None, output=str(err))
        self.events.append(event)

    def wait(self) -> None:
        """Wait for the actions still running (each ends by its own timeout)."""
        for thread in self.threads:
            thread.join(timeout=max(0.0, self.deadline - time.monotonic()) + 5)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def run_stack(
    stack: str,
    names: Sequence[str],
    out: Path,
    *,
    config: Mapping[str, Any],
    experiments: Sequence[Experiment],
    echo: Echo = lambda line: print(line, file=sys.stderr),
    progress_out: TextIO | None = None,
) -> int:
    """Run the stack's (selected) experiments and write the report; 0 when every verdict is "as expected"."""
    chosen = select(experiments, names, stack)
    if out.exists() and not out.is_dir():
        raise RunProblem(f"--out {out}: exists and is not a folder")
    require_tool("pulumi", INSTALL_PULUMI)
    if any(e.where == "client-pod" or any(a.argv[:1] == ("kubectl",) for a in e.actions) for e in chosen):
        require_tool("kubectl", INSTALL_KUBECTL)
    echo(f"reading the outputs of stack {stack} (pulumi) ...")
    outputs = read_outputs(stack)
    entries: list[dict[str, Any]] = []
    notes: list[str] = []
    interrupted = False
    previous = signal.signal(signal.SIGTERM, _interrupt)  # a SIGTERM stops the run as Ctrl-C does
    with contextlib.ExitStack() as cleanup:
        cleanup.callback(signal.signal, signal.SIGTERM, previous)
        kubeconfig = cleanup.enter_context(kubeconfig_file(outputs))
        runner = Runner(stack, outputs, config, Kubectl(kubeconfig, stack))
        for number, experiment in enumerate(chosen, 1):
            if interrupted:
                notes.append(f"not run (interrupted): {experiment.name}")
                continue
            echo(
                f"[{number}/{len(chosen)}] {experiment.name}: {experiment.title} "
                f"(about {experiment.expected_seconds:.0f} s)"
            )
            progress = Progress(experiment.name, experiment.count, experiment.expected_seconds, progress_out)
            try:
                events, interrupted = runner.run(experiment, progress)
            except KeyboardInterrupt:
                events, interrupted = [error_event("interrupted (Ctrl-C)")], True
            entry = judge(experiment, events, target="cloud")
            entries.append(entry)
            progress.finish(entry["verdict"] + (f": {entry['error']}" if entry.get("error") else ""))
    results = {"stack": stack, "target": "cloud", "config": dict(config), "notes": notes, "experiments": entries}
    write_results(results, out)
    verdicts = [e["verdict"] for e in entries]
    counts = ", ".join(f"{verdicts.count(v)} {v}" for v in dict.fromkeys(verdicts))
    echo(f"wrote {out}/report.md, timeline.png, results.json and events/: {counts or 'nothing ran'}")
    if interrupted:
        return 130
    return 0 if verdicts and all(v == "as expected" for v in verdicts) else 1
