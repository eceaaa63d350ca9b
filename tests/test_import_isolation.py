"""AWS scenarios never import the Azure SDK and aks-tcp never imports the AWS ones (at import time and
while planning), each checked in a fresh interpreter so that nothing else has loaded them first."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
AZURE = ["pulumi_azure_native", "components.azure"]
AWS = ["pulumi_aws", "pulumi_eks", "components.aws"]

IMPORTS = {"eks-base": "import stacks.eks_base", "aks-tcp": "import stacks.aks_tcp"}
PLANS = {
    scenario: f"""
        from testbed.engine import run_program
        from testbed.stackfile import read_stack_config
        run_program({scenario!r}, read_stack_config({scenario!r}))
        """
    for scenario in ("eks-base", "aks-tcp")
}
REPORT = """
import json, sys
print(json.dumps(sorted(sys.modules)))
"""


@pytest.fixture(scope="module")
def loaded() -> dict[tuple[str, str], set[str]]:
    """(what, scenario) -> modules loaded by a fresh interpreter that did it; all run side by side."""
    runs = {
        (what, scenario): subprocess.Popen(
            [sys.executable, "-c", textwrap.dedent(code) + REPORT],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for what, codes in (("import", IMPORTS), ("plan", PLANS))
        for scenario, code in codes.items()
    }
    modules = {}
    for key, proc in runs.items():
        out, err = proc.communicate(timeout=180)
        assert proc.returncode == 0, err
        modules[key] = set(json.loads(out.splitlines()[-1]))
    return modules


@pytest.mark.parametrize("what", ["import", "plan"])
@pytest.mark.parametrize(
    ("scenario", "foreign", "own"),
    [("eks-base", AZURE, "pulumi_aws"), ("aks-tcp", AWS, "pulumi_azure_native")],
)
def test_a_scenario_loads_only_its_own_cloud(loaded, what, scenario, foreign, own):
    modules = loaded[(what, scenario)]
    assert own in modules, "the check must see the scenario's own SDK load"
    assert [m for m in foreign if m in modules] == []
