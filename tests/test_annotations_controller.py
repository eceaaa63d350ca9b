"""The annotation builders read inputs the way the AWS Load Balancer Controller does (its
pkg/annotations/parser.go, pkg/service and pkg/ingress model builders, and their tests): what the
controller accepts is accepted, what it would silently ignore or fail on is still refused."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from components.aws.annotations import (
    AlbIngressAnnotations,
    AnnotationError,
    NlbHealthCheck,
    NlbServiceAnnotations,
    parse_string_map,
)
from components.aws.annotations.service import ServicePort
from components.aws.annotations.values import certificate_arn_problem, health_check_port_problem, string_map
from components.aws.subnets import plan_subnets, zones_problem

PREFIX = "service.beta.kubernetes.io/"
TCP_80 = ServicePort(port=80, target_port=8080, name="tcp", protocol="TCP")
UDP_80 = ServicePort(port=80, target_port=8080, name="udp", protocol="UDP")


def problems_of(call) -> list[str]:
    with pytest.raises(AnnotationError) as caught:
        call()
    return str(caught.value).splitlines()


# ---- ports are (port, protocol): 80/TCP and 80/UDP are two listeners (TCP-80 and UDP-80) --------------


@pytest.mark.parametrize("ports", [[TCP_80, UDP_80], [UDP_80, TCP_80]], ids=["tcp-first", "udp-first"])
def test_a_tcp_idle_timeout_is_judged_by_the_tcp_port_whatever_the_order(ports):
    spec = NlbServiceAnnotations(tcp_idle_timeout_seconds={80: 120})
    assert spec.service_spec(ports)["ports"][0]["port"] == 80
    assert spec.annotations()[f"{PREFIX}aws-load-balancer-listener-attributes.TCP-80"] == "tcp.idle_timeout.seconds=120"


def test_a_udp_port_alone_takes_no_tcp_idle_timeout():
    spec = NlbServiceAnnotations(tcp_idle_timeout_seconds={80: 120})
    assert problems_of(lambda: spec.service_spec([UDP_80])) == [
        "NlbServiceAnnotations: tcp_idle_timeout_seconds[80]: is not a TCP port of the Service"
    ]


def test_the_same_port_and_protocol_twice_is_refused():
    twice = [TCP_80, ServicePort(port=80, target_port=9090, name="other", protocol="TCP")]
    assert problems_of(lambda: NlbServiceAnnotations().service_spec(twice)) == [
        "NlbServiceAnnotations: ports: a (port, protocol) pair twice; each listener is one port and protocol"
    ]


# ---- a named health-check port: the controller resolves it (NodePort for instance, targetPort for ip) --


def test_a_named_health_check_port_is_accepted_and_passed_through():
    spec = NlbServiceAnnotations(target_type="instance", health_check=NlbHealthCheck(port="tcp"))
    spec.service_spec([TCP_80])
    assert spec.annotations()[f"{PREFIX}aws-load-balancer-healthcheck-port"] == "tcp"


def test_a_health_check_port_name_the_service_lacks_is_refused():
    spec = NlbServiceAnnotations(health_check=NlbHealthCheck(port="metrics"))
    assert problems_of(lambda: spec.service_spec([TCP_80])) == [
        "NlbServiceAnnotations: health_check.port: 'metrics' is not a port name of the Service (['tcp'])"
    ]


def test_a_named_health_check_port_with_ip_targets_needs_a_numeric_target_port():
    named = ServicePort(port=80, target_port="http", name="web")
    spec = NlbServiceAnnotations(target_type="ip", health_check=NlbHealthCheck(port="web"))
    assert problems_of(lambda: spec.service_spec([named])) == [
        "NlbServiceAnnotations: health_check.port: 'web': with ip targets, a port whose targetPort is a number"
    ]


@pytest.mark.parametrize("port", ["Bad", "a" * 16, "-web", "we--b", "80x!", "123"])
def test_what_is_not_a_port_name_is_still_refused(port: str):
    assert (
        health_check_port_problem(port) == f"{port!r}: allowed: a port 1-65535, 'traffic-port' or a Service port name"
    )


# ---- tag values may hold '=' (LBC #1674): the controller splits a pair at its first '=' ------------------


def test_tag_values_with_equals_signs_are_accepted_and_read_back():
    nlb = NlbServiceAnnotations(tags={"query": "a=b=c"}).annotations()
    assert parse_string_map(nlb[f"{PREFIX}aws-load-balancer-additional-resource-tags"]) == {"query": "a=b=c"}
    alb = AlbIngressAnnotations(tags={"query": "x=1"}).annotations()
    assert parse_string_map(alb["alb.ingress.kubernetes.io/tags"]) == {"query": "x=1"}


def test_a_tag_key_with_an_equals_sign_is_refused():
    assert any(
        "no '=' in the key" in p for p in problems_of(lambda: NlbServiceAnnotations(tags={"a=b": "c"}).annotations())
    )


# ---- with loadBalancerClass (always set by service_spec), instance is the controller's default ----------


def test_node_labels_need_no_explicit_instance_target_type():
    spec = NlbServiceAnnotations(target_node_labels={"role": "server"})
    spec.service_spec([TCP_80])
    assert spec.annotations()[f"{PREFIX}aws-load-balancer-target-node-labels"] == "role=server"


def test_node_labels_with_ip_targets_are_still_refused():
    spec = NlbServiceAnnotations(target_type="ip", target_node_labels={"role": "server"})
    assert problems_of(spec.annotations) == [
        "NlbServiceAnnotations: target_node_labels: only for target_type instance (ip targets are pods, not nodes)"
    ]


# ---- regions whose prefix is longer than two letters (the European Sovereign Cloud, GovCloud) -----------


def test_zones_of_long_prefixed_regions_are_accepted():
    zones = ["eusc-de-east-1a", "eusc-de-east-1b"]
    assert zones_problem(zones, "eusc-de-east-1") is None
    assert set(plan_subnets("10.0.0.0/16", zones)) == set(zones)
    assert zones_problem(["us-gov-west-1a"], "us-gov-west-1") is None
    assert certificate_arn_problem("arn:aws-eusc:acm:eusc-de-east-1:123456789012:certificate/abc-1") is None


@pytest.mark.parametrize("zone", ["e-west-1a", "eusc-de-east-a", "EUSC-de-east-1a", "eusc-de-east-1"])
def test_what_is_not_a_zone_is_still_refused(zone: str):
    assert zones_problem([zone]) is not None


# ---- the stringMap reader honours '\,' (controller >= v2.14.1, parser_test.go) --------------------------


def test_the_string_map_reader_matches_the_controllers_test_vector():
    raw = "key1=value1\\,valueOne, key2= value2, key3/with-slash=value3\\,valueThree, key4/empty-value="
    assert parse_string_map(raw) == {
        "key1": "value1,valueOne",
        "key2": "value2",
        "key3/with-slash": "value3,valueThree",
        "key4/empty-value": "",
    }


@pytest.mark.parametrize("raw", ["a=b,c", "=b", "a"])
def test_what_the_controller_cannot_parse_is_an_error(raw: str):
    with pytest.raises(ValueError, match="failed to parse stringMap"):
        parse_string_map(raw)


def test_the_writer_escapes_commas_and_backslashes():
    assert string_map({"a": "x,y", "b": "back\\slash"}) == "a=x\\,y,b=back\\\\slash"


_key = st.text(st.characters(blacklist_characters="=", blacklist_categories=("Cs",)), min_size=1).filter(
    lambda k: k == k.strip() and k.strip()
)
_value = st.text(st.characters(blacklist_categories=("Cs",))).filter(lambda v: v == v.strip())


@given(st.dictionaries(_key, _value, max_size=6))
def test_whatever_the_writer_writes_the_controller_reads_back(pairs: dict[str, str]):
    assert parse_string_map(string_map(pairs)) == pairs
