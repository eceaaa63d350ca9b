"""A corpus of bad inputs, as a new user and as an attacker would write them: every one ends as one
clear line per problem (`<key>: <value>: <what is allowed>`), exit 2, no traceback, under `plan`,
`check` and the program path (`__main__.py`, what `pulumi up` runs); the valid edge cases still plan.

Each case is a stack file written to a temporary stacks folder (TESTBED_STACKS_DIR), made from a
real stack file with one change, or a `-c` override of `plan`.
"""

from __future__ import annotations

import copy
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulumi
import pytest
import yaml

from stacks.config import ConfigError
from testbed.__main__ import main
from testbed.engine import run_program
from testbed.stackfile import STACKS_DIR, STACKS_DIR_ENV, read_stack_config

STACK = "bad"
LINE_LIMIT = 300
INTERNALS = re.compile(
    r"Input should|pydantic|constrained-|literal\[|function-after|valid dictionary|String should|"
    r"should match pattern|\^\[|Traceback|VersionNotSupported|Error:|errors\.pydantic|type=|'None'"
)
BIG = "x" * 10_000
FILE = "<the stack file>"
"""The key of a problem with the file itself: its path."""


def base(stack: str) -> dict[str, Any]:
    return yaml.safe_load((STACKS_DIR / f"Pulumi.{stack}.yaml").read_text())


@dataclass(frozen=True)
class Case:
    """A stack file made from `stack`'s by `change`, or raw `text`; `key`: the key a line must start with."""

    id: str
    stack: str
    key: str
    change: Callable[[dict[str, Any]], None] | None = None
    text: str | None = None
    overrides: tuple[str, ...] = ()

    def document(self) -> str:
        if self.text is not None:
            return self.text
        document = copy.deepcopy(base(self.stack))
        document["config"]["testbed:scenario"] = self.stack
        if self.change is not None:
            self.change(document["config"])
        return yaml.safe_dump(document, allow_unicode=False, sort_keys=False)


def put(*path: str | int, value: Any) -> Callable[[dict[str, Any]], None]:
    """A change that sets config[path] = value (creating mappings on the way)."""

    def change(config: dict[str, Any]) -> None:
        node = config
        for part in path[:-1]:
            node = node.setdefault(part, {}) if isinstance(node, dict) else node[part]
        node[path[-1]] = value

    return change


def drop(key: str) -> Callable[[dict[str, Any]], None]:
    return lambda config: config.pop(key)


def value_cases(stack: str, key: str, path: tuple[str | int, ...], values: dict[str, Any]) -> list[Case]:
    return [
        Case(f"{stack}-{'.'.join(map(str, path))}-{name}", stack, key, put(*path, value=v))
        for name, v in values.items()
    ]


EKS = "eks-base"
NG = "testbed:nodeGroups"

FILE_CASES = [
    Case("yaml-unclosed-flow-list", EKS, FILE, text="config:\n  testbed:availabilityZones: [a, b\n"),
    Case("yaml-tab-indent", EKS, FILE, text="config:\n\taws:region: ap-northeast-2\n"),
    Case("yaml-unclosed-quote", EKS, FILE, text='config:\n  aws:region: "ap-northeast-2\n'),
    Case("yaml-bad-indent", EKS, FILE, text="config:\n  aws:region: x\n   testbed:clusterName: y\n"),
    Case("file-is-a-list", EKS, FILE, text="- config\n- aws:region\n"),
    Case("file-is-a-scalar", EKS, FILE, text="just some text\n"),
    Case("file-is-a-number", EKS, FILE, text="42\n"),
    Case("config-is-a-list", EKS, FILE, text="config:\n  - aws:region: ap-northeast-2\n"),
    Case("config-is-a-scalar", EKS, FILE, text="config: ap-northeast-2\n"),
    Case(
        "duplicate-top-key",
        EKS,
        FILE,
        text="config:\n  aws:region: ap-northeast-2\n  testbed:clusterName: a\n  testbed:clusterName: b\n",
    ),
    Case(
        "duplicate-nested-key",
        EKS,
        FILE,
        text="config:\n  aws:region: ap-northeast-2\n  testbed:network:\n    vpcCidr: 10.0.0.0/16\n"
        "    vpcCidr: 10.1.0.0/16\n",
    ),
    Case("key-without-namespace", EKS, FILE, text="config:\n  aws:region: ap-northeast-2\n  clusterName: x\n"),
    Case("key-is-a-list", EKS, FILE, text="config:\n  aws:region: ap-northeast-2\n  ? [a, b]\n  : x\n"),
    Case("top-null", EKS, "testbed:clusterName", put("testbed:clusterName", value=None)),
    Case(
        "top-null-tilde", EKS, "testbed:network", text="config:\n  aws:region: ap-northeast-2\n  testbed:network: ~\n"
    ),
    Case("region-null", EKS, "aws:region", put("aws:region", value=None)),
    Case("region-missing", EKS, "aws:region", drop("aws:region")),
    Case("not-utf8", EKS, FILE, text="config:\n  aws:region: ap-northeast-2\n  testbed:clusterName: \udcff\n"),
]

