"""The annotation builders: the seeds' annotations come out exactly, every bad input is one
error naming the field and what is allowed, and over the whole valid space every emitted key is
a documented one and every value reads back to what was asked (hypothesis).

Ranges and keys are cross-checked against the ELBv2 API reference botocore ships: the attribute
catalog of testbed.gates.aws and the CreateTargetGroup / action shapes.
"""

from __future__ import annotations

import dataclasses
import json
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from components.aws.annotations import (
    AlbHealthCheck,
    AlbIngressAnnotations,
    AlbLoadBalancerAttributes,
    AlbTargetGroupAttributes,
    AnnotationError,
    ListenPort,
    NlbHealthCheck,
    NlbServiceAnnotations,
    NlbTargetGroupAttributes,
    NlbTls,
    ServicePort,
    alb_attributes,
    health_check,
    nlb_attributes,
    parse_string_list,
    parse_string_map,
    rules,
    target_group_attributes,
    values,
)
from components.aws.annotations import ingress as alb
from components.aws.annotations import service as nlb
from testbed.gates.aws import api_shape, attribute_catalog, attribute_problems
from tests.seed_documents import SEED_003_WEIGHTED_ROUTING

CERT = "arn:aws:acm:us-west-2:123456789012:certificate/0b7a5b1c-1a2b-4c3d-8e9f-0123456789ab"


def errors(build) -> list[str]:
    with pytest.raises(AnnotationError) as caught:
        build()
    assert isinstance(caught.value, ValueError)
    return str(caught.value).splitlines()


def problem_lines(builder: AlbIngressAnnotations | NlbServiceAnnotations) -> list[str]:
    """The lines of the one error `annotations()` raises, each checked to name the builder, without that name."""
    lines = errors(builder.annotations)
    prefix = f"{type(builder).__name__}: "
    assert all(line.startswith(prefix) for line in lines), lines
    return [line.removeprefix(prefix) for line in lines]


# ---- the seeds' annotations ------------------------------------------------------------------------


def test_seed_002_echoserver_ingress():
    built = AlbIngressAnnotations(
        scheme="internet-facing",
        target_type="ip",
        group_name="my-alb-group",
        listen_ports=(ListenPort(protocol="HTTP", port=80), ListenPort(protocol="HTTPS", port=443)),
        certificate_arns=(CERT,),
        ssl_redirect_port=443,
        actions={
            "rule-echoserver": rules.FixedResponse(status_code=200, content_type="text/plain", message_body="Path is /")
        },
    ).annotations()
    assert built == {
        "alb.ingress.kubernetes.io/scheme": "internet-facing",
        "alb.ingress.kubernetes.io/target-type": "ip",
        "alb.ingress.kubernetes.io/group.name": "my-alb-group",
        "alb.ingress.kubernetes.io/listen-ports": '[{"HTTP":80},{"HTTPS":443}]',
        "alb.ingress.kubernetes.io/certificate-arn": CERT,
        "alb.ingress.kubernetes.io/ssl-redirect": "443",
        "alb.ingress.kubernetes.io/actions.rule-echoserver": (
            '{"type":"fixed-response","fixedResponseConfig":'
            '{"contentType":"text/plain","statusCode":"200","messageBody":"Path is /"}}'
        ),
    }
    # The seed's own JSON, parsed, is what the controller reads.
    seed = (
        '{"type":"fixed-response","fixedResponseConfig":'
        '{"contentType":"text/plain","statusCode":"200","messageBody":"Path is /"}}'
    )
    assert json.loads(built["alb.ingress.kubernetes.io/actions.rule-echoserver"]) == json.loads(seed)
    assert json.loads(built["alb.ingress.kubernetes.io/listen-ports"]) == json.loads('[{"HTTP": 80}, {"HTTPS":443}]')


def test_seed_003_weighted_routing_json():
    built = AlbIngressAnnotations(
        actions={
            "weighted-routing": rules.WeightedForward(
                targets=(
                    rules.ForwardTarget(service_name="ng", service_port=80, weight=50),
                    rules.ForwardTarget(service_name="ng-canary", service_port=80, weight=50),
                ),
                stickiness_enabled=False,
            )
        }
    ).annotations()
    assert json.loads(built["alb.ingress.kubernetes.io/actions.weighted-routing"]) == SEED_003_WEIGHTED_ROUTING


def test_seed_001_nlb_service_and_its_spec():
    annotations = NlbServiceAnnotations(
        target_type="ip",
        scheme="internet-facing",
        health_check=NlbHealthCheck(port=8080),
        cross_zone_enabled=True,
        target_group_attributes=NlbTargetGroupAttributes(deregistration_delay_seconds=60),
    )
    assert annotations.annotations() == {
        "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type": "ip",
        "service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing",
        "service.beta.kubernetes.io/aws-load-balancer-healthcheck-port": "8080",
        # The seeds' aws-load-balancer-cross-zone-load-balancing-enabled is deprecated in favour of this.
        "service.beta.kubernetes.io/aws-load-balancer-attributes": "load_balancing.cross_zone.enabled=true",
        "service.beta.kubernetes.io/aws-load-balancer-target-group-attributes": (
            "deregistration_delay.timeout_seconds=60"
        ),
    }
    assert annotations.service_spec([ServicePort(port=80, target_port=8080)]) == {
        "type": "LoadBalancer",
        "loadBalancerClass": "service.k8s.aws/nlb",
        "ports": [{"port": 80, "targetPort": 8080, "protocol": "TCP"}],
    }


