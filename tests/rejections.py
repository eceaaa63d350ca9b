"""Components given bad arguments, run under the mock engine: what they refused, and what was declared."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from components.errors import ArgsError
from testbed.engine import Recording, run_program


def rejections(config: Mapping[str, str], *builds: Callable[[], object]) -> tuple[list[ArgsError], Recording]:
    """Run every build in one program: the ArgsError each raised (in order; none for a build that
    passed), and the recording, to check that a refused component declared no child."""
    errors: list[ArgsError] = []

    def program():
        for build in builds:
            try:
                build()
            except ArgsError as err:
                errors.append(err)

    return errors, run_program("t", config, program=program)
