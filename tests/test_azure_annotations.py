"""The Azure LB annotation builder: the seed's annotations, the cloud provider's rules, the Local interaction.

Keys and limits below are written from kubernetes-sigs/cloud-provider-azure (pkg/consts/consts.go,
pkg/provider/azure_loadbalancer_healthprobe.go), not read back from the builder.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from components.azure.annotations import (
    AzureLoadBalancerSettings,
    PortHealthProbe,
    build,
    problems,
    service_annotations,
)
from components.errors import ArgsError

P = "service.beta.kubernetes.io/"
# Every Service annotation the cloud provider reads that this builder may emit (consts.go).
CLOUD_PROVIDER_KEYS = {
    f"{P}azure-load-balancer-resource-group",
    f"{P}azure-pip-name",
    f"{P}azure-load-balancer-internal",
    f"{P}azure-load-balancer-internal-subnet",
    f"{P}azure-load-balancer-health-probe-protocol",
    f"{P}azure-load-balancer-health-probe-request-path",
    f"{P}azure-load-balancer-health-probe-interval",
    f"{P}azure-load-balancer-health-probe-num-of-probe",
    f"{P}azure-load-balancer-tcp-idle-timeout",
    f"{P}azure-load-balancer-disable-tcp-reset",
    f"{P}azure-allowed-ip-ranges",
}
# consts.HealthProbeAnnotationPrefixPattern "port_%d_health-probe_" + these HealthProbeParams.
PORT_PARAMS = ("protocol", "port", "interval", "num-of-probe", "request-path")

PORTS = {9999: "tcp-client"}


def seed(**overrides) -> AzureLoadBalancerSettings:
    """Seed 004's Service: rg-network, kimmap-tcp-pip, TCP probe for 9999, interval 59, count 2."""
    values = {
        "service_ports": PORTS,
        "resource_group": "rg-network",
        "pip_name": "kimmap-tcp-pip",
        "health_probe_interval_seconds": 59,
        "health_probe_num_of_probe": 2,
        "port_health_probes": {9999: PortHealthProbe(protocol="TCP")},
    }
    return AzureLoadBalancerSettings(**{**values, **overrides})


def rejected(settings: AzureLoadBalancerSettings) -> list[str]:
    with pytest.raises(ArgsError) as caught:
        build(settings)
    return str(caught.value).splitlines()


def known_key(key: str) -> bool:
    if key in CLOUD_PROVIDER_KEYS:
        return True
    head, _, param = key.removeprefix(f"{P}port_").partition("_health-probe_")
    return key.startswith(f"{P}port_") and head.isdigit() and param in PORT_PARAMS


def test_the_seeds_annotations_with_cluster_policy():
    result = build(seed())
    assert result.annotations == {
        f"{P}azure-load-balancer-resource-group": "rg-network",
        f"{P}azure-pip-name": "kimmap-tcp-pip",
        f"{P}port_9999_health-probe_protocol": "TCP",
        f"{P}azure-load-balancer-health-probe-interval": "59",
        f"{P}azure-load-balancer-health-probe-num-of-probe": "2",
    }
    assert result.ignored == []
    probe = result.probes[9999]
    assert (probe.protocol, probe.target, probe.request_path) == ("TCP", "NodePort of 9999", None)
    assert (probe.interval_seconds, probe.num_of_probe) == (59, 2)
    assert service_annotations(seed()) == result.annotations


def test_local_drops_the_port_protocol_and_says_so():
    result = build(seed(external_traffic_policy="Local"))
    assert f"{P}port_9999_health-probe_protocol" not in result.annotations
    assert result.annotations[f"{P}azure-load-balancer-health-probe-interval"] == "59"
    assert result.annotations[f"{P}azure-load-balancer-health-probe-num-of-probe"] == "2"
    assert result.ignored == [
        f"{P}port_9999_health-probe_protocol=TCP is ignored with externalTrafficPolicy Local: the probe is HTTP"
        f" /healthz on the Service's healthCheckNodePort unless {P}port_9999_health-probe_port is set too"
    ]
    probe = result.probes[9999]
    assert (probe.protocol, probe.target, probe.request_path) == ("HTTP", "healthCheckNodePort", "/healthz")
    assert (probe.interval_seconds, probe.num_of_probe) == (59, 2), "only the global interval and count apply"


def test_local_keeps_the_port_probe_when_its_probe_port_is_set():
    result = build(
        seed(external_traffic_policy="Local", port_health_probes={9999: PortHealthProbe(protocol="TCP", port=9999)})
    )
    assert result.annotations[f"{P}port_9999_health-probe_protocol"] == "TCP"
    assert result.annotations[f"{P}port_9999_health-probe_port"] == "9999"
    assert result.ignored == []
    assert (result.probes[9999].protocol, result.probes[9999].target) == ("TCP", "NodePort of 9999")


