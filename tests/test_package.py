"""The components as a platform team gets them: the wheel, a fresh virtualenv, the example program.

One module-scoped fixture builds the wheel from a copy of `pyproject.toml` and `components/`
alone (so nothing else of the checkout can leak into it), and installs it with `[aws]` into a
fresh virtualenv, pinned to requirements.txt's versions by constraint. Then
examples/platform-team/__main__.py runs under Pulumi's mocks (tests/platform_mocks.py) with that
virtualenv's Python, from a temporary directory, in isolated mode: the checkout is not on
sys.path, so every import comes from the installed wheel.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tomllib
import venv
import zipfile
from dataclasses import dataclass
from email.parser import Parser
from pathlib import Path

import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "platform-team"
DISTRIBUTION = "lb-testbed-components"
PACKAGE = "lb_testbed_components"
REGION = "eu-west-1"
INSTALL_TIMEOUT_SECONDS = 900


@dataclass(frozen=True)
class Installed:
    wheel: Path
    python: Path
    """The fresh virtualenv's interpreter."""
    workdir: Path
    """A directory outside the checkout."""


def _run(cmd: list[str], *, cwd: Path, timeout: float, env: dict[str, str] | None = None) -> str:
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, f"{' '.join(map(str, cmd))} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc.stdout


def _isolated_env() -> dict[str, str]:
    """Only what an interpreter needs: no PYTHONPATH, no virtualenv of the caller."""
    return {"PATH": os.defpath, "HOME": os.environ.get("HOME", "/tmp"), "LANG": "C.UTF-8"}


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    tmp = tmp_path_factory.mktemp("package")
    source = tmp / "source"
    source.mkdir()
    shutil.copy(ROOT / "pyproject.toml", source)
    shutil.copytree(ROOT / "components", source / "components", ignore=shutil.ignore_patterns("__pycache__"))
    _run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp / "dist"), str(source)],
        cwd=tmp,
        timeout=INSTALL_TIMEOUT_SECONDS,
    )
    [wheel] = (tmp / "dist").glob("*.whl")

    env_dir = tmp / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    constraint = ["-c", str(ROOT / "requirements.txt")]
    # The caller's pip installs into the new environment (`--python`): no pip bootstrap there.
    # --no-compile: the SDKs are thousands of modules; what the example imports compiles on use.
    _run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "-q",
            "--no-compile",
            *constraint,
            f"{wheel}[aws]",
        ],
        cwd=tmp,
        timeout=INSTALL_TIMEOUT_SECONDS,
    )
    workdir = tmp / "platform-team"
    workdir.mkdir()
    for name in ("__main__.py", "Pulumi.yaml"):
        shutil.copy(EXAMPLE / name, workdir)
    shutil.copy(ROOT / "tests" / "platform_mocks.py", workdir)
    return Installed(wheel=wheel, python=python, workdir=workdir)


def _packages_under(directory: Path) -> set[str]:
    return {
        ".".join((PACKAGE, *init.parent.relative_to(directory).parts))
        for init in directory.rglob("__init__.py")
        if "__pycache__" not in init.parts
    }


def test_pyproject_lists_every_package_of_components_under_the_unique_name():
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert setuptools["package-dir"] == {PACKAGE: "components"}
    assert set(setuptools["packages"]) == _packages_under(ROOT / "components")


def test_the_wheel_holds_the_components_alone_with_py_typed(installed: Installed):
    names = zipfile.ZipFile(installed.wheel).namelist()
    top = {name.split("/")[0] for name in names}
    assert top == {PACKAGE, f"{PACKAGE}-0.1.0.dist-info"}, "no stacks/, k8s/, testbed/, tests/ or `components`"
    assert f"{PACKAGE}/py.typed" in names
    modules = {n.removesuffix(".py") for n in names if n.endswith(".py")}
    expected = {
        f"{PACKAGE}/{p.relative_to(ROOT / 'components').with_suffix('')}" for p in ROOT.glob("components/**/*.py")
    }
    assert modules == expected


def test_the_wheel_requires_ranges_that_admit_the_beds_pins_and_each_cloud_only_in_its_extra(installed: Installed):
    with zipfile.ZipFile(installed.wheel) as wheel:
        metadata = Parser().parsestr(wheel.read(f"{PACKAGE}-0.1.0.dist-info/METADATA").decode())
    assert metadata["Name"] == DISTRIBUTION
    assert metadata["Requires-Python"] == ">=3.11"
    requires = [Requirement(r) for r in metadata.get_all("Requires-Dist")]
    pins = {
        Requirement(line).name: next(iter(Requirement(line).specifier)).version
        for line in (ROOT / "requirements.txt").read_text().splitlines()
        if line and not line.startswith("#")
    }
    markers: dict[str, list[str]] = {}
    for req in requires:
        assert req.specifier.contains(pins[req.name]), f"{req} does not admit the tested {req.name}=={pins[req.name]}"
        assert any(s.operator == "<" for s in req.specifier), f"{req}: no upper bound"
        markers.setdefault(req.name, []).append(str(req.marker) if req.marker else "always")
    assert {name: sorted(m) for name, m in markers.items()} == {
        "pulumi": ["always"],
        "pulumi-aws": ['extra == "aws"'],
        "pulumi-eks": ['extra == "aws"'],
        "pulumi-tls": ['extra == "aws"'],
        "pulumi-kubernetes": ['extra == "aws"', 'extra == "azure"'],
        "pulumi-azure-native": ['extra == "azure"'],
    }


