"""The lifecycle model: Pulumi's create and delete order, durations, critical paths, and the hourly cost."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from testbed.engine import Resource
from testbed.lifecycle import analyse, document, region_of, summary_line
from testbed.lifecycle import prices as price_table
from testbed.lifecycle.graph import Graph
from testbed.lifecycle.schedule import create_schedule, destroy_schedule
from testbed.lifecycle.support import SupportPhase, eks_calendar, phase
from testbed.stackfile import known_stacks, read_stack_config

ROOT = Path(__file__).resolve().parents[1]
SEOUL = price_table.AWS["ap-northeast-2"]
STACK_VERSION = "1.36"
"""The EKS version of the stack files; the tests below judge it on days around its standard support end."""
IN_STANDARD = eks_calendar().windows[STACK_VERSION].standard_end
IN_EXTENDED = IN_STANDARD + timedelta(days=1)


def res(name: str, *, deps=(), parent=None, custom=True, remote=False, provider=None, typ="test:index:Thing", **inputs):
    return Resource(
        urn=f"urn:{name}",
        type=typ,
        name=name,
        parent=f"urn:{parent}" if parent else None,
        custom=custom,
        remote=remote,
        provider=f"urn:{provider}" if provider else None,
        dependencies=[f"urn:{d}" for d in deps],
        explicit_dependencies=[],
        inputs=dict(inputs),
    )


def names(urns):
    return [u.removeprefix("urn:") for u in urns]


# ---- create order ---------------------------------------------------------------------------------


def test_a_child_of_a_component_waits_for_the_components_dependencies():
    graph = Graph(
        [
            res("slow"),
            res("box", custom=False, deps=["slow"]),
            res("inside", parent="box"),
        ]
    )
    assert names(graph.create_gates["urn:inside"]) == ["slow"]


def test_a_dependency_on_a_component_waits_for_all_its_children():
    graph = Graph([res("box", custom=False), res("a", parent="box"), res("b", parent="box"), res("user", deps=["box"])])
    assert sorted(names(graph.create_gates["urn:user"])) == ["a", "b"]


def test_a_child_of_a_custom_resource_and_a_provider_user_wait_for_them():
    graph = Graph([res("cluster"), res("k8s", deps=["cluster"]), res("ns", provider="k8s"), res("sub", parent="ns")])
    assert names(graph.create_gates["urn:ns"]) == ["k8s"]
    assert names(graph.create_gates["urn:sub"]) == ["ns"]
    assert graph.created_before("urn:cluster", "urn:sub")


def test_up_takes_the_longest_chain_of_durations():
    graph = Graph([res("a"), res("b", deps=["a"]), res("c"), res("d", deps=["b", "c"])])
    minutes = {"urn:a": 10, "urn:b": 4, "urn:c": 12, "urn:d": 1}
    schedule = create_schedule(graph, minutes.__getitem__)
    assert schedule.minutes == 15  # a (10) + b (4) + d (1); c (12) runs alongside
    assert names(schedule.critical_path) == ["a", "b", "d"]
    assert schedule.start["urn:d"] == 14
    assert [sorted(names(w)) for w in schedule.waves] == [["a", "c"], ["b"], ["d"]]


# ---- delete order ---------------------------------------------------------------------------------


def test_destroy_runs_antichains_by_height_and_waits_for_each():
    # route and ingress depend on nothing that depends on them, but have different heights:
    # the engine deletes the taller chain's top first and waits for each antichain to finish.
    graph = Graph(
        [
            res("vpc"),
            res("route", deps=["vpc"]),
            res("release", deps=["vpc"]),
            res("ingress", deps=["release"]),
        ]
    )
    minutes = {"urn:vpc": 1, "urn:route": 5, "urn:release": 2, "urn:ingress": 3}
    schedule = destroy_schedule(graph, minutes.__getitem__)
    assert [sorted(names(w)) for w in schedule.waves] == [["ingress"], ["release", "route"], ["vpc"]]
    assert schedule.minutes == 3 + 5 + 1
    assert names(schedule.critical_path) == ["ingress", "route", "vpc"]
    # ... but only a dependency keeps that order under any engine
    assert graph.deleted_before("urn:ingress", "urn:vpc")
    assert not graph.deleted_before("urn:ingress", "urn:route")


def test_children_and_provider_users_are_deleted_before_what_they_hang_on():
    graph = Graph([res("k8s"), res("ns", provider="k8s"), res("box", custom=False), res("in", parent="box")])
    assert graph.deleted_before("urn:ns", "urn:k8s")
    assert graph.deleted_before("urn:in", "urn:box")


def test_retained_resources_cost_no_delete_time():
    kept = res("ip", typ="azure-native:network:PublicIPAddress")
    kept.options["retainOnDelete"] = True
    lifecycle = analyse([kept], region="koreacentral", today=date(2026, 11, 27))
    assert lifecycle.destroy.minutes == 0


# ---- support calendar -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2025, 5, 28), SupportPhase.UNRELEASED),
        (date(2026, 7, 29), SupportPhase.STANDARD),
        (date(2026, 7, 30), SupportPhase.EXTENDED),
        (date(2027, 7, 30), SupportPhase.ENDED),
    ],
)
def test_support_phase_by_date(today, expected):
    # 1.33: EKS release 2025-05-29, standard support to 2026-07-29, extended to 2027-07-29
    assert phase(eks_calendar(), "1.33.4", today)[0] is expected


def test_a_version_not_in_the_calendar_is_no_phase_not_an_error():
    assert phase(eks_calendar(), "1.20", date(2026, 1, 1)) == (None, None)


# ---- the stacks -----------------------------------------------------------------------------------


def lifecycle_of(plan_stack, name: str, today: date):
    config = read_stack_config(name)
    return analyse(plan_stack(name).resources, region=region_of(config), today=today)


def test_alb_keepalive_costs_at_most_40_cents_an_hour_in_standard_support(plan_stack):
    lifecycle = lifecycle_of(plan_stack, "alb-keepalive", IN_STANDARD)
    expected = (
        SEOUL.eks_standard.usd
        + 3 * SEOUL.ec2["t3.medium"].usd
        + 3 * 20 * SEOUL.ebs_gb_month["gp3"].usd / price_table.HOURS_PER_MONTH
        + SEOUL.nat_gateway.usd
        + SEOUL.public_ipv4.usd
        + SEOUL.alb.usd
    )
    assert lifecycle.cost.per_hour == pytest.approx(expected, abs=1e-4)
    assert lifecycle.cost.per_hour <= 0.40
    assert lifecycle.cost.region == "ap-northeast-2"
    assert all(item.source.startswith("https://") for item in lifecycle.cost.items)


def test_extended_support_costs_six_times_and_says_so(plan_stack):
    lifecycle = lifecycle_of(plan_stack, "alb-keepalive", IN_EXTENDED)
    control_plane = [i for i in lifecycle.cost.items if i.what.startswith("EKS control plane")]
    assert [i.per_hour for i in control_plane] == [SEOUL.eks_extended.usd]
    assert any("extended support" in w and "+$0.50/h" in w for w in lifecycle.warnings)


def test_alb_keepalive_comes_up_through_the_control_plane_nodes_and_controller(plan_stack):
    lifecycle = lifecycle_of(plan_stack, "alb-keepalive", IN_STANDARD)
    resources = {r.urn: r for r in plan_stack("alb-keepalive").resources}
    path_types = [resources[u].type for u in lifecycle.create.critical_path]
    assert "eks:index:Cluster" in path_types
    assert path_types.index("eks:index:Cluster") < path_types.index("aws:eks/nodeGroup:NodeGroup")
    # control plane 14 + node group 4 + the controller's Helm wait 2, and seconds of API objects
    assert 20 <= lifecycle.create.minutes <= 22


def test_controller_made_load_balancers_are_priced(plan_stack):
    lifecycle = lifecycle_of(plan_stack, "ingress-nginx-vs-alb", IN_STANDARD)
    resources = {r.urn: r for r in plan_stack("ingress-nginx-vs-alb").resources}
    made = {(resources[i.urn].type, i.what, i.per_hour) for i in lifecycle.cost.items}
    assert (
        "kubernetes:networking.k8s.io/v1:Ingress",
        "ALB the LB controller makes for this Ingress",
        SEOUL.alb.usd,
    ) in made
    assert ("kubernetes:helm.sh/v3:Release", "NLB the LB controller makes for this Service", SEOUL.nlb.usd) in made
    # both are internet-facing: one public IPv4 address per public subnet (2 AZs) each
    addresses = [i for i in lifecycle.cost.items if "public IPv4 addresses of the internet-facing" in i.what]
    assert [i.per_hour for i in addresses] == [2 * SEOUL.public_ipv4.usd] * 2


def test_aks_prices_the_pools_tier_and_addresses(plan_stack):
    lifecycle = lifecycle_of(plan_stack, "aks-tcp", date(2026, 11, 27))
    korea = price_table.AZURE["koreacentral"]
    whats = {i.what: i.per_hour for i in lifecycle.cost.items}
    assert whats["AKS Free tier"] == 0.0
    assert whats["pool system: 2 x Standard_D4s_v5"] == pytest.approx(2 * korea.vm["Standard_D4s_v5"].usd)
    assert whats["Standard static public IP"] == korea.public_ip.usd
    assert any("protected" in w for w in lifecycle.warnings)


def test_an_unknown_region_or_type_is_a_warning_not_a_zero():
    group = res(
        "ng",
        typ="aws:eks/nodeGroup:NodeGroup",
        instanceTypes=["x9.huge"],
        scalingConfig={"desiredSize": 2},
    )
    priced = analyse([group], region="ap-northeast-2", today=date(2026, 1, 1))
    assert any("no price for x9.huge" in w for w in priced.warnings)
    unpriced = analyse([group], region="mars-north-1", today=date(2026, 1, 1))
    assert unpriced.cost.items == [] and "cost not estimated" in summary_line(unpriced)


def test_a_bastion_instance_is_priced_with_its_volume_and_address():
    bastion = res(
        "bastion",
        typ="aws:ec2/instance:Instance",
        instanceType="t3.micro",
        associatePublicIpAddress=True,
        rootBlockDevice={"volumeSize": 30, "volumeType": "gp3"},
    )
    items = {i.what: i.per_hour for i in analyse([bastion], region="ap-northeast-2", today=IN_STANDARD).cost.items}
    assert items == {
        "1 x t3.micro": SEOUL.ec2["t3.micro"].usd,
        "30 GiB EBS gp3 root volume": pytest.approx(30 * SEOUL.ebs_gb_month["gp3"].usd / 730, abs=1e-5),
        "its public IPv4 address": SEOUL.public_ipv4.usd,
    }


def test_every_stack_has_a_lifecycle_document(plan_stack):
    for name in known_stacks():
        lifecycle = lifecycle_of(plan_stack, name, IN_STANDARD)
        doc = document(lifecycle)
        assert set(doc) == {"create", "destroy", "cost", "warnings"}, name
        assert set(doc["cost"]) == {"currency", "region", "pricedAt", "perHour", "items", "excluded"}, name
        urns = {r.urn for r in plan_stack(name).resources}
        for direction in ("create", "destroy"):
            waves = doc[direction]["waves"]
            assert sorted(u for w in waves for u in w) == sorted(urns), (name, direction)
            assert doc[direction]["minutes"] > 0 and set(doc[direction]["criticalPath"]) <= urns
        assert doc["cost"]["perHour"] > 0 and any("LCU" in e for e in doc["cost"]["excluded"]), name


def test_plan_prints_the_lifecycle_line_and_writes_lifecycle_json(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "testbed", "plan", "alb-keepalive", "--out", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    last = result.stdout.strip().splitlines()[-1]
    assert re.fullmatch(
        r"\d+ resources; up ~\d+ min, destroy ~\d+ min \(critical paths\); "
        r"\$\d+\.\d\d/h \(\$\d+\.\d\d per 8-hour day, traffic excluded\)",
        last,
    ), last
    written = json.loads((tmp_path / "lifecycle.json").read_text())
    assert written["cost"]["region"] == "ap-northeast-2"
    assert written["cost"]["pricedAt"] == price_table.PRICED_AT.isoformat()
    assert last.startswith(f"{len(json.loads((tmp_path / 'plan.json').read_text())['resources'])} resources")


def test_the_lifecycle_of_an_aks_plan_loads_no_aws_module():
    code = """