def test_seed_003_nlb_options_proxy_protocol_and_tls():
    built = NlbServiceAnnotations(proxy_protocol_v2=True, tls=NlbTls(certificate_arns=(CERT,))).annotations()
    assert built["service.beta.kubernetes.io/aws-load-balancer-proxy-protocol"] == "*"
    assert built["service.beta.kubernetes.io/aws-load-balancer-ssl-cert"] == CERT
    assert built["service.beta.kubernetes.io/aws-load-balancer-ssl-ports"] == "443"


def test_url_rewrite_transform_has_the_documented_shape():
    built = AlbIngressAnnotations(
        transforms={"echoserver": (rules.UrlRewrite(regex="^/test(/|$)(.*)", replace="/$2"),)}
    ).annotations()
    assert json.loads(built["alb.ingress.kubernetes.io/transforms.echoserver"]) == [
        {"type": "url-rewrite", "urlRewriteConfig": {"rewrites": [{"regex": "^/test(/|$)(.*)", "replace": "/$2"}]}}
    ]


def test_url_rewrite_does_what_nginx_rewrite_target_does():
    regex, replace = re.compile("^/test(/|$)(.*)"), "/$2"
    for path, expected in [("/test", "/"), ("/test/", "/"), ("/test/index.html", "/index.html"), ("/test/a/b", "/a/b")]:
        assert regex.sub(replace.replace("$2", r"\2"), path) == expected


def test_conditions_json():
    built = AlbIngressAnnotations(
        conditions={
            "svc": (
                rules.HostHeader(values=("a.example.com",)),
                rules.HttpHeader(name="X-Canary", values=("yes",)),
                rules.QueryString(pairs=(("version", "v2"),)),
                rules.SourceIp(cidrs=("10.0.0.0/16",)),
            )
        }
    ).annotations()
    assert json.loads(built["alb.ingress.kubernetes.io/conditions.svc"]) == [
        {"field": "host-header", "hostHeaderConfig": {"values": ["a.example.com"]}},
        {"field": "http-header", "httpHeaderConfig": {"httpHeaderName": "X-Canary", "values": ["yes"]}},
        {"field": "query-string", "queryStringConfig": {"values": [{"key": "version", "value": "v2"}]}},
        {"field": "source-ip", "sourceIpConfig": {"values": ["10.0.0.0/16"]}},
    ]


# ---- every bad input: one error, every problem named ------------------------------------------------


def test_alb_collects_every_problem_into_one_error():
    bad = AlbIngressAnnotations(
        scheme="public",
        target_type="pod",
        load_balancer_name="a-very-long-load-balancer-name-over-32",
        group_name="My_Group",
        group_order=1001,
        ip_address_type="ipv6",
        listen_ports=(ListenPort(protocol="HTTP", port=80), ListenPort(protocol="HTTP", port=80)),
        certificate_arns=("arn:aws:acm:nowhere",),
        ssl_redirect_port=443,
        ssl_policy="TLS13",
        inbound_cidrs=("10.0.0.1/16",),
        tags={"aws:owner": "me", "team": "a,b"},
    )
    assert problem_lines(bad) == [
        "scheme: 'public' is not one of internal, internet-facing",
        "target_type: 'pod' is not one of instance, ip",
        "ip_address_type: 'ipv6' is not one of ipv4, dualstack, dualstack-without-public-ipv4",
        "load_balancer_name: 'a-very-long-load-balancer-name-over-32' is 38 characters; allowed: at most 32",
        "group_name: 'My_Group': allowed: at most 63 of a-z, 0-9, '-' and '.',"
        " starting and ending with a letter or digit",
        "group_order: 1001 is outside the allowed range -1000 to 1000",
        "listen_ports[1].port: 80 is listed twice; allowed: each once",
        "certificate_arns: 'arn:aws:acm:nowhere' is not a certificate ARN; allowed:"
        " arn:aws:acm:<region>:<account>:certificate/<id> or arn:aws:iam::<account>:server-certificate/<name>",
        "ssl_redirect_port: 443 must be an HTTPS port of listen_ports (HTTPS: none)"
        " next to an HTTP one to redirect from",
        "ssl_policy: 'TLS13' is not an ELBSecurityPolicy-* name",
        "ssl_policy: applies to HTTPS listeners only; there is none",
        "inbound_cidrs: '10.0.0.1/16' is not a CIDR like 203.0.113.0/24 or 2001:db8::/32 (host bits must be zero)",
        "tags[aws:owner]: key 'aws:owner': not starting with aws: (AWS's own)",
        "tags[team]: value 'a,b': letters, digits, spaces and _ . : / = + - @",
    ]


