"""Cloud limits are written once (components/limits) and match their sources: EC2's instance types
(botocore), the providers' config keys (their SDKs' config modules); every config pattern has words."""

from __future__ import annotations

import ast
import importlib.util
import re
from pathlib import Path

import pytest

from components.limits import aws, azure, ec2
from stacks import SCENARIOS, scenario_module
from stacks.messages import PATTERN_WORDS

ROOT = Path(__file__).resolve().parent.parent


def provider_keys(package: str) -> set[str]:
    """The keys `<package>/config/vars.py` reads (`__config__.get('<key>')` and friends)."""
    vars_py = Path(importlib.util.find_spec(package).origin).parent / "config" / "vars.py"
    keys = set()
    reads = ("get", "get_bool", "get_int", "get_float", "get_object")  # get_env reads environment variables
    for node in ast.walk(ast.parse(vars_py.read_text())):
        if (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", "") in reads
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            keys.add(node.args[0].value)
    return keys


@pytest.mark.parametrize(("package", "shipped"), [("pulumi_aws", aws), ("pulumi_azure_native", azure)])
def test_provider_config_keys_are_the_providers_own(package: str, shipped):
    assert provider_keys(package) == set(shipped.PROVIDER_CONFIG_KEYS)


def test_the_shipped_instance_types_are_ec2s():
    assert ec2.DATA.read_text() == ec2.render(ec2.botocore_instance_types()), (
        "run: .venv/bin/python -m components.limits.ec2"
    )
    assert {"t3.medium", "m6g.large", "c7gn.large", "t4g.nano"} <= ec2.instance_types()


@pytest.mark.parametrize(
    ("name", "arm"),
    [
        *[("t4g.small", True), ("m6gd.large", True), ("a1.large", True), ("is4gen.large", True), ("g5g.xlarge", True)],
        *[("t3.medium", False), ("g4dn.xlarge", False), ("m7i-flex.large", False), ("inf2.xlarge", False)],
    ],
)
def test_graviton_is_read_from_the_family(name: str, arm: bool):
    assert ec2.is_graviton(name) is arm


def test_every_config_pattern_has_its_words():
    patterns = set()
    for scenario in SCENARIOS:
        schema = scenario_module(scenario).Config.model_json_schema(by_alias=True)
        patterns |= set(re.findall(r'"pattern": "((?:[^"\\]|\\.)*)"', _json(schema)))
    missing = {p for p in patterns if p not in PATTERN_WORDS}
    assert not missing, f"add these to stacks/messages.py PATTERN_WORDS: {missing}"


def _json(schema: dict) -> str:
    import json

    return json.dumps(schema).encode().decode("unicode_escape")


LIMITS = {
    "4000": "ALB idle timeout",
    "604800": "ALB client keep-alive and stickiness",
    "6000": "NLB TCP idle timeout",
    "360000": "NLB unhealthy draining interval",
    "450": "EKS nodes per managed node group",
    "16384": "gp3 volume size",
    "65535": "TCP and UDP ports",
}


@pytest.mark.parametrize("number", sorted(LIMITS))
def test_no_cloud_limit_is_written_twice(number: str):
    """Each of these numbers appears in components/limits only, not in another module of the project
    (k8s/apps are programs that run alone in a container, importing nothing of the project)."""
    found = [
        path.relative_to(ROOT).as_posix()
        for folder in ("components", "stacks", "k8s", "testbed")
        for path in (ROOT / folder).rglob("*.py")
        if "limits" not in path.parts
        and "apps" not in path.parts
        and re.search(rf"(?<![\d.]){number}(?![\d-])", path.read_text())
    ]
    assert found == [], f"{LIMITS[number]} ({number}) is written outside components/limits: {found}"