def test_aws_extra_installs_no_azure_sdk_and_the_azure_package_says_which_extra(installed: Installed):
    code = (
        "import importlib.metadata as m, json\n"
        "names = sorted(d.metadata['Name'].lower().replace('_', '-') for d in m.distributions())\n"
        "try:\n"
        f"    import {PACKAGE}.azure\n"
        "    error = None\n"
        "except ModuleNotFoundError as err:\n"
        "    error = str(err)\n"
        "print(json.dumps({'names': names, 'error': error}))\n"
    )
    report = json.loads(
        _run([str(installed.python), "-I", "-c", code], cwd=installed.workdir, timeout=120, env=_isolated_env())
    )
    assert "pulumi-aws" in report["names"]
    assert DISTRIBUTION in report["names"]
    assert "pulumi-azure-native" not in report["names"]
    assert report["error"] == (
        f"{PACKAGE}.azure needs pulumi_azure_native: pip install '{DISTRIBUTION}[azure]'"
        " (in a checkout of the test beds: pip install -r requirements.txt)"
    )


@pytest.fixture(scope="module")
def example(installed: Installed) -> dict:
    """What examples/platform-team registered and exported under the mocks, outside the checkout."""
    config = json.dumps({"aws:region": REGION})
    out = _run(
        [str(installed.python), "-I", "platform_mocks.py", "__main__.py", "platform-team", "dev", config],
        cwd=installed.workdir,
        timeout=300,
        env=_isolated_env(),
    )
    return json.loads(out.splitlines()[-1])


def _one(example: dict, typ: str, name: str) -> dict:
    [found] = [r for r in example["resources"] if r["type"] == typ and r["name"] == name]
    return found


def test_the_example_runs_from_the_wheel_with_the_checkout_out_of_reach(installed: Installed, example: dict):
    assert not any(Path(p).resolve().is_relative_to(ROOT) for p in example["sysPath"] if p)
    assert example["importable"] == {"components": False, "stacks": False, "testbed": False, "k8s": False}
    assert Path(example["componentsFile"]).is_relative_to(installed.python.parent.parent)
    assert not [m for m in example["loaded"] if m.startswith("pulumi_azure_native")]


def test_the_example_builds_a_vpc_its_own_two_node_groups_and_the_controller(example: dict):
    vpc = _one(example, "aws:ec2/vpc:Vpc", "platform-vpc")
    assert vpc["inputs"]["cidrBlock"] == "10.42.0.0/16"
    zones = {r["inputs"]["availabilityZone"] for r in example["resources"] if r["type"] == "aws:ec2/subnet:Subnet"}
    assert zones == {f"{REGION}a", f"{REGION}b"}, "the first two zones the getAvailabilityZones invoke named"

    groups = {
        r["inputs"]["nodeGroupName"]: r for r in example["resources"] if r["type"] == "aws:eks/nodeGroup:NodeGroup"
    }
    assert sorted(groups) == ["apps", "system"], "the example's own groups, none of the seed's"
    assert groups["system"]["inputs"]["instanceTypes"] == ["m6i.large"]
    assert groups["system"]["inputs"]["taints"] == [
        {"key": "CriticalAddonsOnly", "value": "true", "effect": "NO_SCHEDULE"}
    ]
    assert groups["apps"]["inputs"]["capacityType"] == "SPOT"
    assert groups["apps"]["inputs"]["scalingConfig"] == {"minSize": 1, "maxSize": 6, "desiredSize": 2}
    assert all(len(g["inputs"]["subnetIds"]) == 2 for g in groups.values())

    release = _one(example, "kubernetes:helm.sh/v3:Release", "platform-lbc-release")
    assert release["inputs"]["chart"] == "aws-load-balancer-controller"
    # Secret as a whole: the values carry the webhook's private key.
    values = release["inputs"]["values"]["secret"]
    assert values["webhookTLS"]["key"].startswith("-----BEGIN RSA PRIVATE KEY-----")
    assert values["clusterName"] == "platform-dev"
    assert values["region"] == REGION
    assert values["nodeSelector"] == {"node.example.com/pool": "system"}
    assert values["tolerations"] == [
        {"key": "CriticalAddonsOnly", "operator": "Equal", "value": "true", "effect": "NoSchedule"}
    ]
    # for_cluster: the controller waits for the system nodes it is pinned to and for CoreDNS.
    assert groups["system"]["urn"] in release["dependencies"]
    assert groups["apps"]["urn"] not in release["dependencies"]
    [coredns] = [
        r for r in example["resources"] if r["type"] == "aws:eks/addon:Addon" and r["inputs"]["addonName"] == "coredns"
    ]
    assert coredns["urn"] in release["dependencies"]
    assert example["outputs"]["kubeconfigCommand"] == f"aws eks update-kubeconfig --region {REGION} --name platform-dev"


def test_the_example_requirements_install_this_checkout_with_the_aws_extra_only():
    lines = [
        line.strip()
        for line in (EXAMPLE / "requirements.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert lines == ["../..[aws]", "-c ../../requirements.txt"]
    # pip reads a path requirement relative to where it runs: examples/platform-team/.
    target = (EXAMPLE / "../..").resolve()
    assert tomllib.loads((target / "pyproject.toml").read_text())["project"]["name"] == DISTRIBUTION
    assert (EXAMPLE / "../../requirements.txt").resolve() == ROOT / "requirements.txt"