NODE_GROUP_CASES = [
    *value_cases(
        EKS,
        f"{NG}.infra.maxSize",
        (NG, "infra", "maxSize"),
        {
            "billion": 10**9,
            "1e30": 10**30,
            "451": 451,
            "zero": 0,
            "true": True,
            "fraction": 1.5,
            "quoted": "2",
            "null": None,
            "list": [2],
            "text": "two",
        },
    ),
    *value_cases(
        EKS,
        f"{NG}.infra.minSize",
        (NG, "infra", "minSize"),
        {"true": True, "false": False, "negative": -1, "huge": 10**30, "null": None, "text": "one"},
    ),
    *value_cases(
        EKS,
        f"{NG}.infra.desiredSize",
        (NG, "infra", "desiredSize"),
        {"above-max": 3, "true": True, "negative": -5, "float": 1.0},
    ),
    *value_cases(
        EKS,
        f"{NG}.server.instanceType",
        (NG, "server", "instanceType"),
        {
            "humongous": "t3.humongous",
            "empty": "",
            "number": 5,
            "upper": "T3.MEDIUM",
            "no-size": "t3",
            "big": BIG,
            "newline": "t3.medium\n",
            "list": ["t3.medium"],
        },
    ),
    Case("arm-instance-x86-ami", EKS, f"{NG}.server.amiType", put(NG, "server", "instanceType", value="m6g.large")),
    Case(
        "x86-instance-arm-ami",
        EKS,
        f"{NG}.server.amiType",
        put(NG, "server", "amiType", value="AL2023_ARM_64_STANDARD"),
    ),
    Case("graviton-t4g-x86-ami", EKS, f"{NG}.client.amiType", put(NG, "client", "instanceType", value="t4g.medium")),
    *value_cases(
        EKS,
        f"{NG}.client.diskSizeGib",
        (NG, "client", "diskSizeGib"),
        {"10": 10, "zero": 0, "true": True, "huge": 10**12, "text": "20GiB"},
    ),
    *value_cases(
        EKS,
        f"{NG}.client.capacityType",
        (NG, "client", "capacityType"),
        {"reserved": "RESERVED", "lower": "spot", "null": None},
    ),
    Case("taint-key-empty", EKS, f"{NG}.client.taints[0].key", put(NG, "client", "taints", value=[{"key": ""}])),
    Case(
        "taint-key-unicode",
        EKS,
        f"{NG}.client.taints[0].key",
        put(NG, "client", "taints", value=[{"key": "bad key ✓"}]),
    ),
    Case(
        "taint-effect",
        EKS,
        f"{NG}.client.taints[0].effect",
        put(NG, "client", "taints", value=[{"key": "a", "effect": "NoSchedule"}]),
    ),
    Case("taints-not-a-list", EKS, f"{NG}.client.taints", put(NG, "client", "taints", value={"key": "a"})),
    Case("label-bad-key", EKS, f"{NG}.client.labels", put(NG, "client", "labels", value={"bad key": "x"})),
    Case("label-value-int", EKS, f"{NG}.client.labels.n", put(NG, "client", "labels", value={"n": 5})),
    Case("label-value-bool", EKS, f"{NG}.client.labels.on", put(NG, "client", "labels", value={"on": True})),
    Case("node-group-unknown-key", EKS, f"{NG}.client.instancetype", put(NG, "client", "instancetype", value="x")),
    Case("node-groups-list", EKS, NG, put(NG, value=["infra"])),
    Case("node-groups-empty", EKS, NG, put(NG, value={})),
    Case("node-group-name", EKS, f"{NG}.bad name", put(NG, "bad name", value={"labels": {"role": "x"}})),
    Case("node-group-null", EKS, f"{NG}.client", put(NG, "client", value=None)),
    Case("node-group-zone", EKS, f"{NG}.client.availabilityZones", put(NG, "client", "availabilityZones", value=["x"])),
]

