"""Run a stack's experiments in the lab: for each, build its bed, start the server, run the
client, judge the lines; then write the results (and, when report.py is there, the report)."""

from __future__ import annotations

import json
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from contextlib import closing
from pathlib import Path
from typing import Any

from stacks import scenario_module
from stacks.config import SCENARIO_KEY, load_config, program_value
from stacks.experiments.model import Experiment, experiments_for, judge
from testbed.lab import LAB_SCENARIOS
from testbed.lab.beds import BEDS, KEEP_ALIVE, Bed
from testbed.lab.programs import client_lines, start_server, stop
from testbed.lab.system import LabFailed, LabUnavailable, require

Echo = Callable[[str], None]
CLIENT_TIMEOUT_SECONDS, CLIENT_MAX_SECONDS = 120, 3600  # client.py's defaults, scaled like the rest
NOTES = {
    "alb": [
        "nginx stands for the ALB: one process on 127.0.0.1, so server_peer is nginx's loopback address (a new port "
        "per backend connection), not the addresses of the ALB's nodes in each zone",
        "nginx closes idle client and backend connections at the idle timeout as the ALB does; the ALB's "
        "client_keep_alive.seconds (longest life of a client connection) is not modelled: nginx's own limit is 1 h",
        "gunicorn's --timeout (worker heartbeat) keeps the pod's value: it is not an idle limit",
    ],
    "nlb": [
        "conntrack + nftables DNAT stands for the NLB: one kernel on this machine, no zones or cross-zone balancing; "
        "conntrack's timeout is whole seconds, so the scaled idle timeout is rounded",
        "a packet of a flow conntrack forgot is answered with a TCP reset by the rules (the NLB's documented reply)",
        "gunicorn's --timeout (worker heartbeat) keeps the pod's value: it is not an idle limit",
    ],
}


def lab_kind(stack: str, config: Mapping[str, str]) -> str:
    """ "alb" or "nlb": the bed for this stack's scenario; LabUnavailable for scenarios the lab does not cover."""
    scenario = config.get(SCENARIO_KEY) or stack
    if scenario not in LAB_SCENARIOS:
        covered = " and ".join(LAB_SCENARIOS)
        raise LabUnavailable(
            f"the lab covers {covered}; {stack} ({scenario}) runs only against a deployed stack: python -m testbed run"
        )
    return LAB_SCENARIOS[scenario]


def select(experiments: list[Experiment], names: Sequence[str]) -> list[Experiment]:
    """The named experiments, in the stack's order (all when none is named)."""
    known = [e.name for e in experiments]
    unknown = [name for name in names if name not in known]
    if unknown:
        raise LabUnavailable(f"unknown experiment {unknown[0]!r}; this stack has: {', '.join(known)}")
    return [e for e in experiments if not names or e.name in names]


def run_lab(
    stack: str,
    config: Mapping[str, str],
    *,
    names: Sequence[str] = (),
    time_scale: float = 1.0,
    echo: Echo = lambda line: print(line, file=sys.stderr),
) -> dict[str, Any]:
    """Run the experiments and return the results dict (results.json's shape). Ctrl-C or SIGTERM
    stop the run cleanly: the experiment under way is recorded as an error and the rest skipped."""
    kind = lab_kind(stack, config)
    require(kind)
    module = scenario_module(config.get(SCENARIO_KEY) or stack)
    cfg = load_config(module.Config, config, stack=stack)
    chosen = select(experiments_for(stack, cfg, time_scale=time_scale), names)
    results: dict[str, Any] = {
        "stack": stack,
        "target": "lab",
        "config": {key: program_value(value) for key, value in sorted(config.items())},
        "time_scale": time_scale,
        "notes": NOTES[kind],
        "experiments": [],
    }
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        for number, experiment in enumerate(chosen, 1):
            echo(
                f"[{number}/{len(chosen)}] {experiment.name}: {experiment.title}, "
                f"~{experiment.expected_seconds:g} s (bed {dict(experiment.bed)})"
            )
            events: list[dict[str, Any]] = []
            try:
                _run_one(kind, experiment, cfg, events, progress=_progress(echo, number, len(chosen), experiment))
            except LabFailed as err:
                events.append({"kind": "error", "message": str(err)})
            except KeyboardInterrupt:
                events.append({"kind": "error", "message": "interrupted"})
                results["experiments"].append(judge(experiment, events, target="lab"))
                results["interrupted"] = True
                echo("interrupted: the beds are taken down; results so far are kept")
                break
            entry = judge(experiment, events, target="lab")
            results["experiments"].append(entry)
            echo(f"[{number}/{len(chosen)}] {experiment.name}: {entry['verdict']}" + _failed(entry))
    finally:
        signal.signal(signal.SIGTERM, previous)
    return results


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _failed(entry: Mapping[str, Any]) -> str:
    if entry.get("error"):
        return f" ({entry['error']})"
    wrong = [row for row in entry["observed"] if not row["ok"]]
    return "".join(f"\n    failed: {row['check']}: observed {row['observed']}" for row in wrong)