def test_alb_health_check_attribute_and_rule_problems():
    bad = AlbIngressAnnotations(
        health_check=AlbHealthCheck(
            protocol="TCP",
            port=0,
            path="health",
            interval_seconds=3,
            timeout_seconds=121,
            healthy_threshold_count=1,
            unhealthy_threshold_count=11,
            success_codes="200-600",
        ),
        load_balancer_attributes=AlbLoadBalancerAttributes(
            idle_timeout_seconds=4001, client_keep_alive_seconds=59, desync_mitigation_mode="lax"
        ),
        target_group_attributes=AlbTargetGroupAttributes(
            deregistration_delay_seconds=3601,
            load_balancing_algorithm="fastest",
            anomaly_mitigation=True,
            slow_start_seconds=10,
            stickiness_duration_seconds=0,
        ),
        actions={
            "fixed": rules.FixedResponse(status_code=302, content_type="text/xml", message_body="x" * 1025),
            "moved": rules.Redirect(status_code="HTTP_307", protocol="FTP", port=70000, path="eks", query="?k=v"),
            "split": rules.WeightedForward(
                targets=(
                    rules.ForwardTarget(service_name="a", service_port=80, weight=0),
                    rules.ForwardTarget(service_name="b", weight=1000),
                    rules.ForwardTarget(target_group_arn="arn:x", service_name="c", service_port=80, weight=0),
                ),
                stickiness_enabled=True,
            ),
        },
        conditions={
            "svc": (rules.PathPattern(values=("a", "/b", "/c", "/d")), rules.PathPattern(values=("/e", "/f"))),
            "web": (rules.HttpRequestMethod(values=("get",)), rules.HttpHeader(name="Host", values=("x",))),
        },
        transforms={
            "svc": (rules.UrlRewrite(regex="(", replace="/"), rules.HostHeaderRewrite(regex="^a$", replace="$1"))
        },
    )
    assert problem_lines(bad) == [
        "health_check.protocol: 'TCP' is not one of HTTP, HTTPS",
        "health_check.port: 0: allowed: a port 1-65535, 'traffic-port' or a Service port name",
        "health_check.path: 'health': allowed: an absolute path (starting with '/') of at most 1024 characters,"
        " no blanks",
        "health_check.interval_seconds: 3 is outside the allowed range 5-300 seconds",
        "health_check.timeout_seconds: 121 is outside the allowed range 2-120 seconds",
        "health_check.healthy_threshold_count: 1 is outside the allowed range 2-10",
        "health_check.unhealthy_threshold_count: 11 is outside the allowed range 2-10",
        "health_check.success_codes: '200-600': every code must lie within 200-499, and a range must go upwards",
        "load_balancer_attributes.idle_timeout_seconds: 4001 is outside the allowed range 1-4000 seconds",
        "load_balancer_attributes.client_keep_alive_seconds: 59 is outside the allowed range 60-604800 seconds",
        "load_balancer_attributes.desync_mitigation_mode: 'lax' is not one of monitor, defensive, strictest",
        "target_group_attributes.deregistration_delay_seconds: 3601 is outside the allowed range 0-3600 seconds",
        "target_group_attributes.load_balancing_algorithm: 'fastest' is not one of round_robin,"
        " least_outstanding_requests, weighted_random",
        "target_group_attributes.anomaly_mitigation: only with load_balancing_algorithm weighted_random",
        "target_group_attributes.slow_start_seconds: 10 is outside the allowed range 30-900 seconds,"
        " or 0 to turn slow start off",
        "target_group_attributes.stickiness_duration_seconds: set only with stickiness_type",
        "target_group_attributes.stickiness_duration_seconds: 0 is outside the allowed range 1-604800 seconds",
        "actions[fixed].status_code: 302: allowed: a 2XX, 4XX or 5XX code",
        "actions[fixed].content_type: 'text/xml' is not one of text/plain, text/css, text/html,"
        " application/javascript, application/json",
        "actions[fixed].message_body: is 1025 characters; allowed: at most 1024",
        "actions[moved].status_code: 'HTTP_307' is not one of HTTP_301, HTTP_302",
        "actions[moved].protocol: 'FTP' is not one of HTTP, HTTPS, #{protocol}",
        "actions[moved].port: 70000: allowed: 1-65535 or '#{port}'",
        "actions[moved].path: 'eks': allowed: an absolute path of 1-128 characters",
        "actions[moved].query: '?k=v': allowed: at most 128 characters, without the leading '?'",
        "actions[split].targets[1].weight: 1000 is outside the allowed range 0-999",
        "actions[split].targets[1].service_port: required with service_name: a port number 1-65535 or a port name",
        "actions[split].targets[2].service_name: set exactly one of service_name and target_group_arn",
        "actions[split].targets[2].target_group_arn: 'arn:x' is not a target group ARN",
        "actions[split].stickiness_duration_seconds: required when stickiness is enabled: 1-604800 seconds",
        "conditions[svc][0].values: 4 values; allowed: 1-3 per condition",
        "conditions[svc][0].values: 'a': a path pattern starts with '/'",
        "conditions[svc]: 2 path-pattern conditions; allowed: at most one per rule",
        "conditions[svc]: 6 match values; allowed: at most 5 per rule",
        "conditions[web][0].values: 'get': allowed: A-Z, '-' and '_', at most 40 characters",
        "conditions[web][1].name: 'Host': allowed: an RFC 7230 header name of 1-40 characters, not Host",
        "transforms[svc][0].regex: '(' is not a regular expression: missing ), unterminated subpattern at position 0",
        "transforms[svc][1].replace: '$1' refers to a capture group the regex does not have (no capture groups)",
    ]


def test_alb_interval_must_exceed_the_timeout_even_the_controllers_default():
    assert errors(lambda: AlbIngressAnnotations(health_check=AlbHealthCheck(interval_seconds=5)).annotations()) == [
        "AlbIngressAnnotations: health_check.interval_seconds: 5 must be greater than the controller's default"
        " timeout of 5 (5): ELBv2 refuses it"
    ]
    assert errors(
        lambda: AlbIngressAnnotations(health_check=AlbHealthCheck(interval_seconds=6, timeout_seconds=6)).annotations()
    ) == [
        "AlbIngressAnnotations: health_check.interval_seconds: 6 must be greater than timeout_seconds (6):"
        " ELBv2 refuses it"
    ]
    assert errors(lambda: AlbIngressAnnotations(health_check=AlbHealthCheck(timeout_seconds=15)).annotations()) == [
        "AlbIngressAnnotations: health_check.timeout_seconds: 15 must be less than the controller's default"
        " interval of 15: ELBv2 refuses it (set interval_seconds too)"
    ]
    assert AlbIngressAnnotations(health_check=AlbHealthCheck(timeout_seconds=14)).annotations()


