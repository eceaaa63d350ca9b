"""`python -m testbed`, run as a user runs it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from stacks import SCENARIOS

ROOT = Path(__file__).resolve().parents[1]


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "testbed", *args], cwd=ROOT, capture_output=True, text=True, timeout=300
    )


def test_plan_writes_plan_json_and_manifests(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    result = run_cli("plan", "eks-base", "--out", str(first))
    assert result.returncode == 0, result.stderr
    assert run_cli("plan", "eks-base", "--out", str(second)).returncode == 0

    tree = result.stdout
    assert tree.startswith("eks-base (scenario eks-base): ")
    for expected in (
        "aws.eks.NodeGroup cluster-infra",
        "max: 2",
        "subnets: [net-private-ap-northeast-2a]",
        "labels: {role=infra}",
        "aws.ec2.NatGateway net-nat-ap-northeast-2a",
        "kubernetes.io/role/internal-elb=1",
        ":sub=system:serviceaccount:kube-system:aws-load-balancer-controller",
        "chart: aws-load-balancer-controller@3.5.0",
        "after: cluster-coredns, cluster-infra, lbc-role-policy, lbc-sa",
    ):
        assert expected in tree, expected
    assert "Traceback" not in result.stderr

    plan = json.loads((first / "plan.json").read_text())
    assert set(plan) >= {"scenario", "stack", "resources", "outputs", "warnings"}
    assert plan["scenario"] == "eks-base" and plan["stack"] == "eks-base"
    for resource in plan["resources"]:
        assert set(resource) >= {"urn", "type", "name", "parent", "custom", "inputs", "dependencies", "provider"}
    assert plan["outputs"]["kubeconfig"] == "[secret]"
    manifests = sorted(p.relative_to(first / "manifests").as_posix() for p in (first / "manifests").rglob("*.yaml"))
    assert manifests == [
        "kube-system/HelmRelease-aws-load-balancer-controller.yaml",
        "kube-system/HelmRelease-metrics-server.yaml",
        "kube-system/ServiceAccount-aws-load-balancer-controller.yaml",
    ]
    release = (first / "manifests/kube-system/HelmRelease-aws-load-balancer-controller.yaml").read_text()
    assert "key: '[secret]'" in release and "PRIVATE KEY" not in release
    for path in [first / "plan.json", *(first / "manifests").rglob("*.yaml")]:
        assert path.read_bytes() == (second / path.relative_to(first)).read_bytes(), path


def test_unknown_scenario_is_one_line():
    result = run_cli("plan", "alb-nope")
    assert result.returncode == 2
    assert result.stderr.strip() == f"unknown scenario 'alb-nope'; known: {', '.join(sorted(SCENARIOS))}"


def test_bad_config_is_one_line_per_problem_without_a_traceback():
    result = run_cli("plan", "eks-base", "-c", "testbed:network={natGateways: double}", "-c", "testbed:clusterName=-x")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert lines[-3:] == [
        "eks-base: invalid config:",
        "  testbed:clusterName: '-x' must start with a letter or digit, hold only letters, digits, '-' and '_', "
        "and be at most 100 characters",
        "  testbed:network.natGateways: 'double': one of single, one-per-az",
    ]


def test_config_override_changes_the_plan():
    result = run_cli("plan", "eks-base", "-c", "testbed:network={natGateways: one-per-az}")
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("aws.ec2.NatGateway ") == 2


def test_list_and_schema_check():
    listed = run_cli("list")
    assert listed.returncode == 0 and "eks-base" in listed.stdout
    assert run_cli("schema", "--check").returncode == 0