CLUSTER_CASES = [
    *value_cases(
        EKS,
        "testbed:cluster.kubernetesVersion",
        ("testbed:cluster", "kubernetesVersion"),
        {"1.99": "1.99", "1.20": "1.20", "float": 1.3, "null": None, "latest": "latest", "int": 1},
    ),
    *value_cases(
        EKS,
        "testbed:cluster.publicAccessCidrs[0]",
        ("testbed:cluster", "publicAccessCidrs"),
        {
            "rfc1918-10": ["10.0.0.0/8"],
            "rfc1918-172": ["172.16.0.0/12"],
            "rfc1918-192": ["192.168.1.0/24"],
            "host-bits": ["203.0.113.7/24"],
            "garbage": ["anywhere"],
            "prefix-40": ["1.2.3.4/40"],
            "int": [5],
        },
    ),
    Case(
        "cidrs-scalar",
        EKS,
        "testbed:cluster.publicAccessCidrs",
        put("testbed:cluster", "publicAccessCidrs", value="0.0.0.0/0"),
    ),
    *value_cases(
        EKS,
        "testbed:cluster.corednsReplicas",
        ("testbed:cluster", "corednsReplicas"),
        {"zero": 0, "true": True, "eleven": 11, "quoted": "1"},
    ),
    *value_cases(
        EKS,
        "testbed:cluster.endpointPublicAccess",
        ("testbed:cluster", "endpointPublicAccess"),
        {"yes-text": "yes", "one": 1, "null": None},
    ),
    Case("cluster-unknown-key", EKS, "testbed:cluster.version", put("testbed:cluster", "version", value="1.33")),
    Case("cluster-list", EKS, "testbed:cluster", put("testbed:cluster", value=["1.33"])),
    Case(
        "selector-unmatched",
        EKS,
        "testbed:cluster.systemNodeSelector",
        put("testbed:cluster", "systemNodeSelector", value={"role": "x"}),
    ),
]