def test_weights_need_one_above_zero_and_names_must_be_service_names():
    assert errors(
        lambda: AlbIngressAnnotations(
            actions={
                "Weighted_Routing": rules.WeightedForward(
                    targets=(rules.ForwardTarget(service_name="a", service_port=80, weight=0),)
                )
            }
        ).annotations()
    ) == [
        "AlbIngressAnnotations: actions[Weighted_Routing]: name 'Weighted_Routing': allowed: 1-63 lowercase letters,"
        " digits and '-', starting with a letter, not ending with '-' (it is the backend's service.name)",
        "AlbIngressAnnotations: actions[Weighted_Routing].targets: every weight is 0;"
        " allowed: at least one weight above 0",
    ]
    assert errors(lambda: AlbIngressAnnotations(actions={"w": rules.WeightedForward(targets=())}).annotations()) == [
        "AlbIngressAnnotations: actions[w].targets: 0 target groups; allowed: 1-5"
    ]


def test_nlb_collects_every_problem_into_one_error():
    bad = NlbServiceAnnotations(
        target_type="external",
        scheme="internal",
        name="internal-echo",
        subnets=("subnet-1", "subnet-2"),
        health_check=NlbHealthCheck(protocol="TCP", path="/health", interval_seconds=4, success_codes="200"),
        target_group_attributes=NlbTargetGroupAttributes(
            deregistration_delay_seconds=-1, unhealthy_draining_interval_seconds=10
        ),
        tls=NlbTls(certificate_arns=(), ports=("*",), negotiation_policy="modern"),
        tcp_idle_timeout_seconds={80: 30},
        eip_allocations=("eipalloc-1",),
        source_ranges=("0.0.0.0/33",),
    )
    assert problem_lines(bad) == [
        "target_type: 'external' is not one of instance, ip",
        "name: 'internal-echo': must not begin with 'internal-'",
        "health_check.protocol: 'TCP' is not one of tcp, http, https",
        "health_check.path: only with protocol http or https",
        "health_check.interval_seconds: 4 is outside the allowed range 5-300 seconds",
        "health_check.success_codes: only with protocol http or https",
        "target_group_attributes.deregistration_delay_seconds: -1 is outside the allowed range 0-3600 seconds",
        "target_group_attributes.unhealthy_draining_interval_seconds: only with unhealthy_connection_termination=False",
        "tls.certificate_arns: empty; a TLS listener needs at least one certificate ARN",
        "tls.ports: '*' matches no port (annotations.md); list the ports",
        "tls.negotiation_policy: 'modern' is not an ELBSecurityPolicy-* name",
        "tcp_idle_timeout_seconds[80]: 30 is outside the allowed range 60-6000 seconds",
        "eip_allocations: only for scheme internet-facing",
        "eip_allocations: 1 allocations for 2 subnets; allowed: one each",
        "eip_allocations: 'eipalloc-1' is not an allocation id like eipalloc-0123456789abcdef0",
        "source_ranges: '0.0.0.0/33' is not a CIDR like 203.0.113.0/24 or 2001:db8::/32 (host bits must be zero)",
    ]


def test_nlb_spec_checks_the_ports_the_annotations_name():
    annotations = NlbServiceAnnotations(
        tls=NlbTls(certificate_arns=(CERT,), ports=(443,)), tcp_idle_timeout_seconds={443: 400, 81: 400}
    )
    assert errors(
        lambda: annotations.service_spec([ServicePort(port=80, target_port=8080)], external_traffic_policy="All")
    ) == [
        "NlbServiceAnnotations: tls.ports: 443 is not a port of the Service ([80])",
        "NlbServiceAnnotations: tcp_idle_timeout_seconds[443]: is not a TCP port of the Service",
        "NlbServiceAnnotations: tcp_idle_timeout_seconds[81]: is not a TCP port of the Service",
        "NlbServiceAnnotations: external_traffic_policy: 'All' is not one of Cluster, Local",
    ]
    tls_idle = NlbServiceAnnotations(
        tls=NlbTls(certificate_arns=(CERT,), ports=("https",)), tcp_idle_timeout_seconds={443: 400}
    )
    assert errors(lambda: tls_idle.service_spec([ServicePort(name="https", port=443, target_port=8080)])) == [
        "NlbServiceAnnotations: tcp_idle_timeout_seconds[443]: is a TLS listener, whose idle timeout is fixed at 350 s"
    ]


def test_listener_attribute_annotation():
    built = NlbServiceAnnotations(tcp_idle_timeout_seconds={80: 400}).annotations()
    assert built == {
        "service.beta.kubernetes.io/aws-load-balancer-listener-attributes.TCP-80": "tcp.idle_timeout.seconds=400"
    }


# ---- cross-checks with the ELBv2 API reference ------------------------------------------------------


