"""Stack config: valid configs load with the seeds' defaults; every bad value is one line naming the key."""

from __future__ import annotations

import functools
import json

import pulumi
import pytest

from components.aws.versions import EKS_VERSION
from stacks import SCENARIOS, build_scenario, scenario_module
from stacks.config import ConfigError, engine_value, load_config, program_value
from testbed.engine import run_program
from testbed.plan import Plan, plan_json
from testbed.stackfile import read_stack_config
from tests.plans import load_stack, refusal

EksBase = scenario_module("eks-base").Config


load = functools.partial(load_stack, EksBase, "eks-base")
problems = functools.partial(refusal, EksBase, "eks-base")


def test_stack_file_loads_with_the_seed_values():
    cfg = load()
    assert cfg.region == "ap-northeast-2"
    assert cfg.cluster_name == "my-cluster"
    assert cfg.availability_zones == ["ap-northeast-2a", "ap-northeast-2c"]
    assert cfg.network.nat_gateways == "single"
    assert cfg.cluster.kubernetes_version == "1.36", "the seed's 1.33 bills EKS extended support"
    assert cfg.node_groups["infra"].max_size == 2
    assert cfg.node_groups["client"].labels == {"role": "client"}


def test_defaults_are_the_seeds():
    cfg = load_config(EksBase, {"aws:region": "ap-northeast-2"}, stack="eks-base")
    assert cfg.cluster_name == "eks-base", "without a name the cluster is named after the stack"
    assert cfg.availability_zones == ["ap-northeast-2a", "ap-northeast-2c"]
    assert cfg.network.vpc_cidr == "10.0.0.0/16"
    assert cfg.network.nat_gateways == "single"
    assert cfg.cluster.kubernetes_version == EKS_VERSION
    assert cfg.cluster.endpoint_public_access and cfg.cluster.endpoint_private_access
    assert cfg.cluster.system_node_selector == {"role": "infra"}
    assert (cfg.cluster.coredns_replicas, cfg.cluster.metrics_server_replicas) == (1, 1)
    sizes = {n: (g.instance_type, g.min_size, g.max_size, g.desired_size, g.labels) for n, g in cfg.node_groups.items()}
    assert sizes == {
        "infra": ("t3.medium", 1, 2, 1, {"role": "infra"}),
        "server": ("t3.medium", 1, 1, 1, {"role": "server"}),
        "client": ("t3.medium", 1, 1, 1, {"role": "client"}),
    }


def test_only_the_region_reproduces_the_seed_stack():
    full = run_program("eks-base", read_stack_config("eks-base"))
    minimal = run_program("eks-base", {"aws:region": "ap-northeast-2", "testbed:clusterName": "my-cluster"})
    assert plan_json(Plan("eks-base", minimal)) == plan_json(Plan("eks-base", full))


def test_default_zones_follow_the_region():
    cfg = load_config(EksBase, {"aws:region": "eu-west-1"}, stack="s")
    assert cfg.availability_zones == ["eu-west-1a", "eu-west-1c"]