TOP_CASES = [
    *value_cases(
        EKS,
        "testbed:clusterName",
        ("testbed:clusterName",),
        {
            "empty": "",
            "dash": "-x",
            "long": "a" * 101,
            "big": BIG,
            "space": "my cluster",
            "crlf": "a\r\nb",
            "nul": "a\0b",
        },
    ),
    Case("cluster-name-list", EKS, "testbed:clusterName", put("testbed:clusterName", value=["a"])),
    *value_cases(
        EKS,
        "aws:region",
        ("aws:region",),
        {"mars": "mars-1", "upper": "AP-NORTHEAST-2", "newline": "ap-northeast-2\n", "number": 5, "list": ["a"]},
    ),
    Case("provider-typo-regoin", EKS, "aws:regoin", put("aws:regoin", value="ap-northeast-2")),
    Case("provider-typo-profil", EKS, "aws:profil", put("aws:profil", value="dev")),
    Case("provider-unknown", EKS, "aws:colour", put("aws:colour", value="blue")),
    Case("our-typo", EKS, "testbed:nodeGroup", put("testbed:nodeGroup", value={})),
    Case("our-typo-case", EKS, "testbed:clustername", put("testbed:clustername", value="x")),
    *value_cases(
        EKS,
        "testbed:availabilityZones",
        ("testbed:availabilityZones",),
        {
            "other-region": ["us-east-1a", "ap-northeast-2c"],
            "one": ["ap-northeast-2a"],
            "scalar": "ap-northeast-2a",
            "ints": [1, 2],
            "repeat": ["ap-northeast-2a", "ap-northeast-2a"],
            "letter-z": ["ap-northeast-2a", "ap-northeast-2z"],
        },
    ),
    *value_cases(
        EKS,
        "testbed:network.vpcCidr",
        ("testbed:network", "vpcCidr"),
        {"public": "8.8.0.0/16", "wide": "10.0.0.0/8", "garbage": "ten", "int": 10, "null": None},
    ),
    *value_cases(
        EKS,
        "testbed:network.natGateways",
        ("testbed:network", "natGateways"),
        {"double": "double", "true": True, "upper": "SINGLE"},
    ),
    Case("network-list", EKS, "testbed:network", put("testbed:network", value=[1])),
    Case("network-scalar", EKS, "testbed:network", put("testbed:network", value="single")),
    *value_cases(
        EKS,
        "testbed:lbController.replicaCount",
        ("testbed:lbController", "replicaCount"),
        {"true": True, "zero": 0, "quoted": "3", "nine": 9},
    ),
]

TAG_CASES = [
    Case("tag-aws-prefix", EKS, "testbed:tags.aws:owner", put("testbed:tags", value={"aws:owner": "me"})),
    Case("tag-AWS-prefix", EKS, "testbed:tags.AWS:owner", put("testbed:tags", value={"AWS:owner": "me"})),
    Case("tag-value-10kb", EKS, "testbed:tags.team", put("testbed:tags", value={"team": BIG})),
    Case("tag-key-200", EKS, "testbed:tags." + "k" * 37 + "...", put("testbed:tags", value={"k" * 200: "v"})),
    Case("tag-60", EKS, "testbed:tags", put("testbed:tags", value={f"t{i}": "v" for i in range(60)})),
    Case("tag-47", EKS, "testbed:tags", put("testbed:tags", value={f"t{i}": "v" for i in range(47)})),
    Case("tag-value-int", EKS, "testbed:tags.n", put("testbed:tags", value={"n": 5})),
    Case("tag-value-crlf", EKS, "testbed:tags.team", put("testbed:tags", value={"team": "a\r\nb"})),
    Case("tag-key-nul", EKS, "testbed:tags", put("testbed:tags", value={"a\0b": "x"})),
    Case("tag-value-bad-char", EKS, "testbed:tags.team", put("testbed:tags", value={"team": "a;b"})),
    Case("tags-list", EKS, "testbed:tags", put("testbed:tags", value=["a=b"])),
]

