"""Progress of one experiment on stderr: requests done / total, elapsed vs expected seconds.

On a terminal it is one bar redrawn in place, failures on lines of their own; otherwise (CI, a
pipe, a log file) plain lines: one per request of a short run, every failure, and about twenty
for a long one, so the log says what happened and when without control characters.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import Any, TextIO

BAR_WIDTH = 24
PLAIN_LINES = 20


class Progress:
    """Shows one experiment's progress; `say` prints a line of its own without breaking the bar."""

    def __init__(self, name: str, total: int, expected_seconds: float, out: TextIO | None = None) -> None:
        self.name = name
        self.total = max(total, 1)
        self.expected = expected_seconds
        self.out = out or sys.stderr
        self.tty = bool(getattr(self.out, "isatty", lambda: False)())
        self.done = 0
        self.elapsed = 0.0
        self._drawn = False

    def request(self, event: Mapping[str, Any], elapsed: float) -> None:
        """A request line arrived."""
        self.done += 1
        self.elapsed = elapsed
        line = f"{self.name}: request {self.done}/{self.total} {_outcome(event)} {self._clock()}"
        if not self.tty:
            # every request of a short run, every failure, and about 20 lines for a long one (3000 curls)
            step = max(1, self.total // PLAIN_LINES)
            if not event.get("ok") or self.done % step == 0 or self.done in (1, self.total):
                self._write(line + "\n")
        elif not event.get("ok"):
            self.say(line)  # a failed request keeps its own line above the bar
        else:
            self._draw()

    def tick(self, elapsed: float) -> None:
        """Time passes (only the bar shows it)."""
        self.elapsed = elapsed
        if self.tty:
            self._draw()

    def say(self, line: str) -> None:
        """A line of its own (a failure, a note), on a fresh line."""
        self._clear()
        self._write(line + "\n")
        if self.tty and self.done:
            self._draw()

    def finish(self, verdict: str) -> None:
        """The experiment's verdict, on its own line under the requests."""
        self._clear()
        counts = f" ({self.done}/{self.total} requests, {self.elapsed:.0f} s)" if self.done else ""
        self._write(f"{self.name}: {verdict}{counts}\n")

    def _clock(self) -> str:
        return f"{self.elapsed:.0f}/{self.expected:.0f} s"

    def _draw(self) -> None:
        filled = min(BAR_WIDTH, round(BAR_WIDTH * self.done / self.total))
        bar = "#" * filled + "." * (BAR_WIDTH - filled)
        self._write(f"\r{self.name} [{bar}] {self.done}/{self.total} requests  {self._clock()}\x1b[K")
        self._drawn = True

    def _clear(self) -> None:
        if self._drawn:
            self._write("\r\x1b[K")
            self._drawn = False

    def _write(self, text: str) -> None:
        self.out.write(text)
        self.out.flush()


def _outcome(event: Mapping[str, Any]) -> str:
    """A request line in a few words: ok/failed, connection, reason or error, status."""
    parts = ["ok" if event.get("ok") else "FAILED"]
    for key in ("connection", "reason", "error"):
        if event.get(key):
            parts.append(str(event[key]))
    if isinstance(event.get("peer_closed_after_s"), int | float):
        parts[-1] += f" after {event['peer_closed_after_s']:g} s"
    if event.get("status") is not None:
        parts.append(f"status {event['status']}")
    return ", ".join(parts)