import json, sys
from datetime import date
from testbed.engine import run_program
from testbed.gates import Stack
from testbed.gates.lifecycle import lifecycle_gate
from testbed.lifecycle import analyse, region_of
from testbed.plan import Plan
from testbed.stackfile import read_stack_config
config = read_stack_config("aks-tcp")
recording = run_program("aks-tcp", config)
analyse(recording.resources, region=region_of(config), today=date(2026, 11, 27))
list(lifecycle_gate([Stack(Plan("aks-tcp", recording), config)]))
print(json.dumps(sorted(m for m in sys.modules if m.startswith(("pulumi_aws", "pulumi_eks", "components.aws")))))
"""
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.splitlines()[-1]) == []


def test_every_price_names_its_page_and_how_it_was_checked():
    regions = [*price_table.AWS.values(), *price_table.AZURE.values()]
    found = []
    for region in regions:
        for value in vars(region).values():
            found += list(value.values()) if isinstance(value, dict) else [value]
    assert found and all(isinstance(p, price_table.Price) for p in found)
    assert all(p.usd >= 0 and p.source.startswith("https://") and p.checked for p in found)


def test_every_duration_says_where_it_comes_from():
    from testbed.lifecycle.durations import BY_TYPE

    assert all(d.create >= 0 and d.delete >= 0 and d.source for d in BY_TYPE.values())
    unsourced = [t for t, d in BY_TYPE.items() if not re.search(r"https://|#\d+|estimate|seconds", d.source)]
    assert unsourced == []
