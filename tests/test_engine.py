"""The mock-engine harness must fail loudly: no silent passes, no hangs, no drift between runs."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import textwrap
from pathlib import Path

import pulumi
import pulumi_aws as aws
import pytest

from testbed.engine import Secret, run_program
from testbed.plan import Plan, plan_json
from testbed.stackfile import read_stack_config

ROOT = Path(__file__).resolve().parents[1]
CONFIG = {"aws:region": "eu-west-1"}


def test_two_plans_of_one_stack_are_identical():
    first = plan_json(Plan("eks-base", run_program("eks-base", read_stack_config("eks-base"))))
    second = plan_json(Plan("eks-base", run_program("eks-base", read_stack_config("eks-base"))))
    assert first == second


def test_applies_run_and_their_errors_surface():
    def program():
        aws.ec2.Vpc("v", cidr_block=pulumi.Output.from_input("10.0.0.0/16").apply(lambda c: c.replace("0/16", "0/17")))
        pulumi.export("derived", pulumi.Output.from_input(2).apply(lambda x: x * 21))

    recording = run_program("t", CONFIG, program=program)
    assert recording.outputs == {"derived": 42}
    assert recording.resources[0].inputs["cidrBlock"] == "10.0.0.0/17"

    def failing():
        aws.ec2.Vpc("v", cidr_block=pulumi.Output.from_input(0).apply(lambda x: str(1 / x)))

    with pytest.raises(ZeroDivisionError):
        run_program("t", CONFIG, program=failing)


def test_an_unmocked_invoke_is_an_error_not_an_empty_answer():
    def program():
        aws.ec2.Vpc("v", cidr_block="10.0.0.0/16")
        aws.ec2.get_vpc(default=True)

    with pytest.raises(Exception, match="no result for invoke aws:ec2/getVpc:getVpc"):
        run_program("t", CONFIG, program=program)


def test_a_program_runs_after_asyncio_run_closed_the_threads_loop():
    asyncio.run(asyncio.sleep(0))  # leaves the thread without a current event loop
    recording = run_program(
        "t", {"aws:region": "ap-northeast-2"}, program=lambda: aws.ec2.Vpc("v", cidr_block="10.0.0.0/16")
    )
    assert [r.name for r in recording.resources] == ["v"]


def test_a_program_that_registers_nothing_fails():
    with pytest.raises(RuntimeError, match="registered no resources"):
        run_program("t", CONFIG, program=lambda: None)


def test_secrets_stay_marked_and_numbers_are_integers():
    def program():
        aws.ec2.Vpc("v", cidr_block="10.0.0.0/16", tags={"a": pulumi.Output.secret("s")})
        aws.ec2.Subnet("s", vpc_id="vpc-1", cidr_block="10.0.0.0/24", availability_zone="eu-west-1a")
        pulumi.export("hidden", pulumi.Output.secret("value"))
        pulumi.export("count", 3)

    recording = run_program("t", CONFIG, program=program)
    vpc = next(r for r in recording.resources if r.type == "aws:ec2/vpc:Vpc")
    assert isinstance(vpc.inputs["tags"], Secret) and repr(vpc.inputs["tags"]) == "Secret([secret])"
    assert isinstance(recording.outputs["hidden"], Secret)
    assert recording.outputs["count"] == 3 and isinstance(recording.outputs["count"], int)
    assert '"hidden": "[secret]"' in plan_json(Plan("t", recording))


def test_a_hung_program_is_killed_with_its_stacks_dumped():
    script = textwrap.dedent(
        """
        import time, pulumi, pulumi_aws as aws
        from testbed.engine import run_program
        def program():
            aws.ec2.Vpc("v", cidr_block=pulumi.Output.from_input(1).apply(lambda _: time.sleep(600) or "x"))
        run_program("t", {"aws:region": "eu-west-1"}, program=program, timeout_seconds=2)
        """
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert "Timeout (0:00:02)!" in result.stderr
    assert 'File "<string>", line 5 in <lambda>' in result.stderr, "the dump points at the hung apply"
