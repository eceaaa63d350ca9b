"""The predicates experiments are made of: each a frozen dataclass with `describe()` and `check(events)`.

They read the client's request lines (`event == "request"`, numbered by `seq` from 1). A
predicate over requests that finds none fails: an empty run never passes. Values may be read
through a derived field: `error_kind` is the part of `error` before the first colon ("reset").
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from stacks.experiments.model import CheckResult, Event, request_events

Op = Literal["==", "<", "!=", "set"]
_DERIVED: dict[str, Callable[[Event], Any]] = {
    "error_kind": lambda event: str(event["error"]).split(":")[0] if event.get("error") else None,
}
_MAX_LISTED = 4


def value_of(event: Event, name: str) -> Any:
    """The event's field `name`, or the derived field of that name."""
    return _DERIVED[name](event) if name in _DERIVED else event.get(name)


def _seqs(first: int, last: int | None) -> str:
    if last == first:
        return f"request {first}"
    if last is None:
        return "every request" if first == 1 else f"from request {first} on"
    return f"requests {first}-{last}"


def _selected(events: Sequence[Event], first: int, last: int | None) -> list[Event]:
    return [e for e in request_events(events) if first <= int(e.get("seq", 0)) <= (last or math.inf)]


def _listing(items: list[str]) -> str:
    shown = ", ".join(items[:_MAX_LISTED])
    return shown + (f" and {len(items) - _MAX_LISTED} more" if len(items) > _MAX_LISTED else "")


def _with_meaning(text: str, meaning: str) -> str:
    """`text (meaning)`, or `text` alone when the predicate was given no meaning."""
    return f"{text} ({meaning})" if meaning else text


def _holds(op: Op, value: Any, wanted: Any) -> bool:
    if op == "==":
        return bool(value == wanted)
    if op == "!=":
        return bool(value != wanted)
    if op == "set":
        return value not in (None, "")
    return value is not None and value < wanted


@dataclass(frozen=True)
class FieldIs:
    """Requests `first`..`last` (None: to the end) all have `field <op> value`."""

    field: str
    value: Any = None
    op: Op = "=="
    first: int = 1
    last: int | None = None
    meaning: str = ""
    not_in_lab: str | None = None

    def _wanted(self) -> str:
        if self.op == "set":
            return f"{self.field} is set"
        return f"{self.field} {self.op} {self.value!r}"

    def describe(self) -> str:
        return _with_meaning(f"{_seqs(self.first, self.last)}: {self._wanted()}", self.meaning)

    def check(self, events: Sequence[Event]) -> CheckResult:
        selected = _selected(events, self.first, self.last)
        wrong = [e for e in selected if not _holds(self.op, value_of(e, self.field), self.value)]
        if not selected:
            observed = f"no request numbered {self.first}{'' if self.last == self.first else ' or later'}"
        elif wrong:
            observed = _listing([f"request {e.get('seq')}: {self.field}={value_of(e, self.field)!r}" for e in wrong])
        else:
            values = Counter(repr(value_of(e, self.field)) for e in selected)
            observed = f"{len(selected)} of {len(selected)}: " + ", ".join(f"{v} x{n}" for v, n in values.items())
        return CheckResult(self.describe(), self._wanted(), observed, bool(selected) and not wrong)


@dataclass(frozen=True)
class Near:
    """Requests `first`.. all have a number `field` within `tolerance` of `target`."""

    field: str
    target: float
    tolerance: float
    first: int = 1
    meaning: str = ""
    not_in_lab: str | None = None

    def _wanted(self) -> str:
        return _with_meaning(f"{self.field} within {self.target:g} ± {self.tolerance:g} s", self.meaning)

    def describe(self) -> str:
        return f"{_seqs(self.first, None)}: {self._wanted()}"

    def check(self, events: Sequence[Event]) -> CheckResult:
        selected = _selected(events, self.first, None)
        values = [(e.get("seq"), value_of(e, self.field)) for e in selected]
        wrong = [
            (seq, v) for seq, v in values if not isinstance(v, (int, float)) or abs(v - self.target) > self.tolerance
        ]
        observed = _listing([f"request {seq}: {v!r}" for seq, v in values]) if values else "no such request"
        return CheckResult(self.describe(), self._wanted(), observed, bool(values) and not wrong)


