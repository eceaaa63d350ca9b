"""Fake `pulumi` and `kubectl` executables for testing `python -m testbed run` end to end.

Each is a small Python script written into a folder that a test puts (alone) on PATH. They log
every command line (JSON, one per line) and answer from a JSON state file:

    {"pulumi": {"stacks": {name: outputs}, "fail": stderr text, "hang": seconds},
     "kubectl": {"rollout": "ready" | "not ready" | "unreachable",
                 "exec": {INTERVAL: {"replay": recording name, "pace": s, "die_after": lines,
                                     "exit": code, "stderr": text}}}}

`pulumi` answers the commands the Automation API runs (`version`, `stack select --stack S`,
`stack output --json [--show-secrets] --stack S`) as the real CLI does, including its
"no stack named ... found" error. `kubectl exec ... -- python client.py INTERVAL COUNT` replays
a recording of client.py's output line by line.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from tests.experiment_data import DATA

_COMMON = """#!{python}
import json, os, sys, time
STATE = json.load(open({state!r}))
with open({log!r}, "a") as log:
    log.write(json.dumps([os.path.basename(sys.argv[0]), *sys.argv[1:], {{"pid": os.getpid()}}]) + "\\n")
"""

_PULUMI = """
state = STATE.get("pulumi", {})
args = [a for a in sys.argv[1:] if a != "--non-interactive"]
if args == ["version"]:
    print("v3.200.0")
    sys.exit(0)
time.sleep(state.get("hang", 0))
if state.get("fail"):
    sys.stderr.write(state["fail"] + "\\n")
    sys.exit(255)
stack = args[args.index("--stack") + 1] if "--stack" in args else None
if stack not in state.get("stacks", {}):
    sys.stderr.write(f"error: no stack named '{stack}' found\\n")
    sys.exit(255)
if args[:2] == ["stack", "select"]:
    sys.exit(0)
if args[:3] == ["stack", "output", "--json"]:
    outputs = state["stacks"][stack]
    if "--show-secrets" not in args:
        outputs = {k: "[secret]" if k == "kubeconfig" else v for k, v in outputs.items()}
    print(json.dumps(outputs, indent=4))
    sys.exit(0)
sys.stderr.write(f"fake pulumi: unexpected command {args}\\n")
sys.exit(2)
"""

_KUBECTL = """
state = STATE.get("kubectl", {})
args = sys.argv[1:]
if args[:1] == ["--kubeconfig"]:
    with open({log!r}, "a") as log:
        log.write(json.dumps(["kubeconfig", open(args[1]).read(), oct(os.stat(args[1]).st_mode & 0o777)]) + "\\n")
    args = args[2:]
if "rollout" in args:
    mode = state.get("rollout", "ready")
    if mode == "ready":
        print('deployment "client" successfully rolled out')
        sys.exit(0)
    if mode == "not ready":
        sys.stderr.write('Waiting for deployment "client" rollout to finish: '
                         "0 of 1 updated replicas are available...\\n"
                         "error: timed out waiting for the condition\\n")
        sys.exit(1)
    sys.stderr.write('E1127 09:00:00.000000   4242 memcache.go:265] couldn\\'t get current server API group list: '
                     'Get "https://0123ABCD.gr7.ap-northeast-2.eks.amazonaws.com/api?timeout=20s": dial tcp: '
                     "lookup 0123ABCD.gr7.ap-northeast-2.eks.amazonaws.com: no such host\\n"
                     "Unable to connect to the server: dial tcp: lookup 0123ABCD.gr7.ap-northeast-2.eks.amazonaws.com:"
                     " no such host\\n")
    sys.exit(1)
if "exec" in args:
    program = args[args.index("--") + 1:]
    run = state.get("exec", {}).get(program[-2], {})
    if "stderr" in run and "replay" not in run:
        sys.stderr.write(run["stderr"] + "\\n")
        sys.exit(run.get("exit", 1))
    lines = open(os.path.join({data!r}, run["replay"] + ".jsonl")).read().splitlines()
    failed = False
    for number, line in enumerate(lines):
        if run.get("die_after") is not None and number >= run["die_after"]:
            sys.stderr.write(run.get("stderr", "") + "\\n")
            sys.exit(run.get("exit", 137))
        print(line, flush=True)
        failed = failed or '"ok": false' in line
        time.sleep(run.get("pace", 0))
    sys.exit(run.get("exit", 1 if failed else 0))
sys.stderr.write(f"fake kubectl: unexpected command {args}\\n")
sys.exit(2)
"""


def install(folder: Path, state: dict[str, Any], *, tools: tuple[str, ...] = ("pulumi", "kubectl")) -> Path:
    """Write the fake tools and their state into `folder`/bin; the log file they append to."""
    bin_dir = folder / "bin"
    bin_dir.mkdir(parents=True, exist_ok=True)
    state_file, log = folder / "state.json", folder / "calls.jsonl"
    state_file.write_text(json.dumps(state))
    log.touch()
    common = _COMMON.format(python=sys.executable, state=str(state_file), log=str(log))
    bodies = {
        "pulumi": _PULUMI,
        "kubectl": _KUBECTL.replace("{log!r}", repr(str(log))).replace("{data!r}", repr(str(DATA))),
    }
    for tool in tools:
        path = bin_dir / tool
        path.write_text(common + bodies[tool])
        path.chmod(0o755)
    return log


def calls(log: Path) -> list[list[Any]]:
    """Every logged command line, pid entries stripped."""
    return [[a for a in json.loads(line) if not isinstance(a, dict)] for line in log.read_text().splitlines()]


def pids(log: Path) -> list[int]:
    """The process ids of every fake tool that ran."""
    return [a["pid"] for line in log.read_text().splitlines() for a in json.loads(line) if isinstance(a, dict)]
