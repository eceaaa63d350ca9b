"""Plans of the stack files with config overrides, under the mock engine (cached: equal overrides plan once)."""

from __future__ import annotations

import functools
from typing import TypeVar

import pytest

from stacks.config import ConfigError, engine_value, load_config
from testbed.engine import Recording, run_program
from testbed.stackfile import read_stack_config


def stack_config(stack: str, **overrides: object) -> dict[str, str]:
    """stacks/Pulumi.<stack>.yaml's config with whole keys replaced by `overrides` (objects as the
    engine passes them: JSON)."""
    return {**read_stack_config(stack), **{key: engine_value(value) for key, value in overrides.items()}}


T = TypeVar("T")


def load_stack(config: type[T], stack: str, **overrides: object) -> T:
    """The stack's `config` model, read from its stack file with `overrides` (see `stack_config`)."""
    return load_config(config, stack_config(stack, **overrides), stack=stack)


def refusal(config: type, stack: str, **overrides: object) -> list[str]:
    """The lines of the ConfigError the stack's `config` refuses `overrides` with (failing if it accepts them)."""
    with pytest.raises(ConfigError) as caught:
        load_stack(config, stack, **overrides)
    return caught.value.lines


@functools.cache
def _planned(stack: str, config: tuple[tuple[str, str], ...]) -> Recording:
    return run_program(stack, dict(config))


def plan_with(stack: str, **overrides: object) -> Recording:
    """The Recording of `stack` with `overrides` (see `stack_config`); the same object for equal overrides."""
    return _planned(stack, tuple(sorted(stack_config(stack, **overrides).items())))