@dataclass(frozen=True)
class Changes:
    """`field` differs between every two consecutive requests (`changes`) or never does (`changes=False`)."""

    field: str
    changes: bool = True
    meaning: str = ""
    not_in_lab: str | None = None

    def _wanted(self) -> str:
        wanted = "differs between requests" if self.changes else "is the same for every request"
        return _with_meaning(f"{self.field} {wanted}", self.meaning)

    def describe(self) -> str:
        return self._wanted()

    def check(self, events: Sequence[Event]) -> CheckResult:
        values = [value_of(e, self.field) for e in request_events(events)]
        pairs = list(itertools.pairwise(values))
        if self.changes:
            ok = bool(pairs) and all(a != b and b is not None for a, b in pairs)
        else:
            ok = bool(pairs) and all(a == b and a is not None for a, b in pairs)
        distinct = list(dict.fromkeys(map(repr, values)))
        observed = f"{len(distinct)} distinct value(s) over {len(values)} requests: {_listing(distinct)}"
        return CheckResult(self.describe(), self._wanted(), observed, ok)


@dataclass(frozen=True)
class Distinct:
    """At least `at_least` distinct values of `field` among the requests that succeeded."""

    field: str
    at_least: int
    meaning: str = ""
    not_in_lab: str | None = None

    def _wanted(self) -> str:
        return _with_meaning(f"at least {self.at_least} distinct {self.field}", self.meaning)

    def describe(self) -> str:
        return f"the requests that succeed: {self._wanted()}"

    def check(self, events: Sequence[Event]) -> CheckResult:
        values = Counter(str(value_of(e, self.field)) for e in request_events(events) if e.get("ok"))
        observed = ", ".join(f"{v} x{n}" for v, n in values.most_common()) or "no request succeeded"
        return CheckResult(self.describe(), self._wanted(), observed, len(values) >= self.at_least)


@dataclass(frozen=True)
class Share:
    """The share of requests whose `field` contains `value` is within a binomial bound of `share`.

    The bound is `sigmas` standard deviations of the observed share for that many requests:
    sqrt(share * (1 - share) / n), so 100 requests at 20 % allow 20 % ± 12 % at 3 sigmas.
    """

    field: str
    value: str
    share: float
    sigmas: float = 3.0
    not_in_lab: str | None = None

    def _wanted(self) -> str:
        return f"share of {self.field} containing {self.value!r} within {self.sigmas:g} sigma of {self.share:.0%}"

    def describe(self) -> str:
        return f"the requests that succeed: {self._wanted()}"

    def bound(self, n: int) -> float:
        """Half-width of the accepted band for `n` requests."""
        return self.sigmas * math.sqrt(self.share * (1 - self.share) / n) if n else 0.0

    def check(self, events: Sequence[Event]) -> CheckResult:
        answered = [e for e in request_events(events) if e.get("ok")]
        n = len(answered)
        hits = sum(1 for e in answered if self.value in str(value_of(e, self.field) or ""))
        observed = f"{hits} of {n}" + (f" = {hits / n:.1%} (band {self.share:.0%} ± {self.bound(n):.1%})" if n else "")
        ok = n > 0 and abs(hits - self.share * n) <= self.bound(n) * n + 1e-9  # counts: no float edge
        return CheckResult(self.describe(), self._wanted(), observed, ok)


@dataclass(frozen=True)
class RequestCount:
    """The run made exactly `count` requests (a run cut short is not a pass)."""

    count: int
    not_in_lab: str | None = None

    def describe(self) -> str:
        return f"the client makes {self.count} requests"

    def check(self, events: Sequence[Event]) -> CheckResult:
        made = len(request_events(events))
        return CheckResult(self.describe(), f"{self.count} requests", f"{made} requests", made == self.count)
