"""Secure defaults, asserted on the resource graph: what checkov cannot see.

- nodes of managed node groups sit in private subnets (no route to an internet gateway);
- launch templates and instances require IMDSv2;
- no security group admits 0.0.0.0/0 (or ::/0), except on the listener ports of an
  internet-facing load balancer it is attached to;
- an IRSA trust policy names exactly one service account and the STS audience;
- kubeconfigs, keys and passwords leave the program only as secrets.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from testbed.engine import Resource, Secret
from testbed.gates import Result, Stack, subject

GATE = "secure-defaults"
OPEN = ("0.0.0.0/0", "::/0")
CREDENTIAL_OUTPUT = re.compile(r"kubeconfig|password|secret|token|private.?key|credential", re.I)
SOURCE_SUBNETS = "EKS best practices: worker nodes in private subnets"
SOURCE_IMDS = "EC2 user guide: IMDSv2 required (HttpTokens=required)"
SOURCE_SG = "AWS Security Hub EC2.18/EC2.19: no unrestricted ingress but authorized ports"
SOURCE_IRSA = "EKS user guide, IAM roles for service accounts: scope the trust to one service account"
SOURCE_SECRETS = "Pulumi: credentials must be secret outputs (encrypted in state)"


def public_subnets(stack: Stack) -> set[str]:
    """Ids of subnets whose route table sends 0.0.0.0/0 to an internet gateway, or that map public IPs."""
    gateways = {r.id for r in stack.of_type("aws:ec2/internetGateway:InternetGateway")}
    public_tables = {
        route.inputs.get("routeTableId")
        for route in stack.of_type("aws:ec2/route:Route")
        if route.inputs.get("destinationCidrBlock") == "0.0.0.0/0" and route.inputs.get("gatewayId") in gateways
    }
    public = {
        association.inputs.get("subnetId")
        for association in stack.of_type("aws:ec2/routeTableAssociation:RouteTableAssociation")
        if association.inputs.get("routeTableId") in public_tables
    }
    public |= {s.id for s in stack.of_type("aws:ec2/subnet:Subnet") if s.inputs.get("mapPublicIpOnLaunch") is True}
    return public


def _private_nodes(stack: Stack) -> Iterator[Result]:
    public = public_subnets(stack)
    for group in stack.of_type("aws:eks/nodeGroup:NodeGroup"):
        for subnet in group.inputs.get("subnetIds", []):
            if subnet in public:
                name = stack.by_id[subnet].name if subnet in stack.by_id else subnet
                yield stack.finding(GATE, subject(group), "subnetIds", f"{name} is a public subnet", SOURCE_SUBNETS)


def _imds(stack: Stack) -> Iterator[Result]:
    for resource in stack.of_type("aws:ec2/launchTemplate:LaunchTemplate", "aws:ec2/instance:Instance"):
        tokens = (resource.inputs.get("metadataOptions") or {}).get("httpTokens")
        if tokens != "required":
            yield stack.finding(
                GATE,
                subject(resource),
                "metadataOptions.httpTokens",
                f"{tokens!r}: IMDSv1 stays reachable",
                SOURCE_IMDS,
            )


def _ingress_rules(stack: Stack) -> Iterator[tuple[Resource, str, str, int, int, list[str]]]:
    """(resource, field, security group id, from port, to port, CIDRs) of every ingress rule."""
    for group in stack.of_type("aws:ec2/securityGroup:SecurityGroup"):
        for index, rule in enumerate(group.inputs.get("ingress") or []):
            cidrs = [*(rule.get("cidrBlocks") or []), *(rule.get("ipv6CidrBlocks") or [])]
            yield group, f"ingress[{index}]", group.id, rule.get("fromPort", 0), rule.get("toPort", 0), cidrs
    for rule in stack.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"):
        cidrs = [c for c in (rule.inputs.get("cidrIpv4"), rule.inputs.get("cidrIpv6")) if c]
        yield _standalone_rule(rule, "cidrIpv4", cidrs)
    for rule in stack.of_type("aws:ec2/securityGroupRule:SecurityGroupRule"):
        if rule.inputs.get("type") == "ingress":
            cidrs = [*(rule.inputs.get("cidrBlocks") or []), *(rule.inputs.get("ipv6CidrBlocks") or [])]
            yield _standalone_rule(rule, "cidrBlocks", cidrs)


def _standalone_rule(rule: Resource, field: str, cidrs: list[str]) -> tuple[Resource, str, str, int, int, list[str]]:
    """A rule resource of its own (not inline in its group): its group id and ports are its inputs."""
    inputs = rule.inputs
    return rule, field, inputs.get("securityGroupId", ""), inputs.get("fromPort", 0), inputs.get("toPort", 0), cidrs


def internet_facing_listener_ports(stack: Stack) -> dict[str, set[int]]:
    """Security group id -> listener ports of the internet-facing load balancers it is attached to."""
    ports: dict[str, set[int]] = {}
    for balancer in stack.of_type("aws:lb/loadBalancer:LoadBalancer"):
        if balancer.inputs.get("internal", False):
            continue
        listening = {
            int(listener.inputs.get("port", 0))
            for listener in stack.of_type("aws:lb/listener:Listener")
            if listener.inputs.get("loadBalancerArn") == balancer.id
        }
        for group in balancer.inputs.get("securityGroups") or []:
            ports.setdefault(group, set()).update(listening)
    return ports


def _open_ingress(stack: Stack) -> Iterator[Result]:
    allowed = internet_facing_listener_ports(stack)
    for resource, field, group, low, high, cidrs in _ingress_rules(stack):
        if not set(cidrs) & set(OPEN):
            continue
        ports = set(range(int(low), int(high) + 1)) if int(high) >= int(low) >= 0 else {-1}
        if not ports <= allowed.get(group, set()):
            yield stack.finding(
                GATE,
                subject(resource),
                field,
                f"admits {'/'.join(sorted(set(cidrs) & set(OPEN)))} on ports {low}-{high}, which are not the "
                "listener ports of an internet-facing load balancer it fronts",
                SOURCE_SG,
            )


def _irsa(stack: Stack) -> Iterator[Result]:
    for role in stack.of_type("aws:iam/role:Role"):
        document = role.inputs.get("assumeRolePolicy")
        if isinstance(document, Secret) or not isinstance(document, str):
            continue
        for index, statement in enumerate(json.loads(document).get("Statement", [])):
            actions = statement.get("Action")
            if "sts:AssumeRoleWithWebIdentity" not in (actions if isinstance(actions, list) else [actions]):
                continue
            field = f"assumeRolePolicy.Statement[{index}].Condition"
            conditions = statement.get("Condition") or {}
            if set(conditions) - {"StringEquals"}:
                yield stack.finding(
                    GATE,
                    subject(role),
                    field,
                    f"uses {sorted(set(conditions) - {'StringEquals'})}; "
                    "only exact StringEquals keeps the trust to one service account",
                    SOURCE_IRSA,
                )
            equals = conditions.get("StringEquals") or {}
            subs = [v for k, v in equals.items() if k.endswith(":sub")]
            auds = [v for k, v in equals.items() if k.endswith(":aud")]
            if (
                len(subs) != 1
                or not isinstance(subs[0], str)
                or not re.fullmatch(r"system:serviceaccount:[a-z0-9-]+:[a-z0-9.-]+", subs[0])
            ):
                yield stack.finding(
                    GATE, subject(role), field, f"sub {subs!r} is not exactly one service account", SOURCE_IRSA
                )
            if auds != ["sts.amazonaws.com"]:
                yield stack.finding(GATE, subject(role), field, f"aud {auds!r} is not sts.amazonaws.com", SOURCE_IRSA)


def _walk_plain_strings(value: Any, path: str) -> Iterator[tuple[str, str]]:
    """(path, string) for every string not under a Secret."""
    if isinstance(value, Secret):
        return
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _walk_plain_strings(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk_plain_strings(item, f"{path}[{index}]")
    elif isinstance(value, str):
        yield path, value


def _secrets(stack: Stack) -> Iterator[Result]:
    for name, value in stack.plan.recording.outputs.items():
        if CREDENTIAL_OUTPUT.search(name) and not isinstance(value, Secret):
            yield stack.finding(GATE, "stack outputs", name, "holds credentials but is not a secret", SOURCE_SECRETS)
        for path, text in _walk_plain_strings(value, name):
            if "PRIVATE KEY" in text:
                yield stack.finding(GATE, "stack outputs", path, "a private key in clear", SOURCE_SECRETS)
    for resource in stack.resources:
        for path, text in _walk_plain_strings(resource.inputs, ""):
            if "PRIVATE KEY" in text:
                yield stack.finding(GATE, subject(resource), path, "a private key in clear", SOURCE_SECRETS)
        kubeconfig = resource.inputs.get("kubeconfig") if resource.type == "pulumi:providers:kubernetes" else None
        if kubeconfig is not None and not isinstance(kubeconfig, Secret):
            yield stack.finding(GATE, subject(resource), "kubeconfig", "the kubeconfig is not a secret", SOURCE_SECRETS)


def secure_defaults_gate(stacks: Sequence[Stack]) -> Iterable[Result]:
    for stack in stacks:
        yield from _private_nodes(stack)
        yield from _imds(stack)
        yield from _open_ingress(stack)
        yield from _irsa(stack)
        yield from _secrets(stack)
