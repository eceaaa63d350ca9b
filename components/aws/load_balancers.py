"""Explicit load balancers and the TargetGroupBinding that feeds them pods.

Seed 000 made its load balancers by hand in the console and bound the target group to a
Service with a TargetGroupBinding. Here each is a component, so that every attribute the
experiment is about (idle timeouts above all) is declared and checked:

- ApplicationLoadBalancer: an ALB (internal by default) in >= 2 zones, its security group
  (listener port from the given CIDRs in; the target port to the VPC out), an HTTP listener
  forwarding to a target group of protocol HTTP, target type ip, with an HTTP health check.
  `idle_timeout_seconds` is the ALB attribute `idle_timeout.timeout_seconds` (limits.ALB_IDLE_TIMEOUT, default 60).
- NetworkLoadBalancer: an NLB (internal by default) in >= 1 zone with its own security group,
  a TCP listener with `tcp_idle_timeout_seconds` (listener attribute `tcp.idle_timeout.seconds`,
  limits.NLB_TCP_IDLE_TIMEOUT, default 350) forwarding to a TCP target group of target type ip.
- TargetGroupBinding: the AWS Load Balancer Controller's `elbv2.k8s.aws/v1beta1` object that
  registers a Service's pods in a target group, with the networking rule that lets the load
  balancer's security group reach the pods, created after the controller is installed.

Both take `LoadBalancerArgs` (subnets, who may reach them, the targets' port, health check) plus
their own attributes, and share one target group and security group builder.

Load balancer and target group names are left to Pulumi's auto-naming (`<child name>-<7 hex>`),
so two stacks never collide; AWS allows at most 32 characters, which is checked.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as kubernetes

from ..component import Component
from ..errors import raise_if_any
from ..limits import aws as limits

TGB_API_VERSION = "elbv2.k8s.aws/v1beta1"
TGB_KIND = "TargetGroupBinding"
AWS_NAME_LIMIT = limits.LOAD_BALANCER_NAME_LENGTH
AUTONAME_SUFFIX = 8  # "-" + 7 hex characters
_HEALTH_PATH = re.compile(r"^/[\x21-\x7e]*$")


@dataclass(frozen=True, kw_only=True)
class HealthCheck:
    """The target group's health check (HTTP GET on the traffic port)."""

    path: str = "/"
    """Path the check GETs; "/" is AWS's default (test beds pass their app's own, e.g. /index)."""
    interval_seconds: int = 30
    timeout_seconds: int = 5
    healthy_threshold: int = 5
    unhealthy_threshold: int = 2
    matcher: str = "200"
    """HTTP codes counted as healthy (ALB and NLB HTTP health checks)."""


@dataclass(frozen=True, kw_only=True)
class LoadBalancerArgs:
    """What an ALB and an NLB take alike: their subnets, who may reach them, where they send."""

    vpc_id: pulumi.Input[str]
    subnet_ids: Mapping[str, pulumi.Input[str]]
    """Zone -> subnet (an ALB needs two zones or more, an NLB one). Private subnets for an internal one."""
    vpc_cidr: str
    """The VPC's CIDR: targets (pod IPs) live in it, so the load balancer may send to it on `target_port`."""
    target_port: int
    """Port the pods listen on (ip targets): the target group's port and the health check's."""
    ingress_cidrs: Sequence[str] = ()
    """Who may reach the listener. Default: `vpc_cidr` (clients inside the VPC)."""
    internal: bool = True
    listener_port: int = 80
    health_check: HealthCheck = field(default_factory=HealthCheck)
    """The target group's HTTP health check on the traffic port."""
    deregistration_delay_seconds: int = 300
    tags: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class ApplicationLoadBalancerArgs(LoadBalancerArgs):
    """An ALB with one HTTP listener and one ip target group."""

    idle_timeout_seconds: int = 60
    """`idle_timeout.timeout_seconds` (limits.ALB_IDLE_TIMEOUT): idle time after which the ALB closes a connection."""
    client_keep_alive_seconds: int = 3600
    """`client_keep_alive.seconds` (limits.ALB_CLIENT_KEEP_ALIVE): the longest a client connection may live."""


@dataclass(frozen=True, kw_only=True)
class NetworkLoadBalancerArgs(LoadBalancerArgs):
    """An NLB with one TCP listener and one ip target group."""

    health_check: HealthCheck = field(default_factory=lambda: HealthCheck(healthy_threshold=3, unhealthy_threshold=3))
    """HTTP on the TCP target group too, so a target is healthy only when the app answers."""
    tcp_idle_timeout_seconds: int = 350
    """Listener attribute `tcp.idle_timeout.seconds` (limits.NLB_TCP_IDLE_TIMEOUT): then the NLB drops an idle flow."""
    cross_zone: bool = False
    """Cross-zone load balancing (NLB default: off)."""


