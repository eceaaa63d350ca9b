"""The `run` and `compare` subcommands of `python -m testbed`: their arguments and what they print.

Registered by testbed/__main__.py with `add_commands`; each imports what it needs only when it
runs, so `--help` and the other commands stay light (no pulumi, no matplotlib).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any


def add_commands(commands: Any) -> None:
    """Add `run` and `compare` to the CLI's subparsers."""
    run = commands.add_parser("run", help="run a deployed stack's experiments; results, report and timeline")
    run.add_argument("stack", help="stack name (stacks/Pulumi.<name>.yaml), deployed with pulumi up")
    run.add_argument("experiments", nargs="*", metavar="EXPERIMENT", help="experiment names (default: all)")
    run.add_argument("--out", metavar="DIR", required=True, help="write results.json, report.md, timeline.png here")
    run.set_defaults(run=run_command)
    compare = commands.add_parser("compare", help="where two results.json differ (run vs lab, or two runs)")
    compare.add_argument("a", metavar="A", help="a results.json or the folder holding it")
    compare.add_argument("b", metavar="B", help="another results.json or folder")
    compare.set_defaults(run=compare_command)


def run_command(args: argparse.Namespace) -> int:
    """`run`: exit 0 when every verdict is "as expected", 1 otherwise, 2 when nothing could run, 130 on Ctrl-C."""
    from stacks.experiments.model import experiments_for
    from testbed.experiments.run import run_stack
    from testbed.experiments.stack_outputs import RunProblem
    from testbed.stackfile import known_stacks, read_stack_config

    if args.stack not in known_stacks():
        print(f"unknown stack {args.stack!r}; known: {', '.join(known_stacks())}", file=sys.stderr)
        return 2
    config = read_stack_config(args.stack)
    try:
        experiments = experiments_for(args.stack, config)
        return run_stack(args.stack, args.experiments, Path(args.out), config=config, experiments=experiments)
    except RunProblem as problem:
        print(f"run: {problem}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("run: interrupted (Ctrl-C) before any experiment ran; nothing written", file=sys.stderr)
        return 130


def compare_command(args: argparse.Namespace) -> int:
    """`compare`: exit 0 when both sides have the same verdicts, 1 when not, 2 when a side is unreadable."""
    from testbed.experiments.compare import ResultsError, describe, differences, load

    try:
        a, b = load(Path(args.a)), load(Path(args.b))
    except ResultsError as err:
        print(f"compare: {err}", file=sys.stderr)
        return 2
    found = differences(a, b)
    print(describe(a, b))
    for difference in found:
        print(difference.line())
    verdicts = sum(1 for d in found if d.verdict)
    print(f"{verdicts} verdict(s) differ, {len(found) - verdicts} other difference(s)" if found else "no differences")
    return 1 if verdicts else 0
