"""docs/components.md says what the code does: its Args tables list every field with its default,
its example parses, its wheel name carries the version pyproject.toml builds."""

from __future__ import annotations

import ast
import dataclasses
import re
import tomllib
from pathlib import Path

import pytest

from components.aws import ClusterArgs, LoadBalancerControllerArgs, NetworkArgs, NodeGroupSpec, Taint
from components.aws.cluster import VpcCniSpec

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


def test_the_example_parses_and_the_wheel_name_matches_the_version():
    [code] = re.findall(r"```python\n(.*?)```", DOC, flags=re.S)
    tree = ast.parse(code)
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) for alias in node.names}
    assert {"Cluster", "LoadBalancerController", "Network"} <= imported
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert f"lb_testbed_components-{project['version']}-py3-none-any.whl" in DOC
    assert (ROOT / "examples" / "platform-team" / "__main__.py").is_file()
