"""components/helm.py: the add-on shape every Helm release is made from (values as data, one Release)."""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as kubernetes

from components.aws.versions import LB_CONTROLLER
from components.helm import HelmAddOn, HelmChart, deep_merge, helm_release
from components.placement import Placement
from k8s.versions import KUBE_OPS_VIEW
from testbed.engine import run_program
from tests.graph import one

CHART = HelmChart(name="demo", version="1.2.3", repository="https://charts.example.com/")


def add_on(**fields) -> HelmAddOn:
    return HelmAddOn(release_name="demo", namespace="tools", chart=CHART, **fields)


def test_the_charts_the_seeds_name_are_pinned_at_the_seeds_versions():
    """The beds' tests check that their releases install these pins."""
    assert (
        HelmChart(name="aws-load-balancer-controller", version="3.5.0", repository="https://aws.github.io/eks-charts")
        == LB_CONTROLLER
    )
    assert (
        HelmChart(name="kube-ops-view", version="1.2.2", repository="https://geek-cookbook.github.io/charts/")
        == KUBE_OPS_VIEW
    )


def test_no_placement_leaves_the_charts_default():
    assert add_on(values={"replicas": 2}).merged_values() == {"replicas": 2}


def test_placement_goes_where_the_chart_reads_it():
    values = add_on(
        values={"controller": {"replicaCount": 1}},
        placement=Placement(
            {"role": "infra"}, ({"key": "dedicated", "operator": "Equal", "value": "infra", "effect": "NoSchedule"},)
        ),
        placement_path=("controller",),
    ).merged_values()
    assert values == {
        "controller": {
            "replicaCount": 1,
            "nodeSelector": {"role": "infra"},
            "tolerations": [{"key": "dedicated", "operator": "Equal", "value": "infra", "effect": "NoSchedule"}],
        }
    }


def test_user_values_merge_last_over_ours_and_the_placement():
    values = add_on(
        values={"replicas": 2, "env": {"TZ": "UTC", "LANG": "C"}},
        placement=Placement({"role": "infra"}),
        extra_values={"replicas": 3, "env": {"TZ": "Asia/Seoul"}, "nodeSelector": {"role": "tools"}},
    ).merged_values()
    assert values == {
        "replicas": 3,
        "env": {"TZ": "Asia/Seoul", "LANG": "C"},
        "nodeSelector": {"role": "tools"},
        "tolerations": [],
    }


def test_deep_merge_is_pure():
    base = {"a": {"b": 1, "c": [1]}, "d": 1}
    merged = deep_merge(base, {"a": {"c": [2]}, "e": 2})
    assert merged == {"a": {"b": 1, "c": [2]}, "d": 1, "e": 2}
    assert base == {"a": {"b": 1, "c": [1]}, "d": 1}


def test_one_release_with_the_pinned_chart_after_its_nodes_and_what_it_waits_for():
    def program() -> None:
        provider = kubernetes.Provider("cluster")
        node_group = pulumi.CustomResource("test:index:NodeGroup", "nodes")
        namespace = pulumi.CustomResource("test:index:Namespace", "tools")
        parent = pulumi.ComponentResource("test:index:Parent", "parent")
        helm_release(
            "demo-release",
            add_on(
                values={"replicas": 2},
                placement=Placement({"role": "infra"}, (), (node_group,)),
                wait_for=[namespace],
            ),
            provider=provider,
            parent=parent,
        )

    recording = run_program("helm", {}, program=program)
    release = one(recording, "kubernetes:helm.sh/v3:Release", "demo-release")
    assert {k: release.inputs[k] for k in ("name", "namespace", "chart", "version")} == {
        "name": "demo",
        "namespace": "tools",
        "chart": "demo",
        "version": "1.2.3",
    }
    assert release.inputs["repositoryOpts"] == {"repo": "https://charts.example.com/"}
    assert release.inputs["values"] == {"replicas": 2, "nodeSelector": {"role": "infra"}, "tolerations": []}
    # The placement's nodes and what else it waits for.
    assert release.explicit_dependencies == sorted(
        [one(recording, "test:index:NodeGroup", "nodes").urn, one(recording, "test:index:Namespace", "tools").urn]
    )
    assert release.parent == one(recording, "test:index:Parent", "parent").urn
    assert release.provider.endswith("cluster")