class _LoadBalancer(Component):
    """What the ALB and NLB components share: the four resources and the outputs (`_build`).

    Validation and each resource's kind-specific fields stay in the subclasses: they only look
    alike (the ALB's idle timeout is a load balancer attribute, the NLB's a listener one).
    """

    arn: pulumi.Output[str]
    dns_name: pulumi.Output[str]
    zone_id: pulumi.Output[str]
    security_group_id: pulumi.Output[str]
    target_group_arn: pulumi.Output[str]
    listener_arn: pulumi.Output[str]
    target_port: int

    def _build(
        self,
        name: str,
        args: LoadBalancerArgs,
        *,
        kind: str,
        load_balancer: Mapping[str, Any],
        target_group: Mapping[str, Any],
        listener: Mapping[str, Any],
    ) -> None:
        """Security group, load balancer, target group and listener, then the outputs. The three
        mappings are what differs by kind: the load balancer's type and attributes, the target
        group's protocol fields, the listener's protocol (and attributes)."""
        child = pulumi.ResourceOptions(parent=self)
        group = _security_group(name, args, kind, child)
        lb = aws.lb.LoadBalancer(
            f"{name}-lb",
            internal=args.internal,
            subnets=list(args.subnet_ids.values()),
            security_groups=[group.id],
            tags={**args.tags, "Name": f"{name}-lb"},
            opts=child,
            **load_balancer,
        )
        tg = aws.lb.TargetGroup(
            f"{name}-tg",
            vpc_id=args.vpc_id,
            target_type="ip",
            port=args.target_port,
            deregistration_delay=args.deregistration_delay_seconds,
            health_check=_target_group_health_check(args.health_check),
            tags={**args.tags, "Name": f"{name}-tg"},
            opts=child,
            **target_group,
        )
        forward = aws.lb.Listener(
            f"{name}-{listener['protocol'].lower()}-{args.listener_port}",
            load_balancer_arn=lb.arn,
            port=args.listener_port,
            default_actions=[aws.lb.ListenerDefaultActionArgs(type="forward", target_group_arn=tg.arn)],
            tags=dict(args.tags),
            opts=child,
            **listener,
        )
        self.zone_id = lb.zone_id
        self.target_port = args.target_port
        self.publish(
            arn=lb.arn,
            dns_name=lb.dns_name,
            security_group_id=group.id,
            target_group_arn=tg.arn,
            listener_arn=forward.arn,
        )