KEEPALIVE = "alb-keepalive"
SCENARIO_CASES = [
    *value_cases(
        KEEPALIVE,
        "testbed:alb.idleTimeoutSeconds",
        ("testbed:alb", "idleTimeoutSeconds"),
        {"zero": 0, "4001": 4001, "true": True, "quoted": "60", "float": 60.5},
    ),
    *value_cases(
        KEEPALIVE,
        "testbed:alb.clientKeepAliveSeconds",
        ("testbed:alb", "clientKeepAliveSeconds"),
        {"59": 59, "huge": 604801},
    ),
    *value_cases(
        KEEPALIVE,
        "testbed:client.hostHeader",
        ("testbed:client", "hostHeader"),
        {"crlf": "example.com\r\nX-Evil: 1", "big": BIG, "nul": "a\0b", "space": "a b", "tab": "a\tb"},
    ),
    *value_cases(
        KEEPALIVE,
        "testbed:client.endpoint",
        ("testbed:client", "endpoint"),
        {"relative": "index", "crlf": "/index\r\n", "space": "/a b"},
    ),
    *value_cases(
        KEEPALIVE,
        "testbed:server.logLevel",
        ("testbed:server", "logLevel"),
        {"trace": "trace", "int": 10},
    ),
    *value_cases(
        "nlb-ip",
        "testbed:nlb.healthcheckPort",
        ("testbed:nlb", "healthcheckPort"),
        {"zero": 0, "70000": 70000, "true": True, "bad-name": "bad name!", "upper": "HTTP", "float": 80.5},
    ),
    *value_cases(
        "nlb-ip",
        "testbed:nlb.deregistrationDelaySeconds",
        ("testbed:nlb", "deregistrationDelaySeconds"),
        {"3601": 3601, "negative": -1},
    ),
    *value_cases(
        "nlb-keepalive",
        "testbed:nlb.tcpIdleTimeoutSeconds",
        ("testbed:nlb", "tcpIdleTimeoutSeconds"),
        {"59": 59, "6001": 6001},
    ),
    *value_cases(
        "cni-maxpods",
        "testbed:kubeOpsView.timezone",
        ("testbed:kubeOpsView", "timezone"),
        {"mars": "Mars/Olympus", "empty": "", "int": 5, "path": "../../etc/passwd", "crlf": "UTC\r\n"},
    ),
    *value_cases(
        "cni-maxpods",
        "testbed:bastion.instanceType",
        ("testbed:bastion", "instanceType"),
        {"tiny": "tiny", "humongous": "t3.humongous"},
    ),
    *value_cases(
        "alb-canary",
        "testbed:canary.canaryWeightPercent",
        ("testbed:canary", "canaryWeightPercent"),
        {"101": 101, "true": True},
    ),
    *value_cases(
        "alb-ingress",
        "testbed:echoserver.namespace",
        ("testbed:echoserver", "namespace"),
        {"upper": "Echo", "long": "a" * 64},
    ),
]

AKS = "aks-tcp"
AZURE_CASES = [
    *value_cases(
        AKS,
        "azure-native:location",
        ("azure-native:location",),
        {"mars": "mars", "spaces": "Korea Central", "empty": "", "int": 5},
    ),
    Case("azure-typo", AKS, "azure-native:locaton", put("azure-native:locaton", value="koreacentral")),
    Case("azure-unknown", AKS, "azure-native:region", put("azure-native:region", value="koreacentral")),
    *value_cases(
        AKS,
        "testbed:cluster.nodePools.server.count",
        ("testbed:cluster", "nodePools", "server", "count"),
        {"1001": 1001, "negative": -1, "true": True, "huge": 10**30},
    ),
    *value_cases(
        AKS,
        "testbed:cluster.kubernetesVersion",
        ("testbed:cluster", "kubernetesVersion"),
        {"1.99": "1.99", "float": 1.3},
    ),
    *value_cases(
        AKS,
        "testbed:service.tcpIdleTimeoutMinutes",
        ("testbed:service", "tcpIdleTimeoutMinutes"),
        {"3": 3, "101": 101, "true": True},
    ),
    Case("aks-cluster-name-empty", AKS, "testbed:clusterName", put("testbed:clusterName", value="")),
    Case("azure-tag-name", AKS, "testbed:tags.a<b", put("testbed:tags", value={"a<b": "x"})),
    Case("azure-tags-60", AKS, "testbed:tags", put("testbed:tags", value={f"t{i}": "v" for i in range(60)})),
    Case("azure-tag-value", AKS, "testbed:tags.team", put("testbed:tags", value={"team": BIG})),
]

CASES = FILE_CASES + NODE_GROUP_CASES + CLUSTER_CASES + TOP_CASES + TAG_CASES + SCENARIO_CASES + AZURE_CASES

