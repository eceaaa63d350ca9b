"""The pods' programs, run here: gunicorn with app.py (the server's command line) and client.py.

`python` in the pods' command lines becomes this interpreter, and a bed may prefix both with
`ip netns exec NAME`. Every wait is bounded; `stop` ends a process and what it started.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, Any

from k8s.keepalive import APP_DIR, server_command
from testbed.lab.system import LabFailed

READY_SECONDS = 15.0
STOP_SECONDS = 5.0
# Connects to HOST PORT until it accepts (or 15 s pass); run where the server is (its namespace).
_PROBE = (
    "import socket, sys, time\n"
    "end = time.monotonic() + float(sys.argv[3])\n"
    "while True:\n"
    "    try:\n"
    "        socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=1).close(); break\n"
    "    except OSError:\n"
    "        if time.monotonic() > end: sys.exit(1)\n"
    "        time.sleep(0.05)\n"
)


def here(argv: Sequence[str]) -> list[str]:
    """A pod's command line for this machine: `python` is this interpreter."""
    return [sys.executable if argv[0] == "python" else argv[0], *argv[1:]]


def start(argv: Sequence[str], *, log: Path, env: Mapping[str, str] | None = None) -> subprocess.Popen[bytes]:
    """Start a long-running program in its own process group, its output into `log`."""
    with log.open("ab") as out:
        return subprocess.Popen(
            list(argv),
            cwd=APP_DIR,
            env={**os.environ, **(env or {})},
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def stop(process: subprocess.Popen[Any] | None, sig: int = signal.SIGTERM) -> None:
    """End `process` and its group: `sig`, then SIGKILL after STOP_SECONDS."""
    if process is None or process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, sig)
    try:
        process.wait(STOP_SECONDS)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(STOP_SECONDS)


def wait_listening(prefix: Sequence[str], host: str, port: int, *, what: str, log: Path | None = None) -> None:
    """Return once HOST:PORT accepts connections, seen from where `prefix` runs; LabFailed otherwise."""
    probe = [*prefix, sys.executable, "-c", _PROBE, host, str(port), str(READY_SECONDS)]
    try:
        done = subprocess.run(probe, capture_output=True, timeout=READY_SECONDS + 5, check=False)
    except subprocess.TimeoutExpired:
        done = None
    if done is None or done.returncode != 0:
        tail = log.read_text(errors="replace").strip().splitlines()[-1:] if log and log.exists() else []
        said = f": {tail[0]}" if tail else ""
        raise LabFailed(f"{what} did not listen on {host}:{port} within {READY_SECONDS:g} s{said}")


def start_server(
    prefix: Sequence[str], *, bind: str, keep_alive_seconds: int, timeout_seconds: int, log_level: str, workdir: Path
) -> subprocess.Popen[bytes]:
    """gunicorn with the server pod's command line (k8s/keepalive.py server_command), on `bind`."""
    command = server_command(
        keep_alive_seconds=keep_alive_seconds, timeout_seconds=timeout_seconds, log_level=log_level, bind=bind
    )
    log = workdir / "server.log"
    server = start([*prefix, *here(command)], log=log, env={"HOME": str(workdir)})
    host, _, port = bind.rpartition(":")
    try:
        wait_listening(prefix, host, int(port), what="the gunicorn server", log=log)
    except BaseException:
        stop(server)
        raise
    return server


def client_lines(
    prefix: Sequence[str],
    argv: Sequence[str],
    env: Mapping[str, str],
    *,
    deadline_seconds: float,
    on_line: Callable[[dict[str, Any]], None],
) -> Iterator[dict[str, Any]]:
    """Run client.py (its pod argv, its pod env), yielding its JSON lines as they come.

    Stops it after `deadline_seconds` (then yields an error event); stderr lines and lines that
    are not JSON become `{"kind": "client-output"}` events, so nothing it says is lost.
    """
    process = subprocess.Popen(
        [*prefix, *here(argv)],
        cwd=APP_DIR,
        env={**os.environ, **env},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    lines: queue.Queue[tuple[str, bytes | None]] = queue.Queue()
    readers = [
        threading.Thread(target=_pump, args=(stream, name, lines), daemon=True)
        for stream, name in ((process.stdout, "stdout"), (process.stderr, "stderr"))
    ]
    for reader in readers:
        reader.start()
    end = time.monotonic() + deadline_seconds
    open_streams = len(readers)
    try:
        while open_streams and (remaining := end - time.monotonic()) > 0:
            try:
                name, line = lines.get(timeout=min(remaining, 1.0))
            except queue.Empty:
                continue
            if line is None:
                open_streams -= 1
                continue
            event = _event(line.decode(errors="replace"), name)
            on_line(event)
            yield event
        if open_streams:
            yield {"kind": "error", "message": f"client.py still running after {deadline_seconds:g} s: stopped"}
    finally:
        stop(process, signal.SIGINT)


def _pump(stream: IO[bytes] | None, name: str, lines: queue.Queue[tuple[str, bytes | None]]) -> None:
    """Move `stream`'s lines into `lines`, then None: a reader thread per stream, so no line waits in a buffer."""
    if stream is not None:
        for line in iter(stream.readline, b""):
            lines.put((name, line))
    lines.put((name, None))


def _event(text: str, stream: str) -> dict[str, Any]:
    if stream == "stdout":
        try:
            value = json.loads(text)
        except ValueError:
            value = None
        if isinstance(value, dict):
            return value
    return {"kind": "client-output", "stream": stream, "text": text.rstrip("\n")}