def _progress(echo: Echo, number: int, total: int, experiment: Experiment) -> Callable[[dict[str, Any]], None]:
    started = time.monotonic()

    def on_line(event: dict[str, Any]) -> None:
        if event.get("event") == "request":
            echo(
                f"[{number}/{total}] {experiment.name}: request {event.get('seq')}/{experiment.count} "
                f"{event.get('connection')}{'' if event.get('ok') else ' FAILED'}, "
                f"{time.monotonic() - started:.1f} s of ~{experiment.expected_seconds:g} s"
            )

    return on_line


def _run_one(
    kind: str,
    experiment: Experiment,
    cfg: Any,
    events: list[dict[str, Any]],
    progress: Callable[[dict[str, Any]], None],
) -> None:
    """Build the bed, start the server, run the client; every event into `events` as it comes."""
    workdir = Path(tempfile.mkdtemp(prefix="testbed-lab-"))
    try:
        with BEDS[kind](experiment.bed, workdir) as bed:
            events.append({"kind": "lab", "event": "bed", **bed.settings})
            server = start_server(
                bed.server_prefix,
                bind=bed.server_bind,
                keep_alive_seconds=int(experiment.bed[KEEP_ALIVE]),
                timeout_seconds=cfg.server.timeout_seconds,
                log_level=cfg.server.log_level,
                workdir=workdir,
            )
            try:
                lines = client_lines(
                    bed.client_prefix,
                    experiment.argv,
                    _client_env(bed, cfg, experiment),
                    deadline_seconds=experiment.expected_seconds * 1.5 + 15,
                    on_line=progress,
                )
                with closing(lines):
                    events.extend(lines)
            finally:
                stop(server)
            events.extend(bed.observe())
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _client_env(bed: Bed, cfg: Any, experiment: Experiment) -> dict[str, str]:
    """The client pod's environment (k8s/keepalive.py), pointed at the bed, its bounds scaled."""
    scale = experiment.time_scale
    return {
        "HOST": bed.host,
        "PORT": str(bed.port),
        "HOST_HEADER": cfg.client.host_header or bed.host,
        "USE_TLS": "false",
        "ENDPOINT": cfg.client.endpoint,
        "PYTHONUNBUFFERED": "1",
        "TIMEOUT": f"{max(1.0, CLIENT_TIMEOUT_SECONDS * scale):g}",
        "MAX_SECONDS": f"{max(10.0, CLIENT_MAX_SECONDS * scale):g}",
        **experiment.env,
    }


def write(results: Mapping[str, Any], out: Path) -> list[Path]:
    """results.json, and report.md, timeline.png and events/ when the report writer is installed."""
    try:
        from testbed.experiments.report import write_results
    except ImportError:
        out.mkdir(parents=True, exist_ok=True)
        path = out / "results.json"
        path.write_text(json.dumps(results, indent=2) + "\n")
        return [path]
    return write_results(results, out)