def test_attribute_ranges_and_values_agree_with_the_api_reference():
    lb, tg, listener = (
        attribute_catalog(s) for s in ("LoadBalancerAttribute", "TargetGroupAttribute", "ListenerAttribute")
    )
    for ours, spec in [
        (alb_attributes.IDLE_TIMEOUT, lb["idle_timeout.timeout_seconds"]),
        (alb_attributes.CLIENT_KEEP_ALIVE, lb["client_keep_alive.seconds"]),
        (target_group_attributes.DEREGISTRATION_DELAY, tg["deregistration_delay.timeout_seconds"]),
        (alb_attributes.SLOW_START, tg["slow_start.duration_seconds"]),
        (alb_attributes.STICKINESS_DURATION, tg["stickiness.lb_cookie.duration_seconds"]),
        (alb_attributes.STICKINESS_DURATION, tg["stickiness.app_cookie.duration_seconds"]),
        (nlb_attributes.UNHEALTHY_DRAINING_INTERVAL, tg["target_health_state.unhealthy.draining_interval_seconds"]),
        (nlb.TCP_IDLE_TIMEOUT, listener["tcp.idle_timeout.seconds"]),
    ]:
        assert (ours.low, ours.high) == (spec.minimum, spec.maximum), spec.key
    assert tg["load_balancing.algorithm.type"].values == alb_attributes.ALGORITHMS
    assert lb["routing.http.desync_mitigation_mode"].values == alb_attributes.DESYNC_MITIGATION_MODES
    assert tg["stickiness.type"].values == alb_attributes.STICKINESS_TYPES


def test_health_check_and_action_limits_agree_with_the_api_models():
    # Both builders check their health check through health_check.AnnotatedHealthCheck.
    for ours, member in [
        (health_check.HEALTH_CHECK_INTERVAL, "HealthCheckIntervalSeconds"),
        (health_check.HEALTH_CHECK_TIMEOUT, "HealthCheckTimeoutSeconds"),
        (health_check.THRESHOLD_COUNT, "HealthyThresholdCount"),
        (health_check.THRESHOLD_COUNT, "UnhealthyThresholdCount"),
    ]:
        meta = api_shape(f"elbv2:CreateTargetGroup.{member}").metadata
        assert (ours.low, ours.high) == (meta["min"], meta["max"]), member
    assert api_shape("elbv2:CreateTargetGroup.HealthCheckPath").metadata["max"] == 1024
    fixed = "elbv2:CreateRule.Actions[].FixedResponseConfig"
    assert api_shape(f"{fixed}.MessageBody").metadata["max"] == rules.MESSAGE_BODY_MAX
    assert api_shape(f"{fixed}.StatusCode").metadata["pattern"] == "^(2|4|5)\\d\\d$"
    assert all(t in api_shape(f"{fixed}.ContentType").documentation for t in rules.FIXED_RESPONSE_CONTENT_TYPES)
    redirect = "elbv2:CreateRule.Actions[].RedirectConfig"
    assert tuple(api_shape(f"{redirect}.StatusCode").enum) == rules.REDIRECT_STATUS_CODES
    forward = "elbv2:CreateRule.Actions[].ForwardConfig"
    assert "The range is 0 to 999" in api_shape(f"{forward}.TargetGroups[].Weight").documentation
    assert "1-604800 seconds" in api_shape(f"{forward}.TargetGroupStickinessConfig.DurationSeconds").documentation
    assert set(api_shape("elbv2:CreateRule.Transforms[].Type").enum) == {
        rules.UrlRewrite.type,
        rules.HostHeaderRewrite.type,
    }
    assert (
        "1,024 characters" in api_shape("elbv2:CreateRule.Transforms[].UrlRewriteConfig.Rewrites[].Regex").documentation
    )
    matcher = api_shape("elbv2:CreateTargetGroup.Matcher.HttpCode").documentation
    assert "Application Load Balancers, you can specify values between 200 and 499" in matcher
    assert "Network Load Balancers, you can specify values between 200 and 599" in matcher
    assert (alb.ALB_SUCCESS_CODES.low, alb.ALB_SUCCESS_CODES.high, nlb.NLB_SUCCESS_CODES.high) == (200, 499, 599)


# Every target group attribute the builders know, each set (and valid together).
EVERY_ALB_TARGET_GROUP_ATTRIBUTE = AlbTargetGroupAttributes(
    deregistration_delay_seconds=30,
    load_balancing_algorithm="weighted_random",
    anomaly_mitigation=True,
    slow_start_seconds=30,
    stickiness_type="app_cookie",
    app_cookie_name="session",
    stickiness_duration_seconds=60,
)
EVERY_NLB_TARGET_GROUP_ATTRIBUTE = NlbTargetGroupAttributes(
    deregistration_delay_seconds=60,
    connection_termination=True,
    preserve_client_ip=True,
    source_ip_stickiness=False,  # True adds stickiness.type source_ip, which the API catalog does not list
    unhealthy_connection_termination=False,
    unhealthy_draining_interval_seconds=30,
)


