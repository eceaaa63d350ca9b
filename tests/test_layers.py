"""The floors of the house: testbed -> stacks -> k8s -> components. An import never climbs back up,
so a config value travels from a stack file to its resource going down the layers only."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ["testbed", "stacks", "k8s", "components"]
"""Highest first: a package may import those after it, never those before it."""


def imported_packages(path: Path) -> set[str]:
    """The top-level project packages that `path` imports (absolute imports; relative ones stay inside)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found & set(LAYERS)


@pytest.mark.parametrize("layer", LAYERS)
def test_no_import_climbs_to_a_higher_layer(layer):
    higher = set(LAYERS[: LAYERS.index(layer)])
    climbing = {
        str(path.relative_to(ROOT)): sorted(imported_packages(path) & higher)
        for path in (ROOT / layer).rglob("*.py")
        if imported_packages(path) & higher
    }
    assert climbing == {}


def test_components_import_themselves_relatively():
    """Installed as lb_testbed_components, `components.` would not exist: imports inside are relative."""
    absolute = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "components").rglob("*.py")
        if "components" in {m.split(".")[0] for m in _absolute_modules(path)}
    ]
    assert absolute == []


def _absolute_modules(path: Path) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules.add(node.module)
        elif isinstance(node, ast.Import):
            modules |= {alias.name for alias in node.names}
    return modules
