"""A deployed stack's outputs, read with Pulumi's Automation API from this project's workspace.

`LocalWorkspace(work_dir=<project>)` runs the `pulumi` CLI there, so the backend is the one
Pulumi.yaml names (file://./.pulumi-state unless you changed it). The Automation API's own
PulumiCommand waits for the CLI without a time limit; `BoundedPulumi` is the same command with
every call bounded, so `run` never hangs on a backend that does not answer. Every failure a
user can fix becomes a `RunProblem` whose message is one line saying what to do.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

PROJECT_DIR = Path(__file__).resolve().parents[2]
PULUMI_TIMEOUT_SECONDS = 60.0
INSTALL_PULUMI = "install the Pulumi CLI (https://www.pulumi.com/docs/iac/download-install/) and put it on PATH"


class RunProblem(Exception):
    """Something the user has to fix before (or instead of) running: the message is one line."""


def require_tool(name: str, install: str) -> str:
    """The tool's path on PATH; RunProblem saying how to install it otherwise."""
    path = shutil.which(name)
    if path is None:
        raise RunProblem(f"{name} is not on PATH: {install}")
    return path


def _bounded_command(timeout: float) -> Any:
    """A PulumiCommand whose calls (`pulumi version` included) end after `timeout` seconds."""
    from pulumi.automation import CommandResult, PulumiCommand
    from pulumi.automation.errors import create_command_error
    from semver import VersionInfo

    class BoundedPulumi(PulumiCommand):
        def __init__(self) -> None:  # the parent's runs `pulumi version` with no time limit
            self.command = "pulumi"
            version = _call(["pulumi", "version"], cwd=None, env=dict(os.environ), timeout=timeout)
            try:
                self.version = VersionInfo.parse(version.stdout.strip().removeprefix("v"))
            except ValueError:
                self.version = None

        def run(self, args, cwd, additional_env, on_output=None, on_error=None):  # type: ignore[no-untyped-def]
            argv = ["pulumi", *([] if "--non-interactive" in args else ["--non-interactive"]), *args]
            env = {**os.environ, **additional_env, "PULUMI_AUTOMATION_API": "true", "PULUMI_SKIP_UPDATE_CHECK": "true"}
            done = _call(argv, cwd=cwd, env=env, timeout=timeout)
            result = CommandResult(stdout=done.stdout, stderr=done.stderr, code=done.returncode)
            if done.returncode != 0:
                raise create_command_error(result)
            return result

    return BoundedPulumi()


def _call(argv: list[str], *, cwd: str | None, env: Mapping[str, str], timeout: float) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(
            argv, cwd=cwd, env=dict(env), capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL
        )
    except subprocess.TimeoutExpired:
        shown = " ".join(arg for arg in argv if arg != "--non-interactive")
        raise RunProblem(
            f"`{shown}` gave no answer in {timeout:g} s: is the backend in Pulumi.yaml reachable?"
        ) from None
    except OSError as err:
        raise RunProblem(f"cannot start pulumi ({err.strerror}): {INSTALL_PULUMI}") from None


def read_outputs(
    stack: str, *, work_dir: Path = PROJECT_DIR, timeout: float = PULUMI_TIMEOUT_SECONDS
) -> dict[str, Any]:
    """The stack's outputs, secrets shown (the kubeconfig is one), as plain values."""
    require_tool("pulumi", INSTALL_PULUMI)
    from pulumi import automation as auto

    try:
        workspace = auto.LocalWorkspace(work_dir=str(work_dir), pulumi_command=_bounded_command(timeout))
        outputs = auto.Stack.select(stack, workspace).outputs()
    except auto.StackNotFoundError:
        raise RunProblem(
            f"stack {stack!r} does not exist in this project's backend: deploy it first with `pulumi up -s {stack}`"
        ) from None
    except auto.CommandError as err:
        raise RunProblem(pulumi_problem(stack, str(err))) from None
    values = {key: output.value for key, output in outputs.items()}
    if not values:
        raise RunProblem(f"stack {stack!r} has no outputs: it is not up; run `pulumi up -s {stack}` first")
    return values


def pulumi_problem(stack: str, message: str) -> str:
    """What to do about a failed pulumi command, from what it printed."""
    text = message.lower()
    if "passphrase" in text:
        return f"pulumi needs the stack's passphrase: set PULUMI_CONFIG_PASSPHRASE (or _FILE) and rerun `run {stack}`"
    if "access_token" in text or "not logged in" in text or "pulumi login" in text:
        return (
            "pulumi is not logged in to the backend: run `pulumi login` (this project's Pulumi.yaml names its backend)"
        )
    lines = [line.strip() for line in message.splitlines() if line.strip() and "error" in line.lower()]
    last = lines[-1] if lines else " ".join(message.split())[-200:]
    return f"pulumi could not read stack {stack!r}: {last}"