def test_every_attribute_key_the_builders_can_emit_is_documented():
    every_alb = AlbIngressAnnotations(
        load_balancer_attributes=AlbLoadBalancerAttributes(
            idle_timeout_seconds=60,
            client_keep_alive_seconds=3600,
            deletion_protection=False,
            http2_enabled=True,
            drop_invalid_header_fields=True,
            desync_mitigation_mode="defensive",
            access_logs_bucket="my-logs",
            access_logs_prefix="alb",
        ),
        target_group_attributes=EVERY_ALB_TARGET_GROUP_ATTRIBUTE,
    ).annotations()
    every_nlb = NlbServiceAnnotations(
        cross_zone_enabled=True,
        deletion_protection=True,
        target_group_attributes=EVERY_NLB_TARGET_GROUP_ATTRIBUTE,
        tcp_idle_timeout_seconds={80: 400},
    ).annotations()
    shapes = {
        "alb.ingress.kubernetes.io/load-balancer-attributes": "LoadBalancerAttribute",
        "alb.ingress.kubernetes.io/target-group-attributes": "TargetGroupAttribute",
        "service.beta.kubernetes.io/aws-load-balancer-attributes": "LoadBalancerAttribute",
        "service.beta.kubernetes.io/aws-load-balancer-target-group-attributes": "TargetGroupAttribute",
        "service.beta.kubernetes.io/aws-load-balancer-listener-attributes.TCP-80": "ListenerAttribute",
    }
    emitted = {**every_alb, **every_nlb}
    assert set(shapes) == set(emitted)
    seen = 0
    for annotation, shape in shapes.items():
        for key, value in parse_string_map(emitted[annotation]).items():
            assert attribute_problems(shape, key, value) is None, (annotation, key, value)
            seen += 1
    assert seen == 26  # every attribute key the builders know
    # NLB source-IP stickiness is documented in the same text ("source_ip for Network Load Balancers").
    sticky = NlbTargetGroupAttributes(source_ip_stickiness=True).attributes()
    assert sticky == {"stickiness.enabled": "true", "stickiness.type": "source_ip"}
    from testbed.gates.aws import _model

    documentation = _model("elbv2").shape_for("TargetGroupAttribute").members["Key"].documentation
    assert "source_ip</code> for Network Load Balancers" in documentation


def test_target_group_attributes_keep_the_annotations_order_with_every_field_set():
    # The annotation is one string: a derived key stands right after the field it comes from, so the
    # text (and with it the Ingress or Service) changes only when a value does.
    sticky = dataclasses.replace(EVERY_NLB_TARGET_GROUP_ATTRIBUTE, source_ip_stickiness=True)
    assert list(sticky.attributes().items()) == [
        ("deregistration_delay.timeout_seconds", "60"),
        ("deregistration_delay.connection_termination.enabled", "true"),
        ("preserve_client_ip.enabled", "true"),
        ("stickiness.enabled", "true"),
        ("stickiness.type", "source_ip"),
        ("target_health_state.unhealthy.connection_termination.enabled", "false"),
        ("target_health_state.unhealthy.draining_interval_seconds", "30"),
    ]
    assert list(EVERY_ALB_TARGET_GROUP_ATTRIBUTE.attributes().items()) == [
        ("deregistration_delay.timeout_seconds", "30"),
        ("load_balancing.algorithm.type", "weighted_random"),
        ("load_balancing.algorithm.anomaly_mitigation", "on"),
        ("slow_start.duration_seconds", "30"),
        ("stickiness.enabled", "true"),
        ("stickiness.type", "app_cookie"),
        ("stickiness.app_cookie.cookie_name", "session"),
        ("stickiness.app_cookie.duration_seconds", "60"),
    ]
    assert NlbTargetGroupAttributes(source_ip_stickiness=False).attributes() == {"stickiness.enabled": "false"}
    mitigation_off = AlbTargetGroupAttributes(load_balancing_algorithm="weighted_random", anomaly_mitigation=False)
    assert mitigation_off.attributes()["load_balancing.algorithm.anomaly_mitigation"] == "off"


def test_documented_key_lists_match_the_controllers_constants():
    # pkg/annotations/constants.go (v3.x) suffixes, the ones the builders use.
    assert "group.order" in alb.DOCUMENTED_SUFFIXES and "listener-attributes." not in alb.DOCUMENTED_SUFFIXES
    assert {
        "aws-load-balancer-healthcheck-success-codes",
        "aws-load-balancer-proxy-protocol",
    } <= nlb.DOCUMENTED_SUFFIXES
    assert "aws-load-balancer-cross-zone-load-balancing-enabled" not in nlb.DOCUMENTED_SUFFIXES  # deprecated


# ---- property tests: the valid space -------------------------------------------------------------

names = st.from_regex(r"[a-z][a-z0-9-]{0,20}[a-z0-9]", fullmatch=True)
ports = st.integers(1, 65535)
texts = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9 _.:/+@-]{0,30}[A-Za-z0-9]", fullmatch=True)
cidrs = st.builds(lambda a, b, n: f"10.{a}.{b}.0/{n}", st.integers(0, 255), st.integers(0, 255), st.just(24))
arns = st.builds(
    lambda n: f"arn:aws:acm:ap-northeast-2:123456789012:certificate/{n:08x}-0000", st.integers(0, 2**32 - 1)
)


@st.composite
def alb_health_checks(draw) -> AlbHealthCheck:
    interval = draw(st.none() | st.integers(6, 300))
    timeout = draw(st.none() | st.integers(2, min(120, (interval or 6) - 1)))
    low = draw(st.integers(200, 499))
    codes = draw(
        st.sampled_from([str(low), f"{low}-{draw(st.integers(low, 499))}", f"{low},{draw(st.integers(200, 499))}"])
    )
    return AlbHealthCheck(
        protocol=draw(st.none() | st.sampled_from(["HTTP", "HTTPS"])),
        port=draw(st.none() | ports | st.just("traffic-port")),
        path=draw(st.none() | st.from_regex(r"/[a-z0-9/._-]{0,40}", fullmatch=True)),
        interval_seconds=interval,
        timeout_seconds=timeout,
        healthy_threshold_count=draw(st.none() | st.integers(2, 10)),
        unhealthy_threshold_count=draw(st.none() | st.integers(2, 10)),
        success_codes=draw(st.none() | st.just(codes)),
    )


