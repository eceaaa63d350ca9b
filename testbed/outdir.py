"""`plan --out DIR`: a folder testbed owns, written whole or not at all.

- Checked before planning (`out_problem`): not empty text, not a file or device, not a symlink,
  in a place this user can write, and either new, empty, or one testbed wrote before.
- Written into a temporary folder next to DIR (each writer, e.g. `plan.write_plan`, is a call on
  that folder), then moved into place (`publish`): a reader sees the old folder or the new one,
  never a mix.
- Owned through a marker file listing what testbed wrote: a folder that holds anything else is
  refused, so a user's files are never deleted.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from components.errors import shown as shown_value

MARKER = ".testbed-plan"
"""The file that makes a folder testbed's: one written path per line, relative to the folder."""
_HEADER = "# written by python -m testbed plan --out; the files below are testbed's and are replaced whole\n"

PATH_CHARACTERS = 160
"""A path is shown whole up to this length (a value is cut at 60)."""

Writer = Callable[[Path], list[Path]]
"""Writes files under the given (staging) folder; returns what it wrote."""


def shown(value: object) -> str:
    return shown_value(value, PATH_CHARACTERS)


def out_problem(text: str) -> str | None:
    """Why `--out text` cannot be used, as one line, or None."""
    if not text.strip():
        return f"--out {shown(text)}: a folder path (not empty)"
    if any(ord(c) < 0x20 for c in text):
        return f"--out {shown(text)}: a folder path without control characters"
    out = Path(text)
    if out.is_symlink():
        return f"--out {shown(text)}: a folder, not a symlink (give the folder it points to)"
    if out.exists():
        if not out.is_dir():
            return f"--out {shown(text)}: a folder; this is a file or device"
        if foreign := _foreign_files(out):
            return (
                f"--out {shown(text)}: a new or empty folder, or one testbed wrote ({MARKER});"
                f" this one holds other files ({shown(', '.join(foreign[:3]))}), which would be lost"
            )
        if not os.access(out, os.W_OK | os.X_OK):
            return f"--out {shown(text)}: a folder you can write; this one is not writable"
    parent = _existing_parent(out.absolute().parent)
    if not parent.is_dir():
        return f"--out {shown(text)}: a folder path; {shown(str(parent))} is a file"
    if not os.access(parent, os.W_OK | os.X_OK):
        return f"--out {shown(text)}: a place you can write; {shown(str(parent))} is not writable"
    return None


def publish(out: Path, *writers: Writer) -> list[Path]:
    """Run each writer on a fresh staging folder next to `out`, then move that folder into place.

    Returns the files written, as paths under `out`. Call `out_problem` first.
    """
    out = out.absolute()
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))
    try:
        written = [path for writer in writers for path in writer(staging)]
        relative = [path.relative_to(staging) for path in written]
        (staging / MARKER).write_text(_HEADER + "".join(f"{p.as_posix()}\n" for p in relative))
        _swap(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return [out / p for p in relative]


def _swap(staging: Path, out: Path) -> None:
    """Put `staging` where `out` is; the old folder (testbed's, or empty) is removed after."""
    if not out.exists():
        staging.rename(out)
        return
    if problem := out_problem(str(out)):  # checked again: the folder may have changed while planning
        raise OutError(problem)
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
    old.rmdir()
    out.rename(old)
    try:
        staging.rename(out)
    except OSError:
        old.rename(out)
        raise
    shutil.rmtree(old)


class OutError(Exception):
    """`--out` cannot be used: one line saying why."""


def _foreign_files(folder: Path) -> list[str]:
    """Files and folders under `folder` testbed did not write (empty when it is empty or all testbed's)."""
    entries = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*"))
    if not entries:
        return []
    marker = folder / MARKER
    if not marker.is_file():
        return entries
    ours = {line.strip() for line in marker.read_text(errors="replace").splitlines() if not line.startswith("#")}
    ours.add(MARKER)
    folders = {parent.as_posix() for p in ours for parent in Path(p).parents if parent != Path(".")}
    return [e for e in entries if e not in ours and e not in folders]


def _existing_parent(path: Path) -> Path:
    for candidate in (path, *path.parents):
        with contextlib.suppress(OSError):
            if candidate.exists():
                return candidate
    return Path("/")