def test_engine_strings_are_read_like_the_engine_sends_them():
    assert engine_value(True) == "true"
    assert engine_value(5) == "5"
    assert engine_value({"a": [1]}) == '{"a": [1]}'
    assert program_value('{"a": [1]}') == {"a": [1]}
    assert program_value("1.33") == "1.33"
    cfg = load(**{"testbed:lbController": {"replicaCount": 3}})
    assert cfg.lb_controller.replica_count == 3
    assert problems(**{"testbed:lbController": {"replicaCount": "3"}}) == [
        "testbed:lbController.replicaCount: '3': a whole number"
    ], "strict: a quoted number inside a mapping is text, as YAML says"


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        (
            {"testbed:nodeGroup": {}},
            "testbed:nodeGroup: unknown key; did you mean testbed:nodeGroups? known keys: aws: region; "
            "testbed: availabilityZones, cluster, clusterName, lbController, network, nodeGroups, tags",
        ),
        (
            {"testbed:network": {"natGateway": "single"}},
            "testbed:network.natGateway: unknown key; did you mean natGateways? known keys: natGateways, vpcCidr",
        ),
        (
            {"testbed:network": {"natGateways": "double"}},
            "testbed:network.natGateways: 'double': one of single, one-per-az",
        ),
        ({"testbed:network": {"vpcCidr": "10.0.0.0/8"}}, "testbed:network.vpcCidr: 10.0.0.0/8 must be a /16 to /20"),
        ({"aws:region": "mars-1"}, "aws:region: 'mars-1' is not an AWS region name like 'ap-northeast-2'"),
        (
            {"testbed:availabilityZones": ["us-east-1a", "ap-northeast-2c"]},
            "testbed:availabilityZones: 'us-east-1a' is not in region ap-northeast-2",
        ),
        (
            {"testbed:availabilityZones": ["ap-northeast-2a"]},
            "testbed:availabilityZones: ['ap-northeast-2a']: EKS needs at least 2 zones",
        ),
        (
            {"testbed:cluster": {"kubernetesVersion": 1.3}},
            'testbed:cluster.kubernetesVersion: 1.3: write the version quoted, e.g. "1.36" (YAML reads 1.30 as 1.3)',
        ),
        (
            {"testbed:cluster": {"kubernetesVersion": "1.29"}},
            "testbed:cluster.kubernetesVersion: '1.29' is not in the Amazon EKS support calendar; "
            "known: 1.31, 1.32, 1.33, 1.34, 1.35, 1.36",
        ),
        (
            {"testbed:cluster": {"kubernetesVersion": "latest"}},
            "testbed:cluster.kubernetesVersion: 'latest' is not a Kubernetes minor version like \"1.33\"",
        ),
        (
            {"testbed:cluster": {"corednsReplicas": 0}},
            "testbed:cluster.corednsReplicas: 0: at least 1",
        ),
        (
            {"testbed:cluster": {"publicAccessCidrs": ["1.2.3.4/40"]}},
            "testbed:cluster.publicAccessCidrs[0]: '1.2.3.4/40': an IPv4 CIDR like 203.0.113.7/32 (host bits zero)",
        ),
        (
            {"testbed:cluster": {"endpointPublicAccess": False, "endpointPrivateAccess": False}},
            "testbed:cluster.endpointPrivateAccess: false with endpointPublicAccess false: "
            "the API server would be unreachable",
        ),
        (
            {
                "testbed:nodeGroups": {
                    "infra": {"labels": {"role": "infra"}, "minSize": 2, "desiredSize": 1, "maxSize": 3}
                }
            },
            "testbed:nodeGroups.infra.desiredSize: need min <= desired <= max, got 2 <= 1 <= 3",
        ),
        (
            {"testbed:nodeGroups": {"infra": {"labels": {"role": "infra"}, "minSize": "one"}}},
            "testbed:nodeGroups.infra.minSize: 'one': a whole number",
        ),
        (
            {"testbed:nodeGroups": {"infra": {"labels": {"role": "infra"}, "capacityType": "RESERVED"}}},
            "testbed:nodeGroups.infra.capacityType: 'RESERVED': one of ON_DEMAND, SPOT",
        ),
        (
            {"testbed:nodeGroups": {"infra": {"labels": {"role": "in fra"}}}},
            "testbed:nodeGroups.infra.labels.role: "
            "label value 'in fra' of 'role' is not a valid Kubernetes label value",
        ),
        (
            {"testbed:nodeGroups": {"infra": {"labels": {"role": "infra"}, "availabilityZones": ["ap-northeast-2b"]}}},
            "testbed:nodeGroups.infra.availabilityZones: 'ap-northeast-2b' is not one of availabilityZones "
            "['ap-northeast-2a', 'ap-northeast-2c']",
        ),
        (
            {"testbed:nodeGroups": {"infra": {"labels": {"role": "infra"}}, "bad name": {}}},
            "testbed:nodeGroups.bad name: name 'bad name' must start with a letter or digit, hold only letters, "
            "digits, '-' and '_', and be at most 63 characters",
        ),
        (
            {"testbed:nodeGroups": {"workers": {"labels": {"role": "workers"}}}},
            "testbed:cluster.systemNodeSelector: {'role': 'infra'}: no node group has these labels, "
            "so system pods could not run",
        ),
        (
            {"testbed:lbController": {"replicaCount": 9}},
            "testbed:lbController.replicaCount: 9: at most 5",
        ),
        (
            {"testbed:tags": ["a"]},
            "testbed:tags: ['a']: a mapping of key: value",
        ),
    ],
)
def test_bad_values_are_one_line_naming_the_key(overrides, expected):
    assert problems(**overrides) == [expected]


def test_missing_region():
    raw = {k: v for k, v in read_stack_config("eks-base").items() if k != "aws:region"}
    with pytest.raises(ConfigError) as caught:
        load_config(EksBase, raw, stack="eks-base")
    [line] = caught.value.lines
    assert line.startswith("aws:region: missing; this key has no default and must be set (AWS region")


def test_every_problem_is_reported_at_once():
    lines = problems(**{"testbed:network": {"natGateways": "x", "vpcCidr": "1.2.3.0/24"}, "testbed:clusterName": "-x"})
    assert len(lines) == 3
    assert all(line.startswith(("testbed:network.", "testbed:clusterName:")) for line in lines)


def test_unknown_scenario_names_the_known_ones():
    with pytest.raises(ConfigError) as caught:
        build_scenario({"testbed:scenario": "alb-nope"}, "s")
    known = ", ".join(sorted(SCENARIOS))
    assert caught.value.lines == [f"testbed:scenario: 'alb-nope' is not a known scenario; known: {known}"]


def test_pulumi_up_reports_the_same_lines_without_a_traceback():
    """The program turns a bad config into pulumi.RunError, which Pulumi prints without a traceback."""
    config = {**read_stack_config("eks-base"), "testbed:network": json.dumps({"natGateways": "double"})}
    with pytest.raises(pulumi.RunError) as caught:
        run_program("eks-base", config)
    assert str(caught.value) == "testbed:network.natGateways: 'double': one of single, one-per-az"
    assert caught.value.__cause__ is None and caught.value.__suppress_context__
