"""Shared fixtures: plans of the stack files, run once per session under the mock engine."""

from __future__ import annotations

import functools
import os

import pytest

from stacks.support import TODAY_ENV
from testbed import golden
from testbed.engine import Recording, run_program
from testbed.reference import iam_policy
from testbed.stackfile import read_stack_config

# Plans in tests are made on a fixed day: a test never fails because the calendar moved on.
os.environ[TODAY_ENV] = golden.PLANNED_ON


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


@pytest.fixture(scope="session")
def reference_policy() -> dict:
    """The AWS Load Balancer Controller's published IAM policy (docs/install/iam_policy.json at
    v2.13.3, as shipped in testbed/reference)."""
    return iam_policy("aws-load-balancer-controller", "v2.13.3")
