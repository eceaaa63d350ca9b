"""docs/components.md says what the code does: its Args tables list every field with its default,
its examples parse or run (the Azure one under the mocks), its wheel name carries the version
pyproject.toml builds."""

from __future__ import annotations

import ast
import dataclasses
import re
import tomllib
from pathlib import Path

import pytest

from components.aws import ClusterArgs, LoadBalancerControllerArgs, NetworkArgs, NodeGroupSpec, Taint
from components.aws.cluster import VpcCniSpec
from testbed.engine import run_program
from tests.graph import of_type

ROOT = Path(__file__).resolve().parents[1]
DOC = (ROOT / "docs" / "components.md").read_text()
ROW = re.compile(r"^\| `(?P<field>\w+)` \| (?P<default>.+?) \| (?P<what>.*) \|$")


def documented(name: str) -> dict[str, tuple[str, str]]:
    """Field -> (default cell, description cell) of the table under `### name`."""
    section = DOC.split(f"\n### {name}\n", 1)[1].split("\n#", 1)[0]
    rows = {}
    for line in section.splitlines():
        if match := ROW.match(line):
            rows[match["field"]] = (match["default"], match["what"])
    return rows


def default_cell(field: dataclasses.Field) -> str:
    if field.default is not dataclasses.MISSING:
        return f"`{field.default!r}`"
    if field.default_factory is not dataclasses.MISSING:
        return f"`{field.default_factory()!r}`"
    return "**required**"


@pytest.mark.parametrize(
    "args", [NetworkArgs, ClusterArgs, NodeGroupSpec, Taint, VpcCniSpec, LoadBalancerControllerArgs]
)
def test_every_field_is_in_the_table_with_its_default_and_a_description(args):
    rows = documented(args.__name__)
    fields = dataclasses.fields(args)
    assert list(rows) == [f.name for f in fields]
    for field in fields:
        default, what = rows[field.name]
        assert default == default_cell(field), field.name
        assert what.strip(), f"{args.__name__}.{field.name} has no description"


def test_neutral_defaults_hold_no_seed_choice():
    assert documented("ClusterArgs")["node_groups"][0] == "**required**"
    assert documented("NodeGroupSpec")["instance_type"][0] == "**required**"
    assert "role" not in documented("ClusterArgs")["system_node_selector"][0]
    assert "role" not in documented("LoadBalancerControllerArgs")["node_selector"][0]


BLOCKS = re.findall(r"```python\n(.*?)```", DOC, flags=re.S)


def in_checkout(code: str) -> str:
    """A doc block with the installed import path turned into the checkout's."""
    return code.replace("lb_testbed_components", "components")


def test_the_aws_example_parses_and_the_wheel_name_matches_the_version():
    aws_example = next(code for code in BLOCKS if "LoadBalancerController(" in code)
    imported = {
        alias.name
        for node in ast.walk(ast.parse(aws_example))
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    assert {"Cluster", "LoadBalancerController", "Network"} <= imported
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert f"lb_testbed_components-{project['version']}-py3-none-any.whl" in DOC
    assert (ROOT / "examples" / "platform-team" / "__main__.py").is_file()


def test_the_annotations_block_runs():
    code = next(code for code in BLOCKS if "AlbIngressAnnotations(" in code)
    scope: dict = {}
    exec(in_checkout(code), scope)
    assert scope["annotations"]["alb.ingress.kubernetes.io/scheme"] == "internet-facing"


def test_the_azure_block_runs_under_the_mocks():
    code = next(code for code in BLOCKS if "AksCluster(" in code)
    recording = run_program("doc", {"azure-native:location": "westeurope"}, program=lambda: exec(in_checkout(code), {}))
    pools = of_type(recording, "azure-native:containerservice:AgentPool")
    assert [p.inputs["agentPoolName"] for p in pools] == ["apps"]
    [cluster] = of_type(recording, "azure-native:containerservice:ManagedCluster")
    assert [p["vmSize"] for p in cluster.inputs["agentPoolProfiles"]] == ["Standard_D4s_v5"]
