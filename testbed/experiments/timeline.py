"""What happened on each connection, over time: the facts timeline.png draws (timeline_png.py).

Read from the client's JSON lines (k8s/apps/keepalive/client.py) by plain functions: one lane
per client connection (its local port), requests by outcome, the peer's FIN or RST where the
client saw it, and after every answer the load balancer's idle timeout and the server's
keep-alive as spans, so a FIN that lands at the end of the idle span (seed 000's 70 s run) or
a backend connection replaced after the keep-alive (its 30 s run) shows at a glance.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

MarkKind = Literal["new", "reused", "reopened", "failed", "fin", "rst", "backend"]
NO_CONNECTION = "no connection"
ONE_SHOT = "one-shot requests"
PEER_FIN = "peer FIN while idle"
PEER_RST = "peer RST while idle"
SERVER_CLOSING = "server sent Connection: close"

# Config leaf keys (lower case, letters only) that name the two limits the timeline draws.
_IDLE_KEYS = {"idletimeoutseconds", "tcpidletimeoutseconds"}
_KEEPALIVE_KEYS = {"keepaliveseconds"}


@dataclass(frozen=True)
class Mark:
    """Something that happened at `t` seconds on a lane."""

    t: float
    lane: str
    kind: MarkKind
    label: str = ""


@dataclass(frozen=True)
class Span:
    """A limit running on an idle connection: from its last answer, `label` seconds long (cut at its next use)."""

    start: float
    end: float
    lane: str
    label: str
    kind: Literal["idle", "keepalive"]


@dataclass
class Timeline:
    """One experiment's lanes, marks and spans, times in seconds from the client's start."""

    name: str
    verdict: str
    lanes: list[str] = field(default_factory=list)
    marks: list[Mark] = field(default_factory=list)
    spans: list[Span] = field(default_factory=list)
    lifetimes: dict[str, tuple[float, float]] = field(default_factory=dict)
    limits: dict[str, str] = field(default_factory=dict)
    actions: list[tuple[float, str]] = field(default_factory=list)
    end: float = 0.0


def parse_time(value: Any) -> float | None:
    """Seconds since the epoch of an ISO 8601 time ("...Z" allowed), or None."""
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def config_leaves(value: Any, path: str = "") -> Iterable[tuple[str, Any]]:
    """(dotted path, value) of every setting in a config; JSON strings of objects (as the engine
    holds them) opened up, lists kept whole."""
    if isinstance(value, str) and value[:1] in "{[":
        with contextlib.suppress(ValueError):
            value = json.loads(value)
    if isinstance(value, Mapping):
        for key, item in value.items():
            yield from config_leaves(item, f"{path}.{key}" if path else str(key))
    else:
        yield path, value


def _number(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


def limits(
    config: Mapping[str, Any], entry: Mapping[str, Any], *, time_scale: float = 1.0
) -> dict[str, tuple[str, float]]:
    """The idle timeout and keep-alive to draw: {"idle"|"keepalive": (label, seconds)}.

    An experiment entry's own `timeouts` ({"idle": seconds, "keepalive": seconds}) win; then its
    `bed` (the settings its expectations assume, already scaled: `alb.idleTimeoutSeconds`, ...);
    else they are found in the stack config by their key names (`...idleTimeoutSeconds`,
    `...tcpIdleTimeoutSeconds`, `...keepAliveSeconds`) and multiplied by `time_scale` (the lab's).
    """
    found: dict[str, tuple[str, float]] = {}
    explicit = entry.get("timeouts")
    if isinstance(explicit, Mapping):
        for kind in ("idle", "keepalive"):
            if (seconds := _number(explicit.get(kind))) is not None:
                found[kind] = (f"{seconds:g} s", seconds)
        return found
    bed = entry.get("bed")
    source, scale = (bed, 1.0) if isinstance(bed, Mapping) and bed else (config, time_scale)
    for path, value in config_leaves(source):
        key, seconds = _leaf_key(path), _number(value)
        if seconds is None:
            continue
        kind = "idle" if key in _IDLE_KEYS else "keepalive" if key in _KEEPALIVE_KEYS else None
        if kind and kind not in found:
            name = path.removeprefix("testbed:")
            found[kind] = (f"{name} {seconds * scale:g} s", seconds * scale)
    return found


def _leaf_key(path: str) -> str:
    return re.sub(r"[^a-z]", "", path.rsplit(".", 1)[-1].rsplit(":", 1)[-1].lower())


def _lane(event: Mapping[str, Any]) -> str:
    """client.py's connection (by local port); its requests that got none; or one lane for one-shot commands."""
    port = event.get("local_port")
    if port is not None:
        return f"conn {event.get('conn')} :{port}"
    return NO_CONNECTION if "connection" in event else ONE_SHOT


def _outcome(event: Mapping[str, Any]) -> MarkKind:
    if not event.get("ok"):
        return "failed"
    kind = event.get("connection", "new")  # a one-shot command (curl) opens a connection per request
    return kind if kind in ("new", "reused", "reopened") else "failed"


def experiment_timeline(
    name: str, verdict: str, events: Sequence[Mapping[str, Any]], limit: Mapping[str, tuple[str, float]]
) -> Timeline:
    """The timeline of one experiment from its events (request lines and extra `kind` events)."""
    timeline = Timeline(name=name, verdict=verdict, limits={kind: text for kind, (text, _) in limit.items()})
    times = [t for e in events if (t := parse_time(e.get("time"))) is not None]
    if not times:
        return timeline
    starts = [parse_time(e.get("time")) for e in events if e.get("event") == "start"]
    origin = next((t for t in starts if t is not None), min(times))
    requests = [e for e in events if e.get("event") == "request" and parse_time(e.get("time")) is not None]
    previous: dict[str, Any] | None = None  # the last request that had a connection
    last_on_lane: dict[str, tuple[float, str | None]] = {}  # lane -> (end of its last answer, server_peer)
    for event in requests:
        t = parse_time(event["time"]) - origin  # type: ignore[operator]
        done = t + (event.get("latency_ms") or 0) / 1000
        lane = _lane(event)
        if lane not in timeline.lanes:
            timeline.lanes.append(lane)
        _lifetime(timeline, lane, t, done)
        if previous is not None and event.get("connection") == "reopened":
            _peer_close(timeline, previous, event, origin)
        if lane in last_on_lane:
            _cut_spans(timeline, lane, t)
        outcome = _outcome(event)
        error = str(event.get("error") or "")
        status = event.get("status")
        why = error.split(":", 1)[0] if error else f"status {status}" if status is not None else ""
        timeline.marks.append(Mark(t, lane, outcome, f"#{event.get('seq')} {why}" if outcome == "failed" else ""))
        if error.startswith("reset"):
            timeline.marks.append(Mark(done, lane, "rst", f"RST in answer to #{event.get('seq')}"))
        if outcome == "reused" and lane in last_on_lane:
            before = last_on_lane[lane][1]
            if before and event.get("server_peer") and event["server_peer"] != before:
                timeline.marks.append(Mark(t, lane, "backend", "new backend connection"))
        if event.get("ok") and event.get("local_port") is not None:  # limits run on a kept connection only
            last_on_lane[lane] = (done, event.get("server_peer"))
            for kind, (text, seconds) in limit.items():
                timeline.spans.append(Span(done, done + seconds, lane, text, kind))  # type: ignore[arg-type]
        if event.get("local_port") is not None:
            previous = dict(event, _done=done)
        timeline.end = max(timeline.end, done)
    # The client closes its connection when it is done: limits still running then end there.
    timeline.spans = [Span(s.start, min(s.end, timeline.end), s.lane, s.label, s.kind) for s in timeline.spans]
    for event in events:
        _extra(timeline, event, origin)
    if not timeline.spans:
        timeline.limits = {}
    timeline.marks = _label_runs(timeline.marks)
    return timeline


def _label_runs(marks: list[Mark]) -> list[Mark]:
    """Failures in a row for the same reason (502s during a scale-in) get one label: "#70-#71 status 502"."""
    result: list[Mark] = []
    run: list[Mark] = []

    def flush() -> None:
        if len(run) > 1:
            first, why = run[0].label.split(" ", 1)
            last = run[-1].label.split(" ", 1)[0]
            result.append(Mark(run[0].t, run[0].lane, "failed", f"{first}-{last} {why} ({len(run)})"))
            result.extend(Mark(m.t, m.lane, "failed", "") for m in run[1:])
        else:
            result.extend(run)
        run.clear()

    for mark in marks:
        same = (
            run
            and mark.kind == "failed"
            and mark.lane == run[-1].lane
            and mark.label.split(" ", 1)[1:] == run[-1].label.split(" ", 1)[1:]
        )
        if mark.kind == "failed" and (not run or same):
            run.append(mark)
            continue
        flush()
        if mark.kind == "failed":
            run.append(mark)
        else:
            result.append(mark)
    flush()
    return result


def _lifetime(timeline: Timeline, lane: str, start: float, end: float) -> None:
    if lane == NO_CONNECTION:
        return
    first, last = timeline.lifetimes.get(lane, (start, end))
    timeline.lifetimes[lane] = (min(first, start), max(last, end))


def _cut_spans(timeline: Timeline, lane: str, t: float) -> None:
    """A request ends the idle spans running on its lane: the limits start again after it."""
    timeline.spans = [
        Span(s.start, min(s.end, t), s.lane, s.label, s.kind) if s.lane == lane and s.start < t < s.end else s
        for s in timeline.spans
    ]


def _peer_close(timeline: Timeline, previous: Mapping[str, Any], event: Mapping[str, Any], origin: float) -> None:
    """The FIN or RST that closed the previous connection, where client.py timed it."""
    reason = event.get("reason")
    lane = _lane(previous)
    after = event.get("peer_closed_after_s")
    if reason in (PEER_FIN, PEER_RST) and isinstance(after, int | float):
        at = previous["_done"] + after
        timeline.marks.append(
            Mark(
                at,
                lane,
                "fin" if reason == PEER_FIN else "rst",
                f"{'FIN' if reason == PEER_FIN else 'RST'} after {after:g} s idle",
            )
        )
        _cut_spans(timeline, lane, at)
        _lifetime(timeline, lane, at, at)
    elif reason == SERVER_CLOSING:
        timeline.marks.append(Mark(previous["_done"], lane, "fin", "Connection: close"))


def _extra(timeline: Timeline, event: Mapping[str, Any], origin: float) -> None:
    """Extra events: an action (e.g. the scale-in) is a moment of the whole run; a `fin` or `rst`
    with a local_port (e.g. seen by a capture) a mark on that connection's lane."""
    kind = str(event.get("kind", "")).lower()
    t = parse_time(event.get("time"))
    if t is None:
        return
    if kind == "action":
        timeline.actions.append((t - origin, str(event.get("description") or "action")))
        timeline.end = max(timeline.end, t - origin)
        return
    if kind not in ("fin", "rst") or event.get("local_port") is None:
        return
    lanes = [lane for lane in timeline.lanes if lane.endswith(f":{event['local_port']}")]
    if lanes:
        timeline.marks.append(Mark(t - origin, lanes[0], kind, str(event.get("label", kind.upper()))))  # type: ignore[arg-type]
        timeline.end = max(timeline.end, t - origin)
