"""IAM gate: every policy and trust policy the stack renders, linted by parliament.

parliament's command line misreads a non-terminal stdin, so its Python API is used
(`analyze_policy_string`, offline). Its action list predates a few actions the LB controller's
policy uses; such findings are allow-listed with the reason, not silenced wholesale.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import cache

import parliament
from parliament import analyze_policy_string

from testbed.gates import Result, Stack, subject
from testbed.plan import plain

# Inputs that hold IAM policy documents, by resource type.
POLICY_INPUTS = {
    "aws:iam/policy:Policy": ("policy",),
    "aws:iam/role:Role": ("assumeRolePolicy",),
    "aws:iam/rolePolicy:RolePolicy": ("policy",),
}


@cache
def _severity(issue: str) -> str:
    return str(parliament.config.get(issue, {}).get("severity", "unknown")).lower()


def lint(document: str) -> list[tuple[str, str]]:
    """(issue, detail) for every parliament finding on one policy document."""
    analyzed = analyze_policy_string(document)
    findings = []
    for finding in analyzed.findings:
        detail = finding.detail if isinstance(finding.detail, str) else ", ".join(map(str, finding.detail or []))
        findings.append((finding.issue, f"{finding.issue} ({_severity(finding.issue)}): {detail}"))
    return sorted(set(findings))


def iam_gate(stacks: Sequence[Stack]) -> Iterable[Result]:
    source = f"parliament {parliament.__version__}"
    for stack in stacks:
        for resource in stack.resources:
            for key in POLICY_INPUTS.get(resource.type, ()):
                document = plain(resource.inputs).get(key)
                if not isinstance(document, str):
                    continue
                for _, message in lint(document):
                    yield stack.finding("iam-lint", subject(resource), key, message, source)
