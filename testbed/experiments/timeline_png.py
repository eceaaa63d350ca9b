"""timeline.png: the timelines (timeline.py) drawn with matplotlib, one subplot per experiment.

Time on x, one lane per client connection, requests as marks coloured by outcome, the peer's
FIN or RST as marks, the idle timeout and keep-alive as translucent spans after each answer.
matplotlib is imported only here, when a report is written, with the Agg backend (no display).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from testbed.experiments.timeline import NO_CONNECTION, Timeline

# How each mark looks: (matplotlib marker, colour, size, legend text).
STYLE: dict[str, tuple[str, str, float, str]] = {
    "new": ("s", "#1f77b4", 70, "request on a new connection"),
    "reused": ("o", "#2ca02c", 60, "request on the reused connection"),
    "reopened": ("D", "#ff7f0e", 60, "request on a reopened connection"),
    "failed": ("X", "#d62728", 110, "request failed"),
    "fin": ("<", "#000000", 90, "peer FIN (connection closed by the other end)"),
    "rst": ("*", "#9467bd", 170, "peer RST"),
    "backend": ("o", "none", 190, "server saw a new backend connection (server_peer changed)"),
}
SPAN_COLOURS = {"idle": "#ff7f0e", "keepalive": "#1f77b4"}
SPAN_NAMES = {"idle": "LB idle timeout", "keepalive": "server keep-alive"}
VERDICT_COLOURS = {"as expected": "#2ca02c", "unexpected": "#d62728", "error": "#7f7f7f"}


def draw(timelines: Sequence[Timeline], out: Path, title: str) -> None:
    """Write the PNG: one subplot per experiment, stacked, each with its own time axis."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    heights = [max(1.5, 0.5 * max(1, len(t.lanes)) + 1.0) for t in timelines] or [1.5]
    fig, axes = plt.subplots(
        len(heights),
        1,
        figsize=(12, sum(heights) + 1.4),
        gridspec_kw={"height_ratios": heights},
        squeeze=False,
        layout="constrained",
    )
    for ax, timeline in zip(axes[:, 0], timelines, strict=False):
        _draw_one(ax, timeline)
    if not timelines:
        axes[0, 0].text(0.5, 0.5, "no experiments ran", ha="center", va="center", transform=axes[0, 0].transAxes)
        axes[0, 0].set_axis_off()
    handles = [
        Line2D([], [], marker=m, color=c if c != "none" else "#444444", markerfacecolor=c, ls="", ms=8, label=text)
        for kind, (m, c, _, text) in STYLE.items()
    ]
    if any(t.actions for t in timelines):
        handles.append(Line2D([], [], color="#7f7f7f", ls="--", lw=1, label="the experiment's action (e.g. scale-in)"))
    kinds = {s.kind for t in timelines for s in t.spans}
    handles += [
        Patch(facecolor=SPAN_COLOURS[kind], alpha=0.25, label=f"{SPAN_NAMES[kind]} after each answer (values: right)")
        for kind in ("idle", "keepalive")
        if kind in kinds
    ]
    fig.legend(
        handles=handles,
        loc="outside upper center",
        ncol=3,
        fontsize=8,
        frameon=False,
        title=title,
        title_fontproperties={"size": 13, "weight": "bold"},
    )
    fig.savefig(out, dpi=110)
    plt.close(fig)


def _draw_one(ax: Any, timeline: Timeline) -> None:
    lanes = timeline.lanes or [NO_CONNECTION]
    y = {lane: i for i, lane in enumerate(lanes)}
    for lane, (start, end) in timeline.lifetimes.items():
        ax.plot([start, end], [y[lane], y[lane]], color="#999999", lw=1.2, zorder=1)
    for span in timeline.spans:
        if span.end <= span.start:
            continue
        offset = 0.12 if span.kind == "idle" else -0.12
        ax.broken_barh(
            [(span.start, span.end - span.start)],
            (y[span.lane] + offset - 0.1, 0.2),
            facecolors=SPAN_COLOURS[span.kind],
            alpha=0.25,
            zorder=0,
        )
    for kind, (marker, colour, size, _) in STYLE.items():
        marks = [m for m in timeline.marks if m.kind == kind]
        if not marks:
            continue
        hollow = colour == "none"
        ax.scatter(
            [m.t for m in marks],
            [y[m.lane] for m in marks],
            marker=marker,
            s=size,
            c="none" if hollow else colour,
            edgecolors="#444444" if hollow else "white",
            linewidths=1.4 if hollow else 0.6,
            zorder=3 if hollow else 4,
        )
        if kind in ("fin", "rst", "failed"):
            below = kind == "rst"  # an RST answering a request sits on the failed mark: label it underneath
            for m in marks:
                ax.annotate(
                    m.label, (m.t, y[m.lane]), xytext=(5, -13 if below else 7), textcoords="offset points", fontsize=7
                )
    for t, description in timeline.actions:
        ax.axvline(t, color="#7f7f7f", ls="--", lw=1, zorder=2)
        ax.annotate(description, (t, -0.5), xytext=(4, 0), textcoords="offset points", fontsize=7, color="#555555")
    ax.set_yticks(range(len(lanes)), lanes, fontsize=8)
    ax.set_ylim(-0.6, len(lanes) - 0.4)
    ax.invert_yaxis()
    ax.set_xlim(-0.02 * max(timeline.end, 1), timeline.end * 1.03 + 0.5)
    ax.set_xlabel("seconds since the client started", fontsize=8)
    ax.tick_params(axis="x", labelsize=8)
    ax.grid(axis="x", color="#dddddd", lw=0.6)
    if timeline.limits:
        shown = [f"{SPAN_NAMES[k]}: {timeline.limits[k]}" for k in ("idle", "keepalive") if k in timeline.limits]
        ax.set_title(", ".join(shown), loc="right", fontsize=8, color="#555555")
    ax.set_title(
        f"{timeline.name}: {timeline.verdict}",
        loc="left",
        fontsize=10,
        color=VERDICT_COLOURS.get(timeline.verdict, "#000000"),
        fontweight="bold",
    )
