"""Max pods per node: the pure arithmetic behind cni-maxpods, against known values.

Known values are EC2's and EKS's (amazon-eks-ami eni-max-pods.txt, EKS's 110/250 cap) and seed
001's (t3.medium 17; 17 per node, 3 system pods, 3 nodes, 50 replicas -> 42 run, 8 Pending).
"""

from __future__ import annotations

import email
import email.policy

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from components.aws.max_pods import (
    INSTANCE_TYPES,
    eni_max_pods,
    fill,
    kube_reserved_memory_mib,
    max_pods,
    nodeadm_max_pods_user_data,
    prefix_delegation_problem,
    schedule,
)


@pytest.mark.parametrize(
    ("instance_type", "without", "with_delegation"),
    [
        ("t3.medium", 17, 110),  # seed 001: 3 ENIs x (6 - 1) + 2; with /28 prefixes EKS's cap
        ("m5.large", 29, 110),  # 3 x (10 - 1) + 2
        ("c5.large", 29, 110),
        ("m6i.large", 29, 110),
        ("t3.small", 11, 110),
        ("t3.large", 35, 110),
        ("m5.xlarge", 58, 110),
        ("m5.4xlarge", 110, 110),  # 234 by addresses, capped at 110 below 30 vCPUs
        ("c5.9xlarge", 234, 250),  # 36 vCPUs: the 250 cap applies, 234 by addresses is below it
        ("m5.16xlarge", 250, 250),  # 64 vCPUs: the 250 cap
        ("m6i.32xlarge", 250, 250),
        ("t3.nano", 4, 34),  # 2 x (2 - 1) x 16 + 2: below the cap even with prefixes
        ("t3a.small", 8, 98),
    ],
)
def test_max_pods_of_known_instance_types(instance_type, without, with_delegation):
    assert max_pods(instance_type, prefix_delegation=False) == without
    assert max_pods(instance_type, prefix_delegation=True) == with_delegation


@pytest.mark.parametrize(
    ("instance_type", "listed"),
    # amazon-eks-ami nodeadm/internal/kubelet/eni-max-pods.txt
    [
        ("t2.micro", 4),
        ("t2.medium", 17),
        ("t2.xlarge", 44),
        ("t3.xlarge", 58),
        ("t3a.small", 8),
        ("m4.large", 20),
        ("m4.16xlarge", 234),
        ("c4.8xlarge", 234),
        ("m5.4xlarge", 234),
        ("m5.24xlarge", 737),
        ("c5.18xlarge", 737),
        ("m6i.32xlarge", 737),
    ],
)
def test_eni_max_pods_match_the_eks_ami_list(instance_type, listed):
    assert eni_max_pods(instance_type) == listed


def test_non_nitro_instance_types_have_no_prefix_delegation():
    assert max_pods("t2.medium", prefix_delegation=False) == 17
    expected = (
        "'t2.medium' is not a Nitro instance type and prefix delegation needs one"
        " (families c5, m5, m6i, t3, t3a, e.g. t3.medium)"
    )
    assert prefix_delegation_problem("t2.medium") == expected
    with pytest.raises(ValueError) as caught:
        max_pods("t2.medium", prefix_delegation=True)
    assert str(caught.value) == expected
    for instance_type in ("m4.large", "c4.xlarge", "t2.micro"):
        assert "is not a Nitro instance type" in prefix_delegation_problem(instance_type)
    assert prefix_delegation_problem("t3.medium") is None


def test_unknown_instance_types_are_named():
    with pytest.raises(ValueError) as caught:
        max_pods("x9.huge", prefix_delegation=False)
    assert str(caught.value) == (
        "'x9.huge' is not in the max-pods table (families c4, c5, m4, m5, m6i, t2, t3, t3a);"
        " add it to components/aws/max_pods.json"
    )


def test_the_seeds_arithmetic():
    # 17 max pods, 3 system pods on each of 3 nodes: 14 free per node, 42 of 50 nginx run.
    result = schedule(max_pods_per_node=17, nodes=3, pods_per_node=3, replicas=50)
    assert (result.capacity, result.occupied, result.schedulable) == (51, 9, 42)
    assert (result.running, result.pending) == (42, 8)
    # The seed's 8 pods shown before scaling all ran.
    assert schedule(max_pods_per_node=17, nodes=3, pods_per_node=3, replicas=8).pending == 0
    # With prefix delegation the same 50 all run.
    delegated = schedule(max_pods_per_node=110, nodes=3, pods_per_node=3, replicas=50)
    assert (delegated.running, delegated.pending) == (50, 0)


def test_schedule_rejects_impossible_inputs():
    with pytest.raises(ValueError, match="cannot be negative"):
        schedule(max_pods_per_node=17, nodes=-1, replicas=1)
    with pytest.raises(ValueError, match="18 pods per node do not fit in max pods 17"):
        schedule(max_pods_per_node=17, nodes=3, pods_per_node=18, replicas=1)


def test_kube_reserved_memory_follows_max_pods():
    assert kube_reserved_memory_mib(17) == 442
    assert kube_reserved_memory_mib(110) == 1465


def test_user_data_is_a_mime_nodeconfig_with_a_max_pods_expression():
    text = nodeadm_max_pods_user_data(110)
    message = email.message_from_string(text, policy=email.policy.default)
    assert message.get_content_type() == "multipart/mixed"
    [part] = list(message.iter_parts())
    assert part.get_content_type() == "application/node.eks.aws"
    node_config = yaml.safe_load(part.get_payload())
    assert node_config == {
        "apiVersion": "node.eks.aws/v1alpha1",
        "kind": "NodeConfig",
        "spec": {"kubelet": {"maxPodsExpression": "110"}},
    }
    for bad in (0, 251):
        with pytest.raises(ValueError, match=f"max pods {bad} is not in 1..250"):
            nodeadm_max_pods_user_data(bad)


@given(st.sampled_from(sorted(INSTANCE_TYPES)))
def test_max_pods_never_exceed_the_cap_and_delegation_never_lowers_them(instance_type):
    info = INSTANCE_TYPES[instance_type]
    cap = 110 if info.vcpus < 30 else 250
    plain = max_pods(instance_type, prefix_delegation=False)
    assert plain == min(eni_max_pods(instance_type), cap)
    assert 1 <= plain <= cap
    if info.nitro:
        delegated = max_pods(instance_type, prefix_delegation=True)
        assert plain <= delegated <= cap
        assert delegated == min(info.enis * (info.ipv4_per_eni - 1) * 16 + 2, cap)
    else:
        assert prefix_delegation_problem(instance_type) is not None


@given(
    capacity=st.integers(0, 5000),
    occupied=st.integers(0, 5000),
    replicas=st.integers(0, 5000),
)
def test_fill_accounts_for_every_replica(capacity, occupied, replicas):
    result = fill(capacity=capacity, occupied=occupied, replicas=replicas)
    assert result.running + result.pending == replicas
    assert 0 <= result.running <= result.schedulable <= capacity
    assert result.schedulable == max(0, capacity - occupied)
    assert result.pending == max(0, replicas - result.schedulable)