def test_local_ignores_port_interval_and_count_but_not_the_global_ones():
    settings = seed(
        external_traffic_policy="Local",
        port_health_probes={9999: PortHealthProbe(interval_seconds=10, num_of_probe=3)},
    )
    result = build(settings)
    assert f"{P}port_9999_health-probe_interval" not in result.annotations
    assert f"{P}port_9999_health-probe_num-of-probe" not in result.annotations
    assert len(result.ignored) == 2
    assert all("only the Service-wide interval and num-of-probe apply" in line for line in result.ignored)
    assert (result.probes[9999].interval_seconds, result.probes[9999].num_of_probe) == (59, 2)
    # The same settings under Cluster do take effect, port first.
    cluster = build(seed(port_health_probes={9999: PortHealthProbe(interval_seconds=10, num_of_probe=3)}))
    assert cluster.annotations[f"{P}port_9999_health-probe_interval"] == "10"
    assert (cluster.probes[9999].interval_seconds, cluster.probes[9999].num_of_probe) == (10, 3)


def test_local_ignores_the_global_protocol_and_path():
    result = build(
        seed(
            external_traffic_policy="Local",
            port_health_probes={},
            health_probe_protocol="Http",
            health_probe_request_path="/ready",
        )
    )
    assert f"{P}azure-load-balancer-health-probe-protocol" not in result.annotations
    assert f"{P}azure-load-balancer-health-probe-request-path" not in result.annotations
    assert result.ignored == [
        f"{P}azure-load-balancer-health-probe-protocol=Http is ignored with externalTrafficPolicy Local:"
        " every port is probed by HTTP /healthz on the Service's healthCheckNodePort",
        f"{P}azure-load-balancer-health-probe-request-path=/ready is ignored with externalTrafficPolicy Local:"
        " every port is probed by HTTP /healthz on the Service's healthCheckNodePort",
    ]


def test_request_path_of_a_tcp_probe_is_dropped():
    result = build(seed(port_health_probes={9999: PortHealthProbe(protocol="tcp", request_path="/x")}))
    assert f"{P}port_9999_health-probe_request-path" not in result.annotations
    assert result.annotations[f"{P}port_9999_health-probe_protocol"] == "TCP"
    assert result.ignored == [
        f"{P}port_9999_health-probe_request-path=/x is ignored: the probe of port 9999 is TCP, which has no path"
    ]


def test_http_probe_defaults_to_the_cloud_providers_path():
    result = build(seed(port_health_probes={9999: PortHealthProbe(protocol="HTTP")}))
    assert result.probes[9999].request_path == "/"


def test_probe_port_by_name_and_raw_port():
    by_name = build(seed(port_health_probes={9999: PortHealthProbe(port="tcp-client")}))
    assert by_name.probes[9999].target == "NodePort of 9999"
    raw = build(seed(port_health_probes={9999: PortHealthProbe(port=10256)}))
    assert raw.probes[9999].target == "port 10256"


def test_idle_timeout_tcp_reset_internal_and_ranges():
    annotations = service_annotations(
        AzureLoadBalancerSettings(
            service_ports=PORTS,
            internal=True,
            internal_subnet="snet-lb",
            tcp_idle_timeout_minutes=100,
            tcp_reset=False,
            allowed_ip_ranges=("203.0.113.0/24", "198.51.100.7/32"),
        )
    )
    assert annotations == {
        f"{P}azure-load-balancer-internal": "true",
        f"{P}azure-load-balancer-internal-subnet": "snet-lb",
        f"{P}azure-load-balancer-tcp-idle-timeout": "100",
        f"{P}azure-load-balancer-disable-tcp-reset": "true",
        f"{P}azure-allowed-ip-ranges": "203.0.113.0/24,198.51.100.7/32",
    }
    assert f"{P}azure-load-balancer-disable-tcp-reset" not in service_annotations(seed()), "reset stays on by default"


def test_the_seed_interval_59_is_valid_with_count_2_and_not_with_3():
    assert problems(seed()) == []
    assert rejected(seed(health_probe_num_of_probe=3)) == [
        "AzureLoadBalancerAnnotations: health_probe_interval_seconds: interval 59 s x num-of-probe 3 = 177 s"
        " for port 9999; the cloud provider needs it below 120 s"
    ]