OVERRIDES = [
    (EKS, "testbed:network={natGateways: ", "--config testbed:network"),
    (EKS, "testbed:network=[a, b", "--config testbed:network"),
    (EKS, "testbed:tags={a: b, a: c}", "--config testbed:tags"),
    (EKS, "clusterName=x", "--config"),
    (EKS, "testbed:clusterName", "--config"),
    (EKS, "testbed:clusterName=", "testbed:clusterName"),
    (EKS, "testbed:clusterName=null", "testbed:clusterName"),
    (EKS, "testbed:clusterName=~", "testbed:clusterName"),
    (EKS, "aws:regoin=ap-northeast-2", "aws:regoin"),
    (EKS, "testbed:nodeGroups={infra: {maxSize: 1000000000}}", f"{NG}.infra.maxSize"),
    (EKS, "testbed:nodeGroups={infra: {minSize: true}}", f"{NG}.infra.minSize"),
    (EKS, "testbed:lbController=[1, 2]", "testbed:lbController"),
    (EKS, "testbed:cluster={kubernetesVersion: '1.99'}", "testbed:cluster.kubernetesVersion"),
    (KEEPALIVE, 'testbed:client={hostHeader: "a\\r\\nX-Evil: 1"}', "testbed:client.hostHeader"),
    (AKS, "azure-native:location=mars", "azure-native:location"),
]


@pytest.fixture
def stacks_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(STACKS_DIR_ENV, str(tmp_path))
    return tmp_path


def problem_lines(stderr: str) -> list[str]:
    """The problem lines of a failed run's stderr (the progress and header lines left out)."""
    return [
        line.strip()
        for line in stderr.splitlines()
        if line.strip() and not line.startswith("planning ") and not line.endswith("invalid config:")
    ]


def assert_clear(lines: list[str], key: str) -> None:
    key = str(Path(os.environ[STACKS_DIR_ENV]) / f"Pulumi.{STACK}.yaml") if key == FILE else key
    assert lines, "no problem was reported"
    for line in lines:
        assert len(line) <= LINE_LIMIT, f"a line of {len(line)} characters: {line[:200]}"
        assert not INTERNALS.search(line), f"internals in: {line}"
        assert ": " in line, f"not `<key>: <problem>`: {line}"
    assert any(line.startswith(key) for line in lines), f"no line names {key!r}: {lines}"


def write(stacks_dir: Path, case: Case) -> None:
    (stacks_dir / f"Pulumi.{STACK}.yaml").write_text(case.document(), encoding="utf-8", errors="surrogateescape")