@st.composite
def alb_annotations(draw) -> AlbIngressAnnotations:
    listen_ports = draw(
        st.lists(
            st.builds(ListenPort, protocol=st.sampled_from(["HTTP", "HTTPS"]), port=ports),
            max_size=3,
            unique_by=lambda p: p.port,
        )
    )
    https = [p.port for p in listen_ports if p.protocol == "HTTPS"]
    redirect = draw(st.sampled_from(https)) if https and any(p.protocol == "HTTP" for p in listen_ports) else None
    weights = draw(st.lists(st.integers(0, 999), min_size=1, max_size=5).filter(lambda w: any(w)))
    algorithm = draw(st.none() | st.sampled_from(alb_attributes.ALGORITHMS))
    return AlbIngressAnnotations(
        scheme=draw(st.none() | st.sampled_from(values.SCHEMES)),
        target_type=draw(st.none() | st.sampled_from(values.TARGET_TYPES)),
        load_balancer_name=draw(st.none() | st.from_regex(r"[a-hj-z0-9][a-z0-9-]{0,30}[a-z0-9]", fullmatch=True)),
        group_name=draw(st.none() | st.from_regex(r"[a-z0-9][a-z0-9.-]{0,61}[a-z0-9]", fullmatch=True)),
        group_order=draw(st.none() | st.integers(-1000, 1000)),
        listen_ports=tuple(listen_ports),
        certificate_arns=tuple(draw(st.lists(arns, max_size=3))),
        ssl_redirect_port=redirect,
        inbound_cidrs=tuple(draw(st.lists(cidrs, max_size=3))),
        health_check=draw(st.none() | alb_health_checks()),
        load_balancer_attributes=AlbLoadBalancerAttributes(
            idle_timeout_seconds=draw(st.none() | st.integers(1, 4000)),
            client_keep_alive_seconds=draw(st.none() | st.integers(60, 604800)),
            deletion_protection=draw(st.none() | st.booleans()),
        ),
        target_group_attributes=AlbTargetGroupAttributes(
            deregistration_delay_seconds=draw(st.none() | st.integers(0, 3600)),
            load_balancing_algorithm=algorithm,
            anomaly_mitigation=draw(st.none() | st.booleans()) if algorithm == "weighted_random" else None,
            slow_start_seconds=draw(st.none() | st.just(0) | st.integers(30, 900)),
            stickiness_type=draw(st.none() | st.just("lb_cookie")),
        ),
        actions={
            draw(names): rules.WeightedForward(
                targets=tuple(
                    rules.ForwardTarget(service_name=f"svc-{i}", service_port=80, weight=w)
                    for i, w in enumerate(weights)
                ),
                stickiness_enabled=False,
            )
        },
        transforms={draw(names): (rules.UrlRewrite(regex=f"^/{draw(names)}(/|$)(.*)", replace="/$2"),)},
        tags=draw(st.dictionaries(texts, texts, max_size=3)),
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(alb_annotations())
def test_alb_every_key_is_documented_and_every_value_reads_back(spec: AlbIngressAnnotations):
    built = spec.annotations()
    for key in built:
        suffix = key.removeprefix(alb.PREFIX)
        assert key.startswith(alb.PREFIX)
        assert suffix in alb.DOCUMENTED_SUFFIXES or suffix.startswith(alb.DOCUMENTED_PREFIXES), key
        assert isinstance(built[key], str)
    read = {k.removeprefix(alb.PREFIX): v for k, v in built.items()}
    if spec.listen_ports:
        assert json.loads(read["listen-ports"]) == [{p.protocol: p.port} for p in spec.listen_ports]
    assert parse_string_list(read.get("certificate-arn", "")) == list(spec.certificate_arns)
    assert parse_string_list(read.get("inbound-cidrs", "")) == list(spec.inbound_cidrs)
    assert parse_string_map(read.get("tags", "")) == dict(spec.tags)
    assert read.get("group.order") == (None if spec.group_order is None else str(spec.group_order))
    assert read.get("ssl-redirect") == (None if spec.ssl_redirect_port is None else str(spec.ssl_redirect_port))
    if spec.health_check is not None:
        check = spec.health_check
        for suffix, value in [
            ("healthcheck-interval-seconds", check.interval_seconds),
            ("healthcheck-timeout-seconds", check.timeout_seconds),
            ("healthy-threshold-count", check.healthy_threshold_count),
            ("unhealthy-threshold-count", check.unhealthy_threshold_count),
        ]:
            assert read.get(suffix) == (None if value is None else str(value))
        assert read.get("success-codes") == check.success_codes
    for annotation, shape, attributes in [
        ("load-balancer-attributes", "LoadBalancerAttribute", spec.load_balancer_attributes.attributes()),
        ("target-group-attributes", "TargetGroupAttribute", spec.target_group_attributes.attributes()),
    ]:
        parsed = parse_string_map(read.get(annotation, ""))
        assert parsed == attributes
        assert all(attribute_problems(shape, k, v) is None for k, v in parsed.items())
    for name, action in spec.actions.items():
        document = json.loads(read[f"actions.{name}"])
        assert [t["weight"] for t in document["forwardConfig"]["targetGroups"]] == [t.weight for t in action.targets]
    for name, transforms in spec.transforms.items():
        [document] = json.loads(read[f"transforms.{name}"])
        assert document["urlRewriteConfig"]["rewrites"] == [{"regex": transforms[0].regex, "replace": "/$2"}]


@st.composite
def nlb_annotations(draw) -> NlbServiceAnnotations:
    scheme = draw(st.sampled_from(values.SCHEMES))
    subnets = tuple(f"subnet-{i:08x}" for i in range(draw(st.integers(0, 3))))
    eips = (
        tuple(f"eipalloc-{i:017x}" for i in range(len(subnets)))
        if scheme == "internet-facing" and draw(st.booleans())
        else ()
    )
    protocol = draw(st.none() | st.sampled_from(nlb.HEALTH_CHECK_PROTOCOLS))
    http = protocol in ("http", "https")
    target_type = draw(st.none() | st.sampled_from(values.TARGET_TYPES))
    node_labels = (
        draw(
            st.dictionaries(
                st.sampled_from(["role", "example.com/pool"]), st.sampled_from(["client", "a-1"]), max_size=2
            )
        )
        if target_type == "instance"
        else {}
    )
    return NlbServiceAnnotations(
        target_type=target_type,
        target_node_labels=node_labels,
        scheme=scheme,
        name=draw(st.none() | st.from_regex(r"[a-hj-z0-9][a-z0-9-]{0,30}[a-z0-9]", fullmatch=True)),
        subnets=subnets,
        cross_zone_enabled=draw(st.none() | st.booleans()),
        health_check=NlbHealthCheck(
            protocol=protocol,
            port=draw(st.none() | ports | st.just("traffic-port")),
            path="/healthz" if http else None,
            interval_seconds=draw(st.none() | st.integers(5, 300)),
            timeout_seconds=draw(st.none() | st.integers(2, 120)),
            healthy_threshold=draw(st.none() | st.integers(2, 10)),
            success_codes=draw(st.none() | st.sampled_from(["200", "200-399", "200,599"])) if http else None,
        ),
        target_group_attributes=NlbTargetGroupAttributes(
            deregistration_delay_seconds=draw(st.none() | st.integers(0, 3600)),
            preserve_client_ip=draw(st.none() | st.booleans()),
        ),
        proxy_protocol_v2=draw(st.booleans()),
        tls=draw(st.none() | st.builds(lambda a: NlbTls(certificate_arns=(a,), ports=(443,)), arns)),
        tcp_idle_timeout_seconds=draw(st.dictionaries(st.integers(1, 442), st.integers(60, 6000), max_size=2)),
        eip_allocations=eips,
        source_ranges=tuple(draw(st.lists(cidrs, max_size=2))),
        tags=draw(st.dictionaries(texts, texts, max_size=3)),
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(nlb_annotations())
def test_nlb_every_key_is_documented_and_every_value_reads_back(spec: NlbServiceAnnotations):
    built = spec.annotations()
    read = {k.removeprefix(nlb.PREFIX): v for k, v in built.items()}
    for key in built:
        suffix = key.removeprefix(nlb.PREFIX)
        assert key.startswith(nlb.PREFIX)
        assert suffix in nlb.DOCUMENTED_SUFFIXES or suffix.startswith(nlb.DOCUMENTED_PREFIXES), key
    assert parse_string_list(read.get("aws-load-balancer-subnets", "")) == list(spec.subnets)
    assert parse_string_list(read.get("aws-load-balancer-eip-allocations", "")) == list(spec.eip_allocations)
    assert parse_string_map(read.get("aws-load-balancer-additional-resource-tags", "")) == dict(spec.tags)
    assert parse_string_map(read.get("aws-load-balancer-target-node-labels", "")) == dict(spec.target_node_labels)
    assert read.get("aws-load-balancer-healthcheck-interval") == (
        None if spec.health_check.interval_seconds is None else str(spec.health_check.interval_seconds)
    )
    attributes = parse_string_map(read.get("aws-load-balancer-attributes", ""))
    if spec.cross_zone_enabled is not None:
        assert attributes["load_balancing.cross_zone.enabled"] == str(spec.cross_zone_enabled).lower()
    assert (
        parse_string_map(read.get("aws-load-balancer-target-group-attributes", ""))
        == spec.target_group_attributes.attributes()
    )
    for port, seconds in spec.tcp_idle_timeout_seconds.items():
        listener = parse_string_map(read[f"aws-load-balancer-listener-attributes.TCP-{port}"])
        assert listener == {"tcp.idle_timeout.seconds": str(seconds)}
        assert attribute_problems("ListenerAttribute", "tcp.idle_timeout.seconds", seconds) is None
    assert ("aws-load-balancer-proxy-protocol" in read) == spec.proxy_protocol_v2
    ports_ = [ServicePort(port=p, target_port=8080) for p in sorted({80, 443, *spec.tcp_idle_timeout_seconds})]
    service = spec.service_spec(ports_)
    assert service["loadBalancerClass"] == "service.k8s.aws/nlb" and service["type"] == "LoadBalancer"
    assert service.get("loadBalancerSourceRanges", []) == list(spec.source_ranges)


def test_nlb_target_node_labels_need_instance_targets_and_valid_labels():
    assert errors(
        lambda: NlbServiceAnnotations(target_type="ip", target_node_labels={"role": "client"}).annotations()
    ) == ["NlbServiceAnnotations: target_node_labels: only for target_type instance (ip targets are pods, not nodes)"]
    assert errors(
        lambda: NlbServiceAnnotations(target_type="instance", target_node_labels={"role": "a b"}).annotations()
    ) == [
        "NlbServiceAnnotations: target_node_labels: label value 'a b' of 'role' is not a valid Kubernetes label value"
    ]


@settings(max_examples=80, deadline=None)
@given(st.lists(st.integers(0, 999), min_size=1, max_size=5))
def test_weighted_forward_accepts_exactly_the_documented_weights(weights):
    forward = rules.WeightedForward(
        targets=tuple(
            rules.ForwardTarget(service_name=f"s{i}", service_port=80, weight=w) for i, w in enumerate(weights)
        )
    )
    assert (forward.problems() == []) == any(w > 0 for w in weights)
