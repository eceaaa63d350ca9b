"""kubectl for `run`: the cluster from the stack's own kubeconfig output, one-line problems.

The stacks export `kubeconfig`; it is written to a private temporary file and passed with
`--kubeconfig`, so `run` talks to the stack's cluster whatever the user's current context is.
Without that output the user's own kubeconfig is used.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from testbed.experiments.stack_outputs import RunProblem

INSTALL_KUBECTL = "install kubectl (https://kubernetes.io/docs/tasks/tools/) and put it on PATH"
READY_TIMEOUT_SECONDS = 30
REQUEST_TIMEOUT = "20s"
# What kubectl prints when the cloud login is missing (the EKS/AKS kubeconfigs run `aws`/`kubelogin`
# to get a token), and when the API server cannot be reached.
_NO_CREDENTIALS = ("unauthorized", "must be logged in", "getting credentials", "executable aws", "executable kubelogin")
_UNREACHABLE = ("unable to connect to the server", "no such host", "i/o timeout", "connection refused")
# Where the beds' client program runs (k8s/keepalive.py: namespace client, Deployment client).
CLIENT_NAMESPACE, CLIENT_DEPLOYMENT, CLIENT_CONTAINER = "client", "client", "client"


@contextlib.contextmanager
def kubeconfig_file(outputs: Mapping[str, Any]) -> Iterator[Path | None]:
    """The stack's `kubeconfig` output as a file readable only by us (deleted afterwards), or None."""
    value = outputs.get("kubeconfig")
    if not value:
        yield None
        return
    text = value if isinstance(value, str) else json.dumps(value)
    handle, name = tempfile.mkstemp(prefix="testbed-kubeconfig-", suffix=".yaml")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
        yield Path(name)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(name)


class Kubectl:
    """kubectl with the stack's kubeconfig; commands built here, run by the caller or by `wait_ready`."""

    def __init__(self, kubeconfig: Path | None, stack: str = "<stack>") -> None:
        self.base = ["kubectl", *(["--kubeconfig", str(kubeconfig)] if kubeconfig else [])]
        self.kubeconfig = kubeconfig
        self.stack = stack

    def environment(self) -> dict[str, str]:
        """This process's environment, with KUBECONFIG set to the stack's: for commands that call kubectl
        themselves (an action's `sh -c "kubectl ... && pulumi up"`)."""
        return {**os.environ, **({"KUBECONFIG": str(self.kubeconfig)} if self.kubeconfig else {})}

    def command(self, args: Sequence[str]) -> list[str]:
        """`kubectl ARGS` against the stack's cluster (`args` without the leading "kubectl")."""
        return [*self.base, *args]

    def exec_client(self, argv: Sequence[str], env: Mapping[str, str]) -> list[str]:
        """Run `argv` in the client pod, with `env` added to the container's own."""
        prefix = ["env", *(f"{key}={value}" for key, value in env.items())] if env else []
        return self.command(
            [
                "-n",
                CLIENT_NAMESPACE,
                "exec",
                f"deploy/{CLIENT_DEPLOYMENT}",
                "-c",
                CLIENT_CONTAINER,
                "--",
                *prefix,
                *argv,
            ]
        )

    def wait_ready(self, timeout: int = READY_TIMEOUT_SECONDS) -> None:
        """Return once the client Deployment is available; RunProblem saying what is wrong otherwise."""
        argv = self.command(
            [
                "--request-timeout",
                REQUEST_TIMEOUT,
                "-n",
                CLIENT_NAMESPACE,
                "rollout",
                "status",
                f"deployment/{CLIENT_DEPLOYMENT}",
                f"--timeout={timeout}s",
            ]
        )
        try:
            done = subprocess.run(
                argv, capture_output=True, text=True, timeout=timeout + 30, stdin=subprocess.DEVNULL, check=False
            )
        except subprocess.TimeoutExpired:
            raise RunProblem(f"kubectl gave no answer in {timeout + 30} s: is the cluster reachable?") from None
        if done.returncode != 0:
            raise RunProblem(kubectl_problem(done.stderr or done.stdout, waited=timeout, stack=self.stack))


def kubectl_problem(stderr: str, *, waited: int | None = None, stack: str = "<stack>") -> str:
    """One line for what kubectl printed when it failed: what is wrong, what to do."""
    text = stderr.lower()
    last = next((line.strip() for line in reversed(stderr.splitlines()) if line.strip()), "no output")
    if any(word in text for word in _NO_CREDENTIALS):
        return f"kubectl has no credentials for the cluster ({last}): log in to the cloud (aws configure / az login)"
    if any(word in text for word in _UNREACHABLE):
        return f"kubectl cannot reach the cluster ({last}): is the stack up, and may this machine reach its API?"
    if "notfound" in text.replace(" ", "") or "not found" in text:
        return f"the client is not deployed ({last}): is the stack up? `pulumi up -s {stack}` builds it"
    if "timed out" in text or "waiting for" in text or "exceeded its progress deadline" in text:
        after = f" after {waited} s" if waited else ""
        return f"the client pod is not ready{after} ({last}): `kubectl -n {CLIENT_NAMESPACE} describe pods` says why"
    return f"kubectl failed: {last}"
