"""Shared fixtures: plans of the stack files, run once per session under the mock engine."""

from __future__ import annotations

import os

import pytest

from stacks.support import TODAY_ENV
from testbed import golden
from testbed.engine import Recording
from testbed.reference import iam_policy
from tests.plans import plan_with

# Plans in tests are made on a fixed day: a test never fails because the calendar moved on.
os.environ[TODAY_ENV] = golden.PLANNED_ON


@pytest.fixture(scope="session")
def plan_stack():
    """plan_stack('eks-base') -> the Recording of stacks/Pulumi.eks-base.yaml (cached)."""
    return plan_with


@pytest.fixture(scope="module")
def plan(plan_stack, request) -> Recording:
    """The Recording of the test module's `STACK` (a module-level constant naming its stack file)."""
    return plan_stack(request.module.STACK)


@pytest.fixture(scope="session")
def eks_base(plan_stack) -> Recording:
    return plan_stack("eks-base")


@pytest.fixture(scope="session")
def reference_policy() -> dict:
    """The AWS Load Balancer Controller's published IAM policy (docs/install/iam_policy.json at
    v2.13.3, as shipped in testbed/reference)."""
    return iam_policy("aws-load-balancer-controller", "v2.13.3")