class ApplicationLoadBalancer(_LoadBalancer):
    """Security group, ALB, ip target group (HTTP) and HTTP listener."""

    def __init__(self, name: str, args: ApplicationLoadBalancerArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("testbed:aws:ApplicationLoadBalancer", name, None, opts)
        problems = _common_problems(name, args)
        if len(args.subnet_ids) < 2:
            problems.append(("subnet_ids", f"an ALB needs subnets in at least 2 zones, got {sorted(args.subnet_ids)}"))
        for label, value, allowed in (
            ("idle_timeout_seconds", args.idle_timeout_seconds, limits.ALB_IDLE_TIMEOUT),
            ("client_keep_alive_seconds", args.client_keep_alive_seconds, limits.ALB_CLIENT_KEEP_ALIVE),
        ):
            if problem := allowed.problem(value):
                problems.append((label, problem))
        raise_if_any("ApplicationLoadBalancer", problems)
        self._build(
            name,
            args,
            kind="ALB",
            # The ALB ends connections itself: its idle timeout is a load balancer attribute.
            load_balancer={
                "load_balancer_type": "application",
                "idle_timeout": args.idle_timeout_seconds,
                "client_keep_alive": args.client_keep_alive_seconds,
            },
            target_group={"protocol": "HTTP", "protocol_version": "HTTP1"},
            listener={"protocol": "HTTP"},
        )


class NetworkLoadBalancer(_LoadBalancer):
    """Security group, NLB, ip target group (TCP) and TCP listener."""

    def __init__(self, name: str, args: NetworkLoadBalancerArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("testbed:aws:NetworkLoadBalancer", name, None, opts)
        problems = _common_problems(name, args)
        if not args.subnet_ids:
            problems.append(("subnet_ids", "an NLB needs a subnet in at least 1 zone"))
        if problem := limits.NLB_TCP_IDLE_TIMEOUT.problem(args.tcp_idle_timeout_seconds):
            problems.append(("tcp_idle_timeout_seconds", problem))
        raise_if_any("NetworkLoadBalancer", problems)
        # An NLB takes security groups only when created with them (adding or removing all later
        # replaces it), so it gets one from the start (in _build): the TargetGroupBinding then
        # admits exactly this group to the pods, as for the ALB, instead of the whole VPC CIDR.
        self._build(
            name,
            args,
            kind="NLB",
            load_balancer={"load_balancer_type": "network", "enable_cross_zone_load_balancing": args.cross_zone},
            # Client IP preservation off is AWS's default for ip targets over TCP; said out loud because
            # it decides the packets' source at the pod: the NLB's own address, i.e. its security group.
            target_group={"protocol": "TCP", "preserve_client_ip": "false"},
            # The NLB passes TCP through: its idle timeout is the listener's. At it the NLB drops the
            # flow silently: no FIN or RST to either side; the next packet of that connection is
            # answered with a RST (ELB docs, "Update the TCP idle timeout"; research/aws.md §5).
            # Above 350 s the target ENI's conntrack timeout matters too.
            listener={"protocol": "TCP", "tcp_idle_timeout_seconds": args.tcp_idle_timeout_seconds},
        )


def _security_group(
    name: str, args: LoadBalancerArgs, kind: str, child: pulumi.ResourceOptions
) -> aws.ec2.SecurityGroup:
    """The load balancer's group: listener port in from `ingress_cidrs`, target port out to the VPC."""
    group = aws.ec2.SecurityGroup(
        f"{name}-sg",
        vpc_id=args.vpc_id,
        description=f"{kind} {name}: TCP {args.listener_port} from clients, TCP {args.target_port} to targets",
        tags={**args.tags, "Name": f"{name}-sg"},
        opts=child,
    )

    def tcp_rule(
        rule: Callable[..., pulumi.CustomResource], rule_name: str, *, port: int, cidr: str, description: str
    ) -> None:
        """One TCP port to or from `cidr`: `rule` is SecurityGroupIngressRule or SecurityGroupEgressRule."""
        rule(
            rule_name,
            security_group_id=group.id,
            ip_protocol="tcp",
            from_port=port,
            to_port=port,
            cidr_ipv4=cidr,
            description=description,
            tags=dict(args.tags),
            opts=child,
        )

    for cidr in args.ingress_cidrs or [args.vpc_cidr]:
        tcp_rule(
            aws.vpc.SecurityGroupIngressRule,
            f"{name}-sg-in-{args.listener_port}-{cidr.replace('/', '-')}",
            port=args.listener_port,
            cidr=cidr,
            description=f"clients to the {kind} listener",
        )
    tcp_rule(
        aws.vpc.SecurityGroupEgressRule,
        f"{name}-sg-out-{args.target_port}",
        port=args.target_port,
        cidr=args.vpc_cidr,
        description=f"{kind} to its targets (pod IPs) and their health checks",
    )
    return group


def _target_group_health_check(hc: HealthCheck) -> aws.lb.TargetGroupHealthCheckArgs:
    """HTTP GET on the traffic port. HealthCheck's fields are AWS's names with their unit added
    (`interval_seconds` is `interval`), so they pass through by name."""
    fields = {key.removesuffix("_seconds"): value for key, value in dataclasses.asdict(hc).items()}
    return aws.lb.TargetGroupHealthCheckArgs(enabled=True, protocol="HTTP", port="traffic-port", **fields)


def _common_problems(name: str, args: ApplicationLoadBalancerArgs | NetworkLoadBalancerArgs) -> list[tuple[str, str]]:
    """What is wrong with the arguments both kinds share, their health check included."""
    problems: list[tuple[str, str]] = []
    longest = max(len(f"{name}-lb"), len(f"{name}-tg")) + AUTONAME_SUFFIX
    if longest > AWS_NAME_LIMIT:
        problems.append(
            ("name", f"{name!r} is too long: AWS names load balancers and target groups in at most 32 characters")
        )
    for label, cidr in [("vpc_cidr", args.vpc_cidr), *(("ingress_cidrs", c) for c in args.ingress_cidrs)]:
        try:
            ipaddress.IPv4Network(cidr)
        except ValueError:
            problems.append((label, f"{cidr!r} is not an IPv4 CIDR"))
    for label, port in (("listener_port", args.listener_port), ("target_port", args.target_port)):
        if problem := limits.PORT.problem(port):
            problems.append((label, problem))
    if problem := limits.DEREGISTRATION_DELAY.problem(args.deregistration_delay_seconds):
        problems.append(("deregistration_delay_seconds", problem))
    return problems + _health_check_problems(args.health_check)


def _health_check_problems(hc: HealthCheck) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    if not _HEALTH_PATH.match(hc.path) or len(hc.path) > 1024:
        problems.append(("health_check.path", f"{hc.path!r} must start with / and hold printable characters"))
    if problem := limits.HEALTH_CHECK_INTERVAL.problem(hc.interval_seconds):
        problems.append(("health_check.interval_seconds", problem))
    if hc.timeout_seconds not in limits.HEALTH_CHECK_TIMEOUT or hc.timeout_seconds >= hc.interval_seconds:
        problems.append(
            (
                "health_check.timeout_seconds",
                f"{hc.timeout_seconds} must be {limits.HEALTH_CHECK_TIMEOUT} and below the interval",
            )
        )
    for label, value in (("healthy_threshold", hc.healthy_threshold), ("unhealthy_threshold", hc.unhealthy_threshold)):
        if problem := limits.THRESHOLD_COUNT.problem(value):
            problems.append((f"health_check.{label}", problem))
    return problems


def target_group_binding_spec(
    *,
    target_group_arn: pulumi.Input[str],
    service_name: str,
    service_port: int | str,
    target_type: Literal["ip", "instance"] = "ip",
    from_security_group_id: pulumi.Input[str] | None = None,
    target_port: int | str | None = None,
) -> dict[str, Any]:
    """The `spec` of a TargetGroupBinding (field names as in the controller's CRD).

    With `from_security_group_id`, the controller adds an ingress rule on the pods' security
    group from that group to `target_port` (TCP): the load balancer's way in.
    """
    spec: dict[str, Any] = {
        "targetGroupARN": target_group_arn,
        "targetType": target_type,
        "serviceRef": {"name": service_name, "port": service_port},
    }
    if from_security_group_id is not None:
        rule: dict[str, Any] = {"from": [{"securityGroup": {"groupID": from_security_group_id}}]}
        rule["ports"] = [{"protocol": "TCP", **({"port": target_port} if target_port is not None else {})}]
        spec["networking"] = {"ingress": [rule]}
    return spec


@dataclass(frozen=True, kw_only=True)
class TargetGroupBindingArgs:
    """Bind a target group to a Service's pods through the AWS Load Balancer Controller."""

    provider: kubernetes.Provider
    controller: pulumi.Resource
    """The controller's Helm release (`LoadBalancerController.release`): the binding is created after
    it and deleted before it, while the controller can still deregister targets and remove its rules."""
    namespace: str
    service_name: str
    service_port: int | str
    """The Service's port (number or name); with target type ip the pods' port behind it is registered."""
    target_group_arn: pulumi.Input[str]
    target_type: Literal["ip", "instance"] = "ip"
    from_security_group_id: pulumi.Input[str] | None = None
    """The load balancer's security group, admitted to the pods on `target_port`."""
    target_port: int | str | None = None
    wait_for: Sequence[pulumi.Resource] = ()
    """Also wait for these (e.g. the Service)."""


class TargetGroupBinding(pulumi.ComponentResource):
    """An `elbv2.k8s.aws/v1beta1` TargetGroupBinding, after the controller that reconciles it."""

    binding: kubernetes.apiextensions.CustomResource

    def __init__(self, name: str, args: TargetGroupBindingArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("testbed:aws:TargetGroupBinding", name, None, opts)
        problems: list[tuple[str, str]] = []
        if args.controller is None:
            problems.append(("controller", "the LB controller's Helm release is required: nothing reconciles it else"))
        if args.target_type not in ("ip", "instance"):
            problems.append(("target_type", f"{args.target_type!r} is not one of 'ip', 'instance'"))
        if not args.namespace or not args.service_name:
            problems.append(("service_name", "namespace and service_name must name the Service to bind"))
        if args.from_security_group_id is not None and args.target_port is None:
            problems.append(("target_port", "needed with from_security_group_id: the port to open on the pods"))
        raise_if_any("TargetGroupBinding", problems)

        self.binding = kubernetes.apiextensions.CustomResource(
            f"{name}-tgb",
            api_version=TGB_API_VERSION,
            kind=TGB_KIND,
            metadata=kubernetes.meta.v1.ObjectMetaArgs(
                name=args.service_name,
                namespace=args.namespace,
                labels={"app.kubernetes.io/managed-by": "pulumi"},
            ),
            spec=target_group_binding_spec(
                target_group_arn=args.target_group_arn,
                service_name=args.service_name,
                service_port=args.service_port,
                target_type=args.target_type,
                from_security_group_id=args.from_security_group_id,
                target_port=args.target_port,
            ),
            opts=pulumi.ResourceOptions(
                parent=self, provider=args.provider, depends_on=[args.controller, *args.wait_for]
            ),
        )
        self.register_outputs({"name": args.service_name, "namespace": args.namespace})
