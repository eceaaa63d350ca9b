"""The tree's summaries: one module per provider package, each answering only for its own types."""

from __future__ import annotations

from testbed.plan import short_type
from testbed.plan.summaries import SUMMARIES, aws, azure, kubernetes


def test_each_summary_module_answers_for_its_own_provider_only():
    owners = {aws: ("aws:", "eks:"), azure: ("azure-native:",), kubernetes: ("kubernetes:", "pulumi:providers:")}
    for module, prefixes in owners.items():
        strays = [token for token in module.SUMMARIES if not token.startswith(prefixes)]
        assert not strays, f"{module.__name__} summarises {strays}"
    assert len(SUMMARIES) == sum(len(module.SUMMARIES) for module in owners), "two modules claim one type"


def test_summaries_pick_nested_values_and_skip_the_missing():
    lines = dict(SUMMARIES["aws:lb/targetGroup:TargetGroup"]({"protocol": "HTTP", "healthCheck": {"path": "/index"}}))
    assert lines == {"protocol": "HTTP", "healthCheckPath": "/index"}


def test_short_types_read_as_the_tree_prints_them():
    assert short_type("aws:ec2/subnet:Subnet") == "aws.ec2.Subnet"
    assert short_type("kubernetes:core/v1:Service") == "k8s.core.v1.Service"
    assert short_type("pulumi:providers:kubernetes") == "provider.kubernetes"
