"""checkov gate: checkov's Kubernetes policies over the manifests the stacks would apply.

checkov pins dependencies that conflict with the Pulumi SDK's (packaging<24 vs >=26), so it
runs as its own program from its own virtualenv (`python -m testbed tools` installs it into
`.tools/checkov`), once for all the stacks being checked.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

import yaml

from testbed.engine import PROJECT_ROOT
from testbed.gates import Result, Stack, subject

TOOLS = PROJECT_ROOT / ".tools"
CHECKOV_VENV = TOOLS / "checkov"
REQUIREMENTS = PROJECT_ROOT / "requirements-checkov.txt"


def checkov_command() -> str | None:
    """The checkov executable: TESTBED_CHECKOV, the project's tool venv, or one on PATH."""
    for candidate in (os.environ.get("TESTBED_CHECKOV"), str(CHECKOV_VENV / "bin" / "checkov")):
        if candidate and Path(candidate).exists():
            return candidate
    return shutil.which("checkov")


def install_checkov(echo=print) -> str:
    """Create .tools/checkov with the pinned checkov, unless it is there already."""
    command = checkov_command()
    if command:
        return command
    echo(f"installing checkov into {CHECKOV_VENV.relative_to(PROJECT_ROOT)} (about a minute) ...")
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(CHECKOV_VENV)], check=True)
    pip = [str(CHECKOV_VENV / "bin" / "pip"), "install", "-qq", "--disable-pip-version-check"]
    subprocess.run([*pip, "-r", str(REQUIREMENTS)], check=True)
    return str(CHECKOV_VENV / "bin" / "checkov")


def run_checkov(folder: Path, command: str) -> list[dict]:
    """checkov's failed checks for the Kubernetes manifests under `folder`."""
    result = subprocess.run(
        [
            command,
            "-d",
            str(folder),
            "--framework",
            "kubernetes",
            "-o",
            "json",
            "--quiet",
            "--compact",
            "--skip-download",
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if result.returncode not in (0, 1):
        raise RuntimeError(f"checkov failed ({result.returncode}): {result.stderr.strip()[-500:]}")
    reports = json.loads(result.stdout or "[]")
    reports = reports if isinstance(reports, list) else [reports]
    return [check for report in reports for check in report.get("results", {}).get("failed_checks", [])]


def checkov_gate(stacks: Sequence[Stack]) -> Iterable[Result]:
    with_objects = [s for s in stacks if s.kubernetes_objects]
    if not with_objects:
        return
    command = checkov_command()
    if command is None:
        for stack in with_objects:
            yield stack.finding(
                "checkov", "stack", "manifests", "checkov is not installed: run python -m testbed tools", "checkov"
            )
        return
    with tempfile.TemporaryDirectory(prefix="testbed-checkov-") as tmp:
        files: dict[str, tuple[Stack, object]] = {}
        for stack in with_objects:
            for index, (resource, manifest) in enumerate(stack.kubernetes_objects):
                path = Path(tmp) / stack.name / f"{index:03d}.yaml"
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(yaml.safe_dump(manifest, sort_keys=True))
                files[f"/{stack.name}/{path.name}"] = (stack, resource)
        version = subprocess.run([command, "--version"], capture_output=True, text=True, check=False).stdout.strip()
        for check in run_checkov(Path(tmp), command):
            stack, resource = files[check["file_path"]]
            yield stack.finding(
                "checkov",
                subject(resource),
                check.get("resource", ""),
                f"{check['check_id']} {check['check_name']}",
                f"checkov {version}",
            )
