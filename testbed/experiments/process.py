"""Run a child program with a deadline, handing over its stdout line by line as it comes.

`run` reads the client's JSON lines while the client runs (for the progress bar, and so that a
client that dies or an experiment that is interrupted still leaves the lines it printed). The
child gets its own session, so Ctrl-C reaches only us and we stop the child ourselves (SIGTERM,
then SIGKILL): nothing is left running and nothing waits forever.
"""

from __future__ import annotations

import contextlib
import os
import queue
import signal
import subprocess
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

TICK_SECONDS = 0.25
STOP_GRACE_SECONDS = 3.0
STDERR_LINES_KEPT = 20


@dataclass
class Finished:
    """How the child ended: its exit code (None when we had to stop it), why we stopped it, its stderr's tail."""

    exit_code: int | None
    timed_out: bool = False
    interrupted: bool = False
    stderr: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def last_error(self) -> str:
        """The child's last stderr line worth showing ('' when it printed none)."""
        lines = [line.strip() for line in self.stderr if line.strip()]
        return lines[-1] if lines else ""


def _pump(stream: IO[str], into: queue.Queue[tuple[str, str | None]], name: str) -> None:
    try:
        for line in stream:
            into.put((name, line.rstrip("\n")))
    except (OSError, ValueError):
        pass
    finally:
        into.put((name, None))


def stream(
    argv: Sequence[str],
    *,
    timeout: float,
    on_line: Callable[[str], None],
    on_tick: Callable[[float], None] = lambda elapsed: None,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> Finished:
    """Run `argv`, call `on_line` per stdout line and `on_tick(elapsed)` a few times a second.

    Ends when the child exits and its output is read, when `timeout` seconds pass (the child is
    stopped, `timed_out`), or on Ctrl-C (the child is stopped, `interrupted`; the
    KeyboardInterrupt is not re-raised, so the caller can still write what it has).
    """
    started = time.monotonic()
    child = subprocess.Popen(
        list(argv),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        bufsize=1,
        env=None if env is None else dict(env),
        cwd=cwd,
        start_new_session=True,
    )
    lines: queue.Queue[tuple[str, str | None]] = queue.Queue()
    stderr: deque[str] = deque(maxlen=STDERR_LINES_KEPT)
    readers = [
        threading.Thread(target=_pump, args=(child.stdout, lines, "out"), daemon=True),
        threading.Thread(target=_pump, args=(child.stderr, lines, "err"), daemon=True),
    ]
    for reader in readers:
        reader.start()
    open_streams = 2
    result = Finished(exit_code=None)
    try:
        ticked = 0.0
        while open_streams or child.poll() is None:
            elapsed = time.monotonic() - started
            if elapsed > timeout:
                result.timed_out = True
                break
            if elapsed - ticked >= TICK_SECONDS:  # also while lines keep coming
                on_tick(elapsed)
                ticked = elapsed
            try:
                name, line = lines.get(timeout=TICK_SECONDS)
            except queue.Empty:
                continue
            if line is None:
                open_streams -= 1
            elif name == "out":
                on_line(line)
            else:
                stderr.append(line)
    except KeyboardInterrupt:
        result.interrupted = True
    finally:
        if result.timed_out or result.interrupted:
            stop(child)
        _drain(child, readers, lines, stderr, on_line if not result.interrupted else None)
    result.exit_code = None if (result.timed_out or result.interrupted) else child.returncode
    result.stderr = list(stderr)
    result.seconds = round(time.monotonic() - started, 3)
    return result


def stop(child: subprocess.Popen) -> None:
    """SIGTERM the child's session, then SIGKILL it if it is still there after a grace period."""
    for sig, wait in ((signal.SIGTERM, STOP_GRACE_SECONDS), (signal.SIGKILL, STOP_GRACE_SECONDS)):
        if child.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(child.pid, sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.wait(timeout=wait)


def _drain(
    child: subprocess.Popen,
    readers: list[threading.Thread],
    lines: queue.Queue[tuple[str, str | None]],
    stderr: deque[str],
    on_line: Callable[[str], None] | None,
) -> None:
    """Collect what the child printed before it ended (bounded: the readers end with its pipes)."""
    with contextlib.suppress(subprocess.TimeoutExpired):
        child.wait(timeout=STOP_GRACE_SECONDS)
    for reader in readers:
        reader.join(timeout=STOP_GRACE_SECONDS)
    while True:
        try:
            name, line = lines.get_nowait()
        except queue.Empty:
            break
        if line is None:
            continue
        if name == "err":
            stderr.append(line)
        elif on_line is not None:
            on_line(line)
    for pipe in (child.stdout, child.stderr):
        with contextlib.suppress(OSError):
            if pipe is not None:
                pipe.close()
