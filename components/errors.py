"""The one error type components raise for bad arguments."""

from __future__ import annotations

from collections.abc import Iterable


class ArgsError(ValueError):
    """Every problem found in a component's Args, each naming its field.

    Components validate all of their arguments before creating any child and raise
    this once, so a caller sees every mistake in one run rather than one per run.
    """

    def __init__(self, component: str, problems: Iterable[tuple[str, str]]):
        self.component = component
        self.problems = list(problems)
        super().__init__("\n".join(f"{component}: {field}: {reason}" for field, reason in self.problems))


def raise_if_any(component: str, problems: list[tuple[str, str]]) -> None:
    """Raise ArgsError for `component` when `problems` is not empty."""
    if problems:
        raise ArgsError(component, problems)
