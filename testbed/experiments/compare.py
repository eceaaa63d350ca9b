"""`python -m testbed compare A B`: where two results.json differ (e.g. a cloud run and the lab).

Verdicts decide the exit status (0 when every experiment has the same verdict on both sides,
1 otherwise); observed values are listed too, since the lab's scaled times or another pod's
name differ from a cloud run's without the behaviour differing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from testbed.experiments.report import RESULTS, checks, experiments

_NUMBER = re.compile(r"\d+(?:\.\d+)?")


class ResultsError(Exception):
    """A results file that cannot be read: the message is one line for the user."""


@dataclass(frozen=True)
class Difference:
    """One place where A and B differ; `verdict` when it is about verdicts (it decides the exit status)."""

    experiment: str
    what: str
    a: Any
    b: Any
    verdict: bool = False

    def line(self) -> str:
        return f"{self.experiment}: {self.what}: {_show(self.a)} (A) vs {_show(self.b)} (B)"


def load(path: Path) -> dict[str, Any]:
    """A results.json, given as the file or the folder `run`/`lab` wrote it into."""
    file = path / RESULTS if path.is_dir() else path
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ResultsError(f"{file}: no such file (give a results.json or the folder run/lab wrote)") from None
    except (OSError, UnicodeDecodeError, ValueError) as err:
        raise ResultsError(f"{file}: not a results.json ({err})") from None
    if not isinstance(data, dict) or not isinstance(data.get("experiments"), list):
        raise ResultsError(f"{file}: not a results.json (no 'experiments' list)")
    return data


def differences(a: Mapping[str, Any], b: Mapping[str, Any]) -> list[Difference]:
    """Experiments only on one side, then per shared experiment its verdict and each check's ok and observed value."""
    left = {str(e.get("name")): e for e in experiments(a)}
    right = {str(e.get("name")): e for e in experiments(b)}
    found: list[Difference] = []
    for name in [*left, *(n for n in right if n not in left)]:
        if name in left and name in right:
            found += _entry_differences(name, left[name], right[name])
        else:
            verdicts = [side[name].get("verdict") if name in side else "(not run)" for side in (left, right)]
            found.append(Difference(name, "verdict", *verdicts, verdict=True))
    return found


def _entry_differences(name: str, a: Mapping[str, Any], b: Mapping[str, Any]) -> list[Difference]:
    found = []
    if a.get("verdict") != b.get("verdict"):
        found.append(Difference(name, "verdict", a.get("verdict"), b.get("verdict"), verdict=True))
    rows_a, rows_b = _by_check(checks(a)), _by_check(checks(b))
    for check in [*rows_a, *(c for c in rows_b if c not in rows_a)]:
        row_a, row_b = rows_a.get(check), rows_b.get(check)
        if row_a is None or row_b is None:
            text = (row_a or row_b or {}).get("check", check)
            found.append(Difference(name, f"check {text!r}", _shown(row_a), _shown(row_b)))
            continue
        label = row_a["check"]
        if row_a["check"] != row_b["check"]:
            found.append(Difference(name, "expected", row_a["check"], row_b["check"]))
        if row_a.get("ok") != row_b.get("ok"):
            found.append(Difference(name, f"{label}: ok", row_a.get("ok"), row_b.get("ok")))
        if row_a.get("observed") != row_b.get("observed"):
            found.append(Difference(name, f"{label}: observed", row_a.get("observed"), row_b.get("observed")))
    return found


def _by_check(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Rows keyed by their check with numbers blanked, so that the lab's scaled check ("within 6 ± 0.2 s")
    pairs with the cloud's ("within 60 ± 2 s"); by the exact text where that would merge two checks."""
    keys = [_NUMBER.sub("#", row["check"]) for row in rows]
    return {(key if keys.count(key) == 1 else row["check"]): row for key, row in zip(keys, rows, strict=True)}


def _shown(row: Mapping[str, Any] | None) -> str:
    return "(not checked)" if row is None else "checked"


def _show(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return text if len(text) <= 100 else text[:99] + "…"


def describe(a: Mapping[str, Any], b: Mapping[str, Any]) -> str:
    """One line naming both sides."""
    return (
        f"A: {a.get('stack', '?')} on {a.get('target', '?')}, {len(experiments(a))} experiment(s); "
        f"B: {b.get('stack', '?')} on {b.get('target', '?')}, {len(experiments(b))} experiment(s)"
    )
