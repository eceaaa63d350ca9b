"""Placement: the cluster (EKS and AKS alike) answers where a workload with a node selector runs."""

from __future__ import annotations

import pulumi
import pytest

from components.aws import Cluster, NodeGroupSpec, Taint
from components.errors import ArgsError
from components.placement import NodePool, Placement, place, selector_problem
from testbed.engine import run_program
from tests.test_azure_components import CONFIG as AZURE_CONFIG
from tests.test_azure_components import bed
from tests.test_components import CONFIG, ZONES, cluster_args, network

DEDICATED = {"key": "dedicated", "operator": "Equal", "value": "lb", "effect": "NoSchedule"}


class _Marker(pulumi.CustomResource):
    def __init__(self, name: str):
        super().__init__("test:index:Marker", name, {})


def test_place_tolerates_each_taint_of_the_matching_pools_once_and_waits_for_them():
    placed: list[Placement] = []
    made: list[_Marker] = []

    def program():
        a, b, c = _Marker("a"), _Marker("b"), _Marker("c")
        made.extend((a, b, c))
        pools = {
            "a": NodePool({"role": "lb", "zone": "1"}, (DEDICATED,), a),
            "b": NodePool({"role": "lb"}, (DEDICATED,), b),
            "c": NodePool({"role": "other"}, (), c),
        }
        placed.append(place("Cluster", {"role": "lb"}, pools, "node group"))
        placed.append(place("Cluster", {}, pools, "node group"))

    run_program("t", CONFIG, program=program)
    lb, anywhere = placed
    a, b, c = made
    assert lb == Placement({"role": "lb"}, (DEDICATED,), (a, b))
    assert anywhere.wait_for == (a, b, c), "an empty selector matches every pool"


def test_a_selector_no_pool_carries_names_itself_and_every_pools_labels():
    labels = {"infra": {"role": "infra"}, "server": {"role": "server"}}
    assert selector_problem({"role": "server"}, labels, "pool") is None
    assert selector_problem({"role": "gpu"}, labels, "pool") == (
        "no pool has labels {'role': 'gpu'} (pools: infra {'role': 'infra'}, server {'role': 'server'})"
    )
    with pytest.raises(ArgsError) as err:
        place("AksCluster", {"role": "gpu"}, {}, "pool")
    assert str(err.value) == "AksCluster: node_selector: no pool has labels {'role': 'gpu'} (pools: none)"


GROUPS = {
    "system": NodeGroupSpec(
        instance_type="t3.large", labels={"role": "system"}, taints=[Taint(key="CriticalAddonsOnly", value="true")]
    ),
    "lb-a": NodeGroupSpec(instance_type="t3.large", labels={"role": "lb"}, taints=[Taint(key="dedicated", value="lb")]),
    "lb-b": NodeGroupSpec(instance_type="t3.large", labels={"role": "lb"}, taints=[Taint(key="dedicated", value="lb")]),
}


def _cluster(answers: dict, **selectors) -> None:
    net = network(availability_zones=ZONES[:2])
    cluster = answers["cluster"] = Cluster("c", cluster_args(net, GROUPS, system_node_selector={"role": "system"}))
    for key, selector in selectors.items():
        try:
            answers[key] = cluster.placement(selector)
        except ArgsError as err:
            answers[key] = err


def test_the_eks_cluster_answers_with_its_node_groups_and_the_system_placement_is_that_answer():
    answers: dict = {}
    run_program("t", CONFIG, program=lambda: _cluster(answers, lb={"role": "lb"}, gpu={"role": "gpu"}))
    cluster = answers["cluster"]
    assert answers["lb"] == Placement(
        {"role": "lb"}, (DEDICATED,), (cluster.node_groups["lb-a"], cluster.node_groups["lb-b"])
    )
    assert cluster.system_placement.tolerations == (
        {"key": "CriticalAddonsOnly", "operator": "Equal", "value": "true", "effect": "NoSchedule"},
    )
    assert cluster.system_node_groups == [cluster.node_groups["system"]]
    assert str(answers["gpu"]) == (
        "Cluster: node_selector: no node group has labels {'role': 'gpu'} (node groups: system {'role': 'system'},"
        " lb-a {'role': 'lb'}, lb-b {'role': 'lb'})"
    )


def test_the_aks_cluster_answers_with_its_pools_the_inline_system_pool_being_the_cluster():
    answers: dict = {}

    def program():
        cluster = answers["cluster"] = bed("blue")
        answers["apps"] = cluster.placement({"role": "apps"})
        answers["any"] = cluster.placement({})

    run_program("t", AZURE_CONFIG, program=program)
    cluster = answers["cluster"]
    assert answers["apps"] == Placement(
        {"role": "apps"},
        ({"key": "role", "operator": "Equal", "value": "apps", "effect": "NoSchedule"},),
        (cluster.user_pools["apps"],),
    )
    assert answers["any"].wait_for == (cluster.managed_cluster, cluster.user_pools["apps"])
