"""python -m testbed: plan a test bed offline, check it, and run its experiments in the lab or the cloud.

python -m testbed list                            the stacks and their stack files
python -m testbed plan <stack> [--out DIR] [-c KEY=VALUE ...]
                                                  resource tree, time and cost; plan.json, lifecycle.json, manifests/
python -m testbed check <stack> ... | --all       the upstream gates; non-zero on any finding
python -m testbed lab <stack> --out DIR [--time-scale F] [-c KEY=VALUE ...] [EXPERIMENT ...]
                                                  the stack's experiments on this machine (real proxy / kernel)
python -m testbed run <stack> [EXPERIMENT ...] --out DIR
                                                  the stack's experiments on the deployed bed; report in DIR
python -m testbed compare A B                     where two results.json differ (exit 1 when verdicts do)
python -m testbed golden [--update] | schema [--check] | reference [--check] | tools
                                                  maintainers: golden plans, JSON Schemas, reference data, checkov
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

# Each command imports what it needs when it runs: `--help`, `list` and `plan` work on
# requirements.txt alone; the gates' tools come from requirements-dev.txt.
from stacks import SCENARIOS
from stacks.config import SCENARIO_KEY, ConfigError
from testbed.experiments.commands import add_commands
from testbed.gates import GATES, GateUnavailable
from testbed.stackfile import apply_override, display_path, known_stacks, read_stack_config, stack_file

if TYPE_CHECKING:
    from testbed.engine import Recording
    from testbed.gates import Stack
    from testbed.lifecycle import Lifecycle
    from testbed.plan import Plan


def _plan(args: argparse.Namespace) -> int:
    from stacks.support import plan_date
    from testbed.lifecycle import analyse, region_of, summary_line
    from testbed.outdir import out_problem

    if not _known(args.scenario, "scenario"):
        return 2
    if args.out is not None and (problem := out_problem(args.out)):
        print(problem, file=sys.stderr)
        return 2
    config = _overridden(args.scenario, args.config)
    scenario = config.get(SCENARIO_KEY, args.scenario)
    has_file = args.scenario in known_stacks()
    source = display_path(stack_file(args.scenario)) if has_file else "(no stack file: defaults)"
    print(
        f"planning stack {args.scenario} (scenario {scenario}) from {source} under the mock engine ...", file=sys.stderr
    )
    started = time.monotonic()
    recording = _record(args.scenario, config)
    if recording is None:
        return 2
    from testbed.plan import Plan, render_tree

    plan = Plan(scenario, recording)
    sys.stdout.write(render_tree(plan))
    print(f"planned {len(recording.resources)} resources in {time.monotonic() - started:.1f}s", file=sys.stderr)
    lifecycle = analyse(recording.resources, region=region_of(config), today=plan_date())
    if args.out is not None and _write_out(plan, lifecycle, Path(args.out)) != 0:
        return 2
    print(summary_line(lifecycle))
    return 0


def _write_out(plan: Plan, lifecycle: Lifecycle, out: Path) -> int:
    """plan.json, manifests/ and lifecycle.json into `out`, moved into place whole (testbed.outdir)."""
    from testbed.lifecycle import write_lifecycle
    from testbed.outdir import OutError, publish
    from testbed.plan import write_plan

    try:
        written = publish(
            out, lambda staging: write_plan(plan, staging), lambda staging: [write_lifecycle(lifecycle, staging)]
        )
    except (OutError, OSError) as err:
        print(str(err) if isinstance(err, OutError) else f"--out {out}: {err.strerror or err}", file=sys.stderr)
        return 2
    manifests = [p for p in written if "manifests" in p.parts]
    print(f"wrote {written[0]} and {len(manifests)} manifests under {out / 'manifests'}", file=sys.stderr)
    print(f"wrote {written[-1]}", file=sys.stderr)
    return 0


def _known(name: str, noun: str) -> bool:
    """Whether `name` is a stack file or a scenario; if not, says so in one line naming the known ones."""
    known = set(known_stacks()) | set(SCENARIOS)
    if name not in known:
        print(f"unknown {noun} {name!r}; known: {', '.join(sorted(known))}", file=sys.stderr)
    return name in known


def _overridden(name: str, settings: list[str]) -> dict[str, str]:
    """The config of stack `name` (a scenario without a stack file: none, so its defaults) with each
    `-c KEY=VALUE` applied (KEY may be a path: testbed:nlb.tcpIdleTimeoutSeconds); ConfigError, one line,
    for a malformed one."""
    config = read_stack_config(name) if name in known_stacks() else {}
    for setting in settings:
        config = apply_override(config, setting)
    return config


def _lab(args: argparse.Namespace) -> int:
    from testbed.lab.runner import run_lab, write
    from testbed.lab.system import LabUnavailable

    if not _known(args.stack, "stack"):
        return 2
    if not 0.01 <= args.time_scale <= 1:
        print(f"--time-scale {args.time_scale:g}: must be between 0.01 and 1", file=sys.stderr)
        return 2
    config = _overridden(args.stack, args.config)
    started = time.monotonic()
    try:
        results = run_lab(args.stack, config, names=args.experiments, time_scale=args.time_scale)
    except LabUnavailable as err:
        print(err, file=sys.stderr)
        return 2
    written = write(results, Path(args.out))
    verdicts = [entry["verdict"] for entry in results["experiments"]]
    print(
        f"{verdicts.count('as expected')}/{len(verdicts)} as expected in {time.monotonic() - started:.0f} s; "
        f"wrote {', '.join(str(p) for p in written[:3])}{' ...' if len(written) > 3 else ''}",
        file=sys.stderr,
    )
    if results.get("interrupted"):
        return 130
    return 0 if verdicts and all(v == "as expected" for v in verdicts) else 1


def _record(stack: str, config: dict[str, str]) -> Recording | None:
    """Run the program as `stack`; None, after printing one line per problem, when the config is invalid."""
    import pulumi

    from components.errors import ArgsError
    from testbed.engine import run_program

    try:
        return run_program(stack, config)
    except (pulumi.RunError, ArgsError, ConfigError) as err:
        print(f"{stack}: invalid config:", file=sys.stderr)
        for line in str(err).splitlines():
            print(f"  {line}", file=sys.stderr)
        return None


def _plan_stacks(names: list[str]) -> list[Stack] | None:
    """Plan each named stack file; None (after saying why) when one cannot be planned."""
    from testbed.gates import Stack
    from testbed.plan import Plan

    known = known_stacks()
    stacks = []
    for name in names:
        if name not in known:
            print(f"unknown stack {name!r}; known: {', '.join(known)}", file=sys.stderr)
            return None
        config = read_stack_config(name)
        recording = _record(name, config)
        if recording is None:
            return None
        stacks.append(Stack(Plan(config.get(SCENARIO_KEY, name), recording), config))
    return stacks


def _check(args: argparse.Namespace) -> int:
    from testbed.gates import run_gates

    names = known_stacks() if args.all else args.stacks
    if not names:
        print("name stacks to check, or --all", file=sys.stderr)
        return 2
    started = time.monotonic()
    print(f"planning {len(names)} stack(s): {', '.join(names)} ...", file=sys.stderr)
    stacks = _plan_stacks(names)
    if stacks is None:
        return 2
    report = run_gates(stacks, only=args.gate or None, progress=lambda m: print(m, file=sys.stderr))
    for note in report.notes:
        print(note.line(), file=sys.stderr)
    if args.verbose:
        for finding, allowed in report.allowed:
            print(f"allowed: {finding.line()} -- {allowed.reason}", file=sys.stderr)
    for finding in report.findings:
        print(finding.line())
    print(
        f"{len(report.findings)} finding(s), {len(report.allowed)} allowed, {len(report.notes)} note(s) "
        f"over {len(stacks)} stack(s) in {time.monotonic() - started:.1f}s",
        file=sys.stderr,
    )
    return 0 if report.ok else 1


def _golden(args: argparse.Namespace) -> int:
    from stacks.support import TODAY_ENV
    from testbed import golden
    from testbed.plan import plan_json

    os.environ[TODAY_ENV] = golden.PLANNED_ON

    stacks = _plan_stacks(args.stacks or known_stacks())
    if stacks is None:
        return 2
    stale = 0
    for stack in stacks:
        text = plan_json(stack.plan)
        if golden.is_current(stack.name, text):
            continue
        if args.update:
            print(f"wrote {golden.write(stack.name, text).relative_to(Path.cwd())}", file=sys.stderr)
        else:
            stale += 1
            print(
                f"out of date: {golden.golden_path(stack.name)} (run python -m testbed golden --update)",
                file=sys.stderr,
            )
    return 1 if stale else 0


def _tools(args: argparse.Namespace) -> int:
    from testbed.gates.checkov import install_checkov

    print(f"checkov: {install_checkov(echo=lambda m: print(m, file=sys.stderr))}", file=sys.stderr)
    return 0


def _schema(args: argparse.Namespace) -> int:
    from testbed import schema

    stale = schema.write_all(check=args.check)
    if args.check and stale:
        for path in stale:
            print(f"out of date: {path} (run python -m testbed schema)", file=sys.stderr)
        return 1
    return 0


def _reference(args: argparse.Namespace) -> int:
    from testbed.reference.derive import shared_reference_dir, write_all

    source = shared_reference_dir()
    if source is None:
        print(
            "no upstream reference files: set TESTBED_SHARED to the folder holding reference/ "
            "(default: ../shared beside the checkout)",
            file=sys.stderr,
        )
        return 2
    changed = write_all(source, check=args.check)
    for path in changed:
        if args.check:
            print(f"out of date: {path} (run python -m testbed reference)", file=sys.stderr)
        else:
            print(f"wrote {path}", file=sys.stderr)
    return 1 if args.check and changed else 0


def _list(args: argparse.Namespace) -> int:
    stacks = set(known_stacks())
    for name in sorted(SCENARIOS):
        print(f"{name:24} {'stacks/' + stack_file(name).name if name in stacks else '(no stack file)'}")
    return 0


def parser() -> argparse.ArgumentParser:
    """The command line, built without running anything (the docs' commands are checked against it)."""
    parser = argparse.ArgumentParser(prog="python -m testbed", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    plan = commands.add_parser("plan", help="show what a stack would build, offline (mock engine)")
    plan.add_argument("scenario", help="stack name (stacks/Pulumi.<name>.yaml) or scenario")
    plan.add_argument("--out", metavar="DIR", help="also write DIR/plan.json and DIR/manifests/")
    plan.add_argument(
        "-c",
        "--config",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a stack-file key for this plan, e.g. -c 'testbed:network={natGateways: one-per-az}'",
    )
    plan.set_defaults(run=_plan)
    check = commands.add_parser("schema", help="write the stack-file JSON Schemas from the config models")
    check.add_argument("--check", action="store_true", help="only report schemas that are out of date")
    check.set_defaults(run=_schema)
    commands.add_parser("list", help="list the scenarios").set_defaults(run=_list)
    reference = commands.add_parser(
        "reference", help="derive testbed/reference/*.json from the upstream files in ../shared/reference"
    )
    reference.add_argument("--check", action="store_true", help="only report data files that are out of date")
    reference.set_defaults(run=_reference)
    lab = commands.add_parser(
        "lab", help="run a stack's keep-alive experiments on this machine: real nginx / conntrack as the LB"
    )
    lab.add_argument("stack", help="stack name (stacks/Pulumi.<name>.yaml) or scenario")
    lab.add_argument("experiments", nargs="*", metavar="EXPERIMENT", help="only these (default: all of the stack's)")
    lab.add_argument("--out", metavar="DIR", required=True, help="write DIR/results.json (and the report)")
    lab.add_argument(
        "--time-scale", type=float, default=1.0, metavar="F", help="multiply every timeout and interval by F, e.g. 0.1"
    )
    lab.add_argument("-c", "--config", action="append", default=[], metavar="KEY=VALUE", help="override a config key")
    lab.set_defaults(run=_lab)
    check_cmd = commands.add_parser("check", help="run the upstream gates over stacks; non-zero on any finding")
    check_cmd.add_argument("stacks", nargs="*", help="stack names (stacks/Pulumi.<name>.yaml)")
    check_cmd.add_argument("--all", action="store_true", help="every stack file")
    check_cmd.add_argument("--gate", action="append", choices=list(GATES), help="run only this gate (repeatable)")
    check_cmd.add_argument("-v", "--verbose", action="store_true", help="also list allow-listed findings")
    check_cmd.set_defaults(run=_check)
    golden_cmd = commands.add_parser("golden", help="compare stacks' plans with tests/golden/")
    golden_cmd.add_argument("stacks", nargs="*", help="stack names (default: all)")
    golden_cmd.add_argument("--update", action="store_true", help="rewrite the golden files")
    golden_cmd.set_defaults(run=_golden)
    commands.add_parser("tools", help="install checkov into .tools/checkov").set_defaults(run=_tools)
    add_commands(commands)  # run, compare
    return parser


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    """The parsed command line; `lab` and `run` also take experiment names after their options."""
    cli = parser()
    args, extra = cli.parse_known_args(argv)
    if extra and getattr(args, "command", None) in ("lab", "run") and not any(e.startswith("-") for e in extra):
        args.experiments = [*args.experiments, *extra]  # names after the options: `lab S --time-scale F NAME`
    elif extra:
        cli.error(f"unrecognized arguments: {' '.join(extra)}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    try:
        return args.run(args)
    except ConfigError as err:
        for line in err.lines:
            print(line, file=sys.stderr)
        return 2
    except GateUnavailable as err:
        print(err, file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
