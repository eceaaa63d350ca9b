"""Shared fixtures: plans of the stack files, run once per session under the mock engine."""

from __future__ import annotations

import functools

import pytest

from testbed.engine import Recording, run_program
from testbed.stackfile import read_stack_config


@functools.cache
def _plan(stack: str) -> Recording:
    return run_program(stack, read_stack_config(stack))


@pytest.fixture(scope="session")
def plan_stack():
    """plan_stack('eks-base') -> the Recording of stacks/Pulumi.eks-base.yaml (cached)."""
    return _plan


@pytest.fixture(scope="session")
def eks_base(plan_stack) -> Recording:
    return plan_stack("eks-base")