def test_the_product_rule_uses_the_cloud_providers_defaults():
    # 60 alone is fine by itself, but the default num-of-probe 2 makes 120, which is not below 120.
    assert rejected(seed(health_probe_interval_seconds=60, health_probe_num_of_probe=None)) == [
        "AzureLoadBalancerAnnotations: health_probe_interval_seconds: interval 60 s x num-of-probe 2 = 120 s"
        " for port 9999; the cloud provider needs it below 120 s"
    ]
    assert rejected(seed(port_health_probes={9999: PortHealthProbe(interval_seconds=40, num_of_probe=3)})) == [
        "AzureLoadBalancerAnnotations: port_health_probes[9999]: interval 40 s x num-of-probe 3 = 120 s"
        " for port 9999; the cloud provider needs it below 120 s"
    ]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"health_probe_interval_seconds": 4},
            "health_probe_interval_seconds: 4: the cloud provider's minimum is 5 seconds",
        ),
        ({"health_probe_num_of_probe": 1}, "health_probe_num_of_probe: 1: the cloud provider's minimum is 2"),
        ({"tcp_idle_timeout_minutes": 3}, "tcp_idle_timeout_minutes: 3: must be 4 to 100 minutes"),
        ({"tcp_idle_timeout_minutes": 101}, "tcp_idle_timeout_minutes: 101: must be 4 to 100 minutes"),
        ({"health_probe_protocol": "UDP"}, "health_probe_protocol: 'UDP' is not one of TCP, HTTP, HTTPS"),
        ({"health_probe_request_path": "healthz"}, "health_probe_request_path: 'healthz' must start with '/'"),
        (
            {"port_health_probes": {9999: PortHealthProbe(protocol="tcpp")}},
            "port_health_probes[9999].protocol: 'tcpp' is not one of TCP, HTTP, HTTPS",
        ),
        (
            {"port_health_probes": {9999: PortHealthProbe(interval_seconds=2)}},
            "port_health_probes[9999].interval_seconds: 2: the cloud provider's minimum is 5 seconds",
        ),
        (
            {"port_health_probes": {9999: PortHealthProbe(num_of_probe=1)}},
            "port_health_probes[9999].num_of_probe: 1: the cloud provider's minimum is 2",
        ),
        (
            {"port_health_probes": {9999: PortHealthProbe(request_path="x")}},
            "port_health_probes[9999].request_path: 'x' must start with '/'",
        ),
        (
            {"port_health_probes": {9998: PortHealthProbe(protocol="TCP")}},
            "port_health_probes[9998]: 9998 is not a port of the Service (ports: 9999/tcp-client)",
        ),
        (
            {"port_health_probes": {9999: PortHealthProbe(port="tcp-clients")}},
            "port_health_probes[9999].port: 'tcp-clients' is not a port name of the Service (ports: 9999/tcp-client)",
        ),
        (
            {"port_health_probes": {9999: PortHealthProbe(port=70000)}},
            "port_health_probes[9999].port: 70000: a probe port must be 1-65535 or a port name of the Service",
        ),
        ({"pip_name": "-bad"}, "pip_name: '-bad' is not an Azure network resource name: 1-80 letters, digits,"),
        ({"internal": True}, "pip_name: 'kimmap-tcp-pip': an internal load balancer has no public IP"),
        ({"internal_subnet": "snet"}, "internal_subnet: is only read for an internal load balancer (internal: true)"),
        ({"resource_group": "rg network"}, "resource_group: 'rg network' is not a resource group name"),
        ({"allowed_ip_ranges": ("10.0.0.1/8",)}, "allowed_ip_ranges: '10.0.0.1/8' is not a CIDR like 203.0.113.0/24"),
        ({"external_traffic_policy": "local"}, "external_traffic_policy: 'local' is not one of 'Cluster', 'Local'"),
        ({"service_ports": {}}, "service_ports: empty; a LoadBalancer Service needs at least one port"),
        ({"service_ports": {0: "x"}}, "service_ports: 0: a Service port must be 1-65535"),
        ({"service_ports": {9999: "TCP_client"}}, "service_ports: 'TCP_client': a port name is 1-15 lowercase letters"),
    ],
)
def test_every_rejected_value_names_its_field(overrides, message):
    lines = rejected(seed(**overrides))
    assert any(line.startswith(f"AzureLoadBalancerAnnotations: {message}") for line in lines), lines


def test_all_problems_are_reported_at_once():
    lines = rejected(seed(health_probe_interval_seconds=1, health_probe_num_of_probe=1, tcp_idle_timeout_minutes=0))
    assert len(lines) == 3


def test_only_keys_the_cloud_provider_reads_are_emitted():
    settings = AzureLoadBalancerSettings(
        service_ports={80: "http", 443: "https"},
        resource_group="rg-network",
        pip_name="pip",
        health_probe_protocol="Https",
        health_probe_request_path="/healthz",
        health_probe_interval_seconds=10,
        health_probe_num_of_probe=3,
        port_health_probes={
            80: PortHealthProbe(protocol="Http", port="http", interval_seconds=5, num_of_probe=2, request_path="/")
        },
        tcp_idle_timeout_minutes=30,
        tcp_reset=False,
        allowed_ip_ranges=("0.0.0.0/0",),
    )
    annotations = service_annotations(settings)
    assert len(annotations) == 14
    assert [key for key in annotations if not known_key(key)] == []
    assert all(isinstance(v, str) for v in annotations.values())


@given(
    interval=st.integers(min_value=5, max_value=200),
    count=st.integers(min_value=2, max_value=50),
    local=st.booleans(),
)
def test_interval_times_count_below_120_is_the_whole_rule(interval, count, local):
    settings = seed(
        health_probe_interval_seconds=interval,
        health_probe_num_of_probe=count,
        external_traffic_policy="Local" if local else "Cluster",
    )
    assert (problems(settings) == []) == (interval * count < 120)
    if interval * count < 120:
        probe = build(settings).probes[9999]
        assert (probe.interval_seconds, probe.num_of_probe) == (interval, count)


@given(minutes=st.integers(min_value=-5, max_value=200))
def test_idle_timeout_range(minutes):
    assert (problems(seed(tcp_idle_timeout_minutes=minutes)) == []) == (4 <= minutes <= 100)
