"""Write one experiment run's results: results.json, report.md, timeline.png and the raw events.

`run` (a deployed stack) and `lab` (this machine) both hand `write_results` the same dict:

    {"stack", "target": "lab" | "cloud", "config": {...}, "notes": [str] (optional),
     "time_scale": F (optional, the lab's: config times are multiplied by it),
     "experiments": [{"name", "title" (optional), "expected", "observed",
                      "verdict": "as expected" | "unexpected" | "error",
                      "events": [client JSON lines and extra {"kind": ...} events],
                      "notes": [str] (optional: what this target could not show),
                      "error": str (optional: why the run stopped),
                      "bed": {"alb.idleTimeoutSeconds": s, ...} (optional, the experiment's scaled settings),
                      "timeouts": {"idle": s, "keepalive": s} (optional, else read from bed or config)}]}

`expected` and `observed` are lists of `{"check", "expected", "observed", "ok"}` (one per
predicate; either list may carry only some of the keys: rows are joined by `check`). Everything
is written into a temporary folder next to `out` and moved into place, so a report is never
half-written, and a rerun replaces exactly the files a run writes.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from testbed.experiments.timeline import config_leaves, experiment_timeline, limits
from testbed.experiments.timeline_png import draw

RESULTS, REPORT, TIMELINE, EVENTS = "results.json", "report.md", "timeline.png", "events"
VERDICTS = ("as expected", "unexpected", "error")
_CONFIG_ROWS = 12
_CELL_CHARS = 120
_LONG_CELL = 400


def write_results(results: Mapping[str, Any], out: Path) -> list[Path]:
    """Write results.json, report.md, timeline.png and events/<experiment>.jsonl under `out`; the paths."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        _write_all(results, staging)
        return _move_into_place(staging, out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _write_all(results: Mapping[str, Any], folder: Path) -> None:
    (folder / RESULTS).write_text(json.dumps(results, indent=2, default=str) + "\n", encoding="utf-8")
    (folder / REPORT).write_text(render_markdown(results), encoding="utf-8")
    events = folder / EVENTS
    events.mkdir()
    for entry in experiments(results):
        lines = "".join(json.dumps(e, default=str) + "\n" for e in entry.get("events") or [])
        (events / f"{file_name(entry)}.jsonl").write_text(lines, encoding="utf-8")
    config = results.get("config") or {}
    scale = results.get("time_scale") or 1.0
    timelines = [
        experiment_timeline(
            str(e.get("name")), str(e.get("verdict")), e.get("events") or [], limits(config, e, time_scale=scale)
        )
        for e in experiments(results)
    ]
    draw(timelines, folder / TIMELINE, f"{results.get('stack', '?')} on {results.get('target', '?')}")


def _move_into_place(staging: Path, out: Path) -> list[Path]:
    """Rename the staged folder to `out`, or, when `out` exists, replace just the files a run writes."""
    if not out.exists():
        staging.rename(out)
        staging.mkdir()  # so the caller's cleanup finds what it made
    else:
        if not out.is_dir():
            raise NotADirectoryError(f"{out} exists and is not a folder")
        for name in (RESULTS, REPORT, TIMELINE):
            os.replace(staging / name, out / name)
        shutil.rmtree(out / EVENTS, ignore_errors=True)
        (staging / EVENTS).rename(out / EVENTS)
    return [out / RESULTS, out / REPORT, out / TIMELINE, out / EVENTS]


def experiments(results: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [e for e in results.get("experiments") or [] if isinstance(e, Mapping)]


def file_name(entry: Mapping[str, Any]) -> str:
    """The experiment's name as a safe file name."""
    name = "".join(c if c.isalnum() or c in "-_." else "_" for c in str(entry.get("name") or "experiment"))
    return name.strip(".") or "experiment"


def checks(entry: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The experiment's predicates as rows {check, expected, observed, ok}, joined by `check` across both lists."""
    rows: dict[str, dict[str, Any]] = {}
    for key in ("expected", "observed"):
        items = entry.get(key)
        if isinstance(items, Mapping):
            items = [{"check": k, key: v} for k, v in items.items()]
        for item in items or []:
            if not isinstance(item, Mapping):
                continue
            row = rows.setdefault(str(item.get("check", "")), {"check": str(item.get("check", ""))})
            for field in ("expected", "observed", "ok", "note"):
                if field in item and (field not in row or row[field] is None):
                    row[field] = item[field]
    return list(rows.values())


def render_markdown(results: Mapping[str, Any]) -> str:
    """report.md: a header (stack, target, config essentials, verdict counts) and one table per experiment."""
    entries = experiments(results)
    counts = {v: sum(1 for e in entries if e.get("verdict") == v) for v in VERDICTS}
    lines = [
        f"# {results.get('stack', '?')}: experiment results ({results.get('target', '?')})",
        "",
        f"- stack: `{results.get('stack', '?')}`",
        f"- target: {_target(results.get('target'))}",
        f"- verdicts: {', '.join(f'{n} {v}' for v, n in counts.items() if n) or 'no experiments ran'}",
    ]
    scale = results.get("time_scale")
    if isinstance(scale, int | float) and scale != 1:
        lines.append(f"- time scale: {scale:g} (every timeout and interval of the config multiplied by it)")
    lines += [f"- note: {_cell(note, _LONG_CELL)}" for note in _notes(results)]
    settings = list(config_leaves(results.get("config") or {}))
    essentials = essential_settings(settings)
    if essentials:
        lines += ["", "| config | value |", "| --- | --- |"]
        lines += [f"| `{key}` | {_cell(value)} |" for key, value in essentials]
        if len(settings) > len(essentials):
            lines.append(f"| … | {len(settings) - len(essentials)} more settings in {RESULTS} |")
    if entries:
        lines += ["", "| experiment | verdict | requests (failed) |", "| --- | --- | --- |"]
        lines += [
            f"| [{_cell(e.get('name'))}](#{_anchor(e)}) | {_badge(str(e.get('verdict')))} | {_counts(e)} |"
            for e in entries
        ]
    lines += ["", f"![timeline]({TIMELINE})", ""]
    for entry in entries:
        lines += _experiment_section(entry)
    return "\n".join(lines).rstrip() + "\n"


def _target(target: Any) -> str:
    if target == "lab":
        return "lab (this machine: the pods' programs behind a local proxy or the kernel's connection tracking)"
    if target == "cloud":
        return "cloud (the deployed stack)"
    return str(target)


def _notes(holder: Mapping[str, Any]) -> list[str]:
    notes = holder.get("notes") or []
    return [notes] if isinstance(notes, str) else [str(n) for n in notes]


def _experiment_section(entry: Mapping[str, Any]) -> list[str]:
    verdict = str(entry.get("verdict", "error"))
    title = f" ({entry['title']})" if entry.get("title") else ""
    lines = [f"## {entry.get('name', '?')}{title}: {_badge(verdict)}", ""]
    if entry.get("error"):
        lines += [f"Stopped: {_cell(entry['error'], _LONG_CELL)}", ""]
    rows = checks(entry)
    if rows:
        lines += ["| check | expected | observed | ok |", "| --- | --- | --- | --- |"]
        lines += [
            f"| {_cell(r['check'], _LONG_CELL)} | {_expected(r)} | {_cell(r.get('observed', ''))} | {_ok(r)} |"
            for r in rows
        ]
    else:
        prose = [str(e) for e in entry.get("expected") or [] if isinstance(e, str)]
        lines += ["No checks were judged. Expected:", *(f"- {_cell(e, _LONG_CELL)}" for e in prose)]
    notes = _notes(entry) + [f"{r['check']}: {r['note']}" for r in rows if r.get("note")]
    notes += [
        f"not shown on this target: {item.get('check')}: {item.get('why')}"
        for item in entry.get("not_covered") or []
        if isinstance(item, Mapping)
    ]
    lines += ["", *(f"> {_cell(n, _LONG_CELL)}" for n in notes)] if notes else []
    lines += ["", _event_summary(entry), ""]
    return lines


def _expected(row: Mapping[str, Any]) -> str:
    """The expected value, unless it only repeats the check."""
    expected = row.get("expected", "")
    return "(as the check says)" if expected == row["check"] else _cell(expected)


def _badge(verdict: str) -> str:
    return {"as expected": "✅ as expected", "unexpected": "❌ unexpected", "error": "⚠️ error"}.get(verdict, verdict)


def _ok(row: Mapping[str, Any]) -> str:
    ok = row.get("ok")
    return "yes" if ok is True else "**no**" if ok is False else "not shown"


def _requests(entry: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [e for e in entry.get("events") or [] if isinstance(e, Mapping) and e.get("event") == "request"]


def _counts(entry: Mapping[str, Any]) -> str:
    requests = _requests(entry)
    return f"{len(requests)} ({sum(1 for r in requests if not r.get('ok'))})"


def _anchor(entry: Mapping[str, Any]) -> str:
    """The GitHub-style anchor of the experiment's section heading."""
    heading = f"{entry.get('name', '?')}" + (f" ({entry['title']})" if entry.get("title") else "")
    heading += f": {_badge(str(entry.get('verdict', 'error')))}"
    kept = "".join(c for c in heading.lower() if c.isalnum() or c in " -_")
    return kept.replace(" ", "-")


def _event_summary(entry: Mapping[str, Any]) -> str:
    events = entry.get("events") or []
    requests = _requests(entry)
    failed = sum(1 for r in requests if not r.get("ok"))
    path = f"{EVENTS}/{file_name(entry)}.jsonl"
    return (
        f"Raw events: [`{path}`]({path}) ({len(requests)} request(s), {failed} failed, "
        f"{len(events) - len(requests)} other line(s))."
    )


def _cell(value: Any, limit: int = _CELL_CHARS) -> str:
    """A value as one Markdown table cell: JSON for structures, pipes escaped, long text cut."""
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    text = " ".join(text.split()).replace("|", "\\|")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def essential_settings(settings: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    """The settings an experiment's outcome turns on: where it runs, then the timeouts, keep-alives,
    intervals, weights and delays; the first few settings when none of those is there."""
    where = ("scenario", "region", "location", "timescale")
    limits = ("timeout", "keepalive", "interval", "weight", "delay")
    first = [row for row in settings if any(word in row[0].lower() for word in where)]
    then = [row for row in settings if row not in first and any(word in row[0].lower() for word in limits)]
    return (first + sorted(then)) or settings[:_CONFIG_ROWS]