def test_the_corpus_is_large_and_ids_are_unique():
    assert len(CASES) + len(OVERRIDES) >= 150
    assert len({c.id for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_plan_and_check_say_one_clear_line_per_problem(case: Case, stacks_dir: Path, capfd: pytest.CaptureFixture):
    write(stacks_dir, case)
    assert main(["plan", STACK]) == 2
    plan_lines = problem_lines(capfd.readouterr().err)
    assert_clear(plan_lines, case.key)
    assert main(["check", STACK, "--gate", "config-sweep"]) == 2
    check_lines = problem_lines(capfd.readouterr().err)
    assert_clear(check_lines, case.key)
    assert [line for line in check_lines if not line.startswith("planning")] == plan_lines


@pytest.mark.parametrize("case", [c for c in CASES if c.text is None], ids=lambda c: c.id)
def test_the_program_path_raises_the_same_lines_as_run_error(case: Case, stacks_dir: Path, capfd):
    """What `pulumi up` runs: __main__.py turns every problem into one pulumi.RunError, no traceback."""
    write(stacks_dir, case)
    main(["plan", STACK])
    plan_lines = problem_lines(capfd.readouterr().err)
    try:
        config = read_stack_config(STACK)
    except ConfigError as err:
        assert err.lines == plan_lines  # a null: Pulumi's own YAML reading stops there too
        return
    with pytest.raises(pulumi.RunError) as caught:
        run_program(STACK, config)
    assert caught.value.__suppress_context__
    assert str(caught.value).splitlines() == plan_lines


@pytest.mark.parametrize(("stack", "setting", "key"), OVERRIDES, ids=[o[1][:40] for o in OVERRIDES])
def test_bad_overrides_say_one_clear_line(stack: str, setting: str, key: str, capfd: pytest.CaptureFixture):
    assert main(["plan", stack, "-c", setting]) == 2
    assert_clear(problem_lines(capfd.readouterr().err), key)


def test_golden_refuses_a_bad_stack_file_with_the_same_line(stacks_dir: Path, capfd: pytest.CaptureFixture):
    write(stacks_dir, FILE_CASES[0])
    assert main(["golden", STACK]) == 2
    lines = problem_lines(capfd.readouterr().err)
    assert len(lines) == 1
    assert_clear(lines, FILE)


def test_a_value_of_10kb_is_named_not_repeated(stacks_dir: Path, capfd: pytest.CaptureFixture):
    write(stacks_dir, Case("big", EKS, "testbed:tags", put("testbed:tags", value={"team": BIG})))
    main(["plan", STACK])
    (line,) = problem_lines(capfd.readouterr().err)
    assert "(10000 characters)" in line and len(line) < 200


@pytest.mark.parametrize(
    "case",
    [
        Case("max-450", EKS, "", put(NG, "infra", "maxSize", value=450)),
        Case(
            "zero-nodes",
            EKS,
            "",
            put(NG, "client", value={"minSize": 0, "desiredSize": 0, "maxSize": 1, "labels": {"role": "client"}}),
        ),
        Case(
            "arm-pair",
            EKS,
            "",
            put(
                NG,
                "client",
                value={"instanceType": "m6g.large", "amiType": "AL2023_ARM_64_STANDARD", "labels": {"role": "client"}},
            ),
        ),
        Case("disk-20", EKS, "", put(NG, "client", "diskSizeGib", value=20)),
        Case("public-cidr", EKS, "", put("testbed:cluster", "publicAccessCidrs", value=["203.0.113.7/32"])),
        Case("tags-46", EKS, "", put("testbed:tags", value={f"t{i}": "v=w" for i in range(46)})),
        Case("tag-256", EKS, "", put("testbed:tags", value={"k" * 128: "v" * 256})),
        Case("no-cluster-name", EKS, "", drop("testbed:clusterName")),
        Case("aws-profile", EKS, "", put("aws:profile", value="dev")),
        Case("idle-4000", KEEPALIVE, "", put("testbed:alb", "idleTimeoutSeconds", value=4000)),
        Case("host-header", KEEPALIVE, "", put("testbed:client", "hostHeader", value="example.com:8080")),
        Case("named-hc-port", "nlb-ip", "", put("testbed:nlb", "healthcheckPort", value="traffic-port")),
        Case("utc", "cni-maxpods", "", put("testbed:kubeOpsView", "timezone", value="UTC")),
        Case("westeurope", AKS, "", put("azure-native:location", value="westeurope")),
    ],
    ids=lambda c: c.id,
)
def test_valid_edge_cases_still_plan(case: Case, stacks_dir: Path, capfd: pytest.CaptureFixture):
    write(stacks_dir, case)
    assert main(["plan", STACK]) == 0, capfd.readouterr().err


def test_a_components_args_error_is_one_line_under_pulumi_up_and_plan(monkeypatch, capfd: pytest.CaptureFixture):
    """A component's ArgsError (a problem only a component can see) ends as pulumi.RunError in __main__.py."""
    import stacks
    from components.errors import ArgsError

    def build(raw, stack):
        raise ArgsError("Cluster", [("node_groups.infra.taints", "key '': a taint key like dedicated")])

    monkeypatch.setattr(stacks, "build_scenario", build)
    with pytest.raises(pulumi.RunError) as caught:
        run_program(EKS, read_stack_config(EKS))
    assert str(caught.value) == "Cluster: node_groups.infra.taints: key '': a taint key like dedicated"
    assert caught.value.__suppress_context__
    assert main(["plan", EKS]) == 2
    assert problem_lines(capfd.readouterr().err) == [str(caught.value)]
