"""What the lab needs from this machine, and running its system commands with one-line errors."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
from collections.abc import Sequence

COMMAND_TIMEOUT_SECONDS = 20


class LabUnavailable(Exception):
    """This machine cannot run the lab; the message says what to do, in one line."""


class LabFailed(Exception):
    """A step of building or running a bed failed; the message names the step."""


def require(kind: str) -> None:
    """Raise LabUnavailable unless the bed `kind` ("alb" or "nlb") can be built here."""
    missing_python = [name for name in ("gunicorn", "gevent") if importlib.util.find_spec(name) is None]
    if missing_python:
        raise LabUnavailable(
            f"the lab runs the server with {' and '.join(missing_python)}: pip install -r requirements.txt"
        )
    if kind == "alb":
        if shutil.which("nginx") is None:
            raise LabUnavailable("the ALB lab needs nginx: apt-get install nginx-light (see .ci/lab-packages)")
        return
    if os.geteuid() != 0:
        raise LabUnavailable("the NLB lab makes network namespaces and needs root: run it as root (e.g. sudo)")
    missing = [tool for tool in ("ip", "nft", "sysctl") if shutil.which(tool) is None]
    if missing:
        raise LabUnavailable(
            f"the NLB lab needs {', '.join(missing)}: apt-get install iproute2 nftables procps (see .ci/lab-packages)"
        )


def run(argv: Sequence[str], *, step: str, stdin: str | None = None) -> str:
    """Run a system command to completion (bounded); its stdout, or LabFailed naming `step`."""
    try:
        done = subprocess.run(
            list(argv), input=stdin, capture_output=True, text=True, timeout=COMMAND_TIMEOUT_SECONDS, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as err:
        raise LabFailed(f"{step}: {' '.join(argv)}: {err}") from None
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()
        raise LabFailed(f"{step}: {' '.join(argv)}: {detail[-1] if detail else f'exit {done.returncode}'}")
    return done.stdout
