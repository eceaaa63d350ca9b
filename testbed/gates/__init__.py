"""Upstream gates: every object a stack would create, checked by the schema or policy it will meet.

Without a cloud the risk is a stack that passes under the mock engine and fails at `pulumi up`
(a misspelled key, a bad enum, a value out of range) or deploys something unsafe; the judges are
upstream artefacts and well-kept tools, in the modules here. `python -m testbed check <stack>|--all`
runs them; findings in `allowlist.yaml` (each with a one-line reason) are accepted.
The gates and their judges: docs/plan-and-checks.md.
"""

from __future__ import annotations

import fnmatch
import importlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path

import yaml

from stacks.support import plan_date
from testbed.engine import Resource
from testbed.plan import Plan, is_kubernetes_object, plain

ALLOWLIST = Path(__file__).with_name("allowlist.yaml")


@dataclass(frozen=True, order=True)
class Finding:
    """One thing an upstream judge would reject or flag."""

    stack: str
    gate: str
    subject: str
    """What it is about: '<type> <name>' of a resource, or a config key."""
    field: str
    message: str
    source: str
    """The upstream authority that says so."""

    def line(self) -> str:
        return f"{self.stack}: {self.gate}: {self.subject}: {self.field}: {self.message} [{self.source}]"


@dataclass(frozen=True)
class Note:
    """Something a gate could not judge, said out loud rather than skipped silently."""

    stack: str
    gate: str
    message: str

    def line(self) -> str:
        return f"{self.stack}: {self.gate}: note: {self.message}"


def subject(resource: Resource) -> str:
    return f"{resource.type} {resource.name}"


@dataclass
class Stack:
    """One planned stack, as the gates see it."""

    plan: Plan
    raw_config: dict[str, str]
    today: date = field(default_factory=plan_date)
    """The day version support is judged on: today, or TESTBED_TODAY (tests pin it)."""

    @property
    def name(self) -> str:
        return self.plan.stack

    @property
    def resources(self) -> list[Resource]:
        return self.plan.resources

    def of_type(self, *types: str) -> list[Resource]:
        return [r for r in self.resources if r.type in types]

    @cached_property
    def by_urn(self) -> dict[str, Resource]:
        return {r.urn: r for r in self.resources}

    @cached_property
    def by_id(self) -> dict[str, Resource]:
        return {r.id: r for r in self.resources if r.id}

    @cached_property
    def kubernetes_objects(self) -> list[tuple[Resource, dict]]:
        return [(r, plain(r.inputs)) for r in self.resources if is_kubernetes_object(r)]

    def finding(self, gate: str, about: str, field: str, message: str, source: str) -> Finding:
        return Finding(self.name, gate, about, field, message, source)

    def note(self, gate: str, message: str) -> Note:
        return Note(self.name, gate, message)


Result = Finding | Note
GateFunction = Callable[[Sequence[Stack]], Iterable[Result]]


@dataclass(frozen=True)
class Allowed:
    """An accepted finding: matched by gate, subject and field (globs) and a message substring."""

    gate: str
    subject: str
    field: str
    match: str
    reason: str

    def covers(self, finding: Finding) -> bool:
        return (
            self.gate == finding.gate
            and fnmatch.fnmatchcase(finding.subject, self.subject)
            and fnmatch.fnmatchcase(finding.field, self.field)
            and self.match in finding.message
        )


def load_allowlist(path: Path = ALLOWLIST) -> list[Allowed]:
    entries = yaml.safe_load(path.read_text()) or []
    allowed = []
    for entry in entries:
        if not str(entry.get("reason", "")).strip():
            raise ValueError(f"{path.name}: entry {entry} has no reason")
        allowed.append(
            Allowed(
                entry["gate"],
                entry.get("subject", "*"),
                entry.get("field", "*"),
                entry.get("match", ""),
                entry["reason"],
            )
        )
    return allowed


@dataclass
class Report:
    """What the gates said about some stacks."""

    findings: list[Finding]
    """Findings not covered by the allow-list: each one fails the check."""
    allowed: list[tuple[Finding, Allowed]]
    notes: list[Note]

    @property
    def ok(self) -> bool:
        return not self.findings


GATES: dict[str, tuple[str, str]] = {
    "kubernetes-schema": ("kubernetes", "schema_gate"),
    "crd-schema": ("kubernetes", "crd_gate"),
    "helm-values": ("kubernetes", "helm_values_gate"),
    "aws-api": ("aws", "aws_api_gate"),
    "iam-lint": ("iam", "iam_gate"),
    "checkov": ("checkov", "checkov_gate"),
    "secure-defaults": ("security", "secure_defaults_gate"),
    "destroy-safety": ("destroy", "destroy_safety_gate"),
    "lifecycle": ("lifecycle", "lifecycle_gate"),
    "config-sweep": ("config_sweep", "config_sweep_gate"),
}
"""Every gate, by name, in the order they run: (module under testbed.gates, function).

Named here rather than imported, so the CLI lists the gates without importing their tools
(botocore, parliament, kubernetes-validate come from requirements-dev.txt)."""


class GateUnavailable(RuntimeError):
    """A gate's tool is not installed; the message says which requirements file installs it."""


def load_gate(name: str) -> GateFunction:
    """Import gate `name`; GateUnavailable naming the missing module and where it comes from."""
    module_name, function = GATES[name]
    try:
        module = importlib.import_module(f"testbed.gates.{module_name}")
    except ModuleNotFoundError as err:
        raise GateUnavailable(
            f"gate {name} needs the Python package {err.name!r}: "
            f"install the gates' tools with .venv/bin/pip install -r requirements-dev.txt"
        ) from None
    return getattr(module, function)


def gates() -> dict[str, GateFunction]:
    """Every gate, by name, in the order they run (imports each gate's tools)."""
    return {name: load_gate(name) for name in GATES}


def run_gates(
    stacks: Sequence[Stack],
    *,
    only: Iterable[str] | None = None,
    allowlist: list[Allowed] | None = None,
    progress: Callable[[str], None] = lambda _: None,
) -> Report:
    """Run the gates (all, or `only` those named) over `stacks`."""
    allowlist = load_allowlist() if allowlist is None else allowlist
    selected = {name: load_gate(name) for name in GATES if only is None or name in set(only)}
    findings: list[Finding] = []
    allowed: list[tuple[Finding, Allowed]] = []
    notes: list[Note] = []
    for name, gate in selected.items():
        progress(f"gate {name} ...")
        for result in gate(stacks):
            if isinstance(result, Note):
                notes.append(result)
                continue
            cover = next((a for a in allowlist if a.covers(result)), None)
            if cover is None:
                findings.append(result)
            else:
                allowed.append((result, cover))
    return Report(sorted(set(findings)), allowed, notes)
