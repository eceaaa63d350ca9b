"""python -m testbed: see offline what a stack would build.

python -m testbed plan <scenario> [--out DIR] [-c KEY=VALUE ...]
                                                  resource tree; plan.json and manifests/ with --out
python -m testbed schema [--check]               (re)write stacks/schema/*.schema.json
python -m testbed list                            the scenarios and their stack files
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import pulumi
import yaml

from stacks import SCENARIOS
from stacks.config import SCENARIO_KEY, ConfigError, engine_value
from testbed import schema
from testbed.engine import run_program
from testbed.plan import Plan, render_tree, write_plan
from testbed.stackfile import known_stacks, read_stack_config, stack_file


def _plan(args: argparse.Namespace) -> int:
    stacks = known_stacks()
    if args.scenario not in set(stacks) | set(SCENARIOS):
        known = ", ".join(sorted(set(stacks) | set(SCENARIOS)))
        print(f"unknown scenario {args.scenario!r}; known: {known}", file=sys.stderr)
        return 2
    config = read_stack_config(args.scenario) if args.scenario in stacks else {}
    for setting in args.config:
        key, _, value = setting.partition("=")
        if ":" not in key or not _:
            print(f"--config {setting!r}: expected namespace:key=value, e.g. testbed:clusterName=demo", file=sys.stderr)
            return 2
        config[key] = engine_value(yaml.safe_load(value))
    scenario = config.get(SCENARIO_KEY, args.scenario)
    source = (
        stack_file(args.scenario).relative_to(Path.cwd()) if args.scenario in stacks else "(no stack file: defaults)"
    )
    print(
        f"planning stack {args.scenario} (scenario {scenario}) from {source} under the mock engine ...", file=sys.stderr
    )
    started = time.monotonic()
    try:
        recording = run_program(args.scenario, config)
    except pulumi.RunError as err:
        print(f"{args.scenario}: invalid config:", file=sys.stderr)
        for line in str(err).splitlines():
            print(f"  {line}", file=sys.stderr)
        return 2
    plan = Plan(scenario, recording)
    sys.stdout.write(render_tree(plan))
    print(f"planned {len(recording.resources)} resources in {time.monotonic() - started:.1f}s", file=sys.stderr)
    if args.out:
        written = write_plan(plan, Path(args.out))
        print(
            f"wrote {written[0]} and {len(written) - 1} manifests under {Path(args.out) / 'manifests'}", file=sys.stderr
        )
    return 0


def _schema(args: argparse.Namespace) -> int:
    stale = schema.write_all(check=args.check)
    if args.check and stale:
        for path in stale:
            print(f"out of date: {path} (run python -m testbed schema)", file=sys.stderr)
        return 1
    return 0


def _list(args: argparse.Namespace) -> int:
    stacks = set(known_stacks())
    for name in sorted(SCENARIOS):
        print(f"{name:24} {'stacks/' + stack_file(name).name if name in stacks else '(no stack file)'}")
    return 0


def main(argv: list[str] | None = None) -> int:
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
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except ConfigError as err:
        for line in err.lines:
            print(line, file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
