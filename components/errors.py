"""The one error type components raise for bad arguments, how a bad value is shown in a message, and the
check for a missing cloud SDK."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterable

DISTRIBUTION = "lb-testbed-components"
"""The name these components are installed by (pyproject.toml); its extras install each cloud's SDKs."""

SHOWN_CHARACTERS = 60
"""A value longer than this is cut in messages: a 10 KB value is named, not repeated."""


def shown(value: object, limit: int = SHOWN_CHARACTERS) -> str:
    """`value` for a one-line message: repr (so CR, LF and NUL are visible), cut to about `limit` characters."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    text = repr(value)
    if len(text) <= limit:
        return text
    size = f" ({len(value)} characters)" if isinstance(value, str) else ""
    return f"{text[: limit - 3]}...{size}"


class ArgsError(ValueError):
    """Every problem found in a component's Args, each naming its field.

    Components validate all of their arguments before creating any child and raise
    this once, so a caller sees every mistake in one run rather than one per run.
    """

    def __init__(self, component: str, problems: Iterable[tuple[str, str]]):
        self.component = component
        self.problems = list(problems)
        super().__init__("\n".join(self.lines))

    @property
    def lines(self) -> list[str]:
        """One line per problem: `<component>: <field>: <what is wrong and what is allowed>`."""
        return [f"{self.component}: {field}: {reason}" for field, reason in self.problems]


def field_problems(*checks: tuple[str, str | None]) -> list[tuple[str, str]]:
    """(field, problem) for each `(field, check's answer)` whose check found a problem, in order."""
    return [(name, problem) for name, problem in checks if problem is not None]


def raise_if_any(component: str, problems: list[tuple[str, str]]) -> None:
    """Raise ArgsError for `component` when `problems` is not empty."""
    if problems:
        raise ArgsError(component, problems)


def require_sdks(package: str, extra: str, modules: Iterable[str]) -> None:
    """Raise a one-line ModuleNotFoundError naming the pip extra to install when any of the
    provider SDK `modules` is missing, before `package` imports them and fails deep inside.

    The wheel's extras keep an AWS-only team free of the Azure SDK (and the reverse), so
    importing the other cloud's components is an expected mistake that deserves a clear answer.
    `find_spec` only looks a top-level module up: nothing is imported here.
    """
    missing = [module for module in modules if importlib.util.find_spec(module) is None]
    if missing:
        raise ModuleNotFoundError(
            f"{package} needs {', '.join(missing)}: pip install '{DISTRIBUTION}[{extra}]'"
            " (in a checkout of the test beds: pip install -r requirements.txt)",
            name=missing[0],
        )
