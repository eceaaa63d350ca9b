"""Bastion: a small instance in a public subnet for reaching the inside of the VPC.

Seed 001's CloudFormation bed had one (`myeks-bastion-EC2`, SSH from anywhere). Here it is
optional and locked down. Creates, under one component:
- a security group: all egress; SSH (22/tcp) from one configured CIDR only, and only with
  `access="ssh"` (never 0.0.0.0/0); nothing at all with `access="ssm"`;
- an IAM role with AmazonSSMManagedInstanceCore and its instance profile, so Session Manager
  works in either mode (`aws ssm start-session --target <instance id>`);
- the instance: Amazon Linux 2023 (the architecture's SSM public parameter), a public IPv4
  address, IMDSv2 required with hop limit 1, encrypted gp3 root volume;
- for each security group in `reach_security_group_ids`, an ingress rule letting the bastion in
  on every port (e.g. the EKS cluster security group: then nodes and pod IPs answer it).
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

import pulumi
import pulumi_aws as aws

from ..component import Component
from ..errors import raise_if_any
from ..limits.ec2 import instance_type_problem, is_graviton
from .irsa import ec2_trust_policy

BastionAccess = Literal["ssm", "ssh"]
ACCESS_MODES: tuple[str, ...] = ("ssm", "ssh")
SSH_PORT = 22
IMDS_HOP_LIMIT = 1
ROOT_VOLUME_GIB = 10
SSM_POLICY = "AmazonSSMManagedInstanceCore"
_AMI_PARAMETER = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-{arch}"


@dataclass(frozen=True, kw_only=True)
class BastionArgs:
    """Where the bastion stands and who may reach it."""

    vpc_id: pulumi.Input[str]
    subnet_id: pulumi.Input[str]
    """A public subnet (route to an internet gateway): the bastion gets a public IPv4 address there."""
    access: BastionAccess = "ssm"
    """`ssm`: Session Manager only, no inbound port. `ssh`: also SSH from `ssh_cidr` with `key_name`."""
    ssh_cidr: str | None = None
    """The one IPv4 CIDR allowed to port 22 (access `ssh` only), e.g. your address as a /32."""
    key_name: str | None = None
    """Name of an existing EC2 key pair (access `ssh` only)."""
    instance_type: str = "t3.micro"
    reach_security_group_ids: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    """Name -> security group that admits the bastion on every port (keyed, so adding one renames nothing)."""
    tags: Mapping[str, str] = field(default_factory=dict)


def ssh_cidr_problem(cidr: str) -> str | None:
    """Why `cidr` may not be the source of SSH to the bastion, or None."""
    try:
        network = ipaddress.IPv4Network(cidr)
    except ValueError:
        return f"{cidr!r} is not an IPv4 CIDR like 203.0.113.7/32"
    if network.prefixlen == 0:
        return f"{cidr} opens SSH to the whole internet; allow only your own address, e.g. 203.0.113.7/32"
    return None


def access_problems(access: str, ssh_cidr: str | None, key_name: str | None) -> list[tuple[str, str]]:
    """Every problem with how the bastion is reached, as (field, reason)."""
    problems: list[tuple[str, str]] = []
    if access not in ACCESS_MODES:
        problems.append(("access", f"{access!r} is not one of {', '.join(ACCESS_MODES)}"))
    elif access == "ssh":
        if not ssh_cidr:
            problems.append(
                ("ssh_cidr", "missing; SSH access needs the one CIDR allowed to port 22, e.g. 203.0.113.7/32")
            )
        elif problem := ssh_cidr_problem(ssh_cidr):
            problems.append(("ssh_cidr", problem))
        if not key_name:
            problems.append(("key_name", "missing; SSH access needs the name of an existing EC2 key pair"))
    else:
        if ssh_cidr:
            problems.append(("ssh_cidr", f"{ssh_cidr!r} is only used with SSH access; SSM access opens no port"))
        if key_name:
            problems.append(("key_name", f"{key_name!r} is only used with SSH access; SSM access needs no key pair"))
    return problems


def ami_parameter(instance_type: str) -> str:
    """The SSM public parameter naming the latest AL2023 AMI for `instance_type`'s architecture."""
    return _AMI_PARAMETER.format(arch="arm64" if is_graviton(instance_type) else "x86_64")


class Bastion(Component):
    """An EC2 instance in a public subnet, reachable by Session Manager and optionally by SSH from one CIDR."""

    instance_id: pulumi.Output[str]
    public_ip: pulumi.Output[str]
    private_ip: pulumi.Output[str]
    security_group_id: pulumi.Output[str]
    """The bastion's own security group (a source for rules elsewhere)."""

    def __init__(self, name: str, args: BastionArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("testbed:aws:Bastion", name, None, opts)
        _validate(args)
        security_group = self._security_group(name, args)
        instance = self._instance(name, args, security_group)
        for key, target in args.reach_security_group_ids.items():
            aws.vpc.SecurityGroupIngressRule(
                f"{name}-to-{key}",
                security_group_id=target,
                referenced_security_group_id=security_group.id,
                ip_protocol="-1",
                description=f"everything from the {name} bastion",
                tags=dict(args.tags),
                opts=pulumi.ResourceOptions(parent=self),
            )

        self.publish(
            instance_id=instance.id,
            public_ip=instance.public_ip,
            private_ip=instance.private_ip,
            security_group_id=security_group.id,
        )

    def _security_group(self, name: str, args: BastionArgs) -> aws.ec2.SecurityGroup:
        """No inbound, or SSH from the one CIDR; outbound anywhere."""
        ingress = []
        if args.access == "ssh":
            ingress.append(
                aws.ec2.SecurityGroupIngressArgs(
                    description="SSH from the configured CIDR only",
                    protocol="tcp",
                    from_port=SSH_PORT,
                    to_port=SSH_PORT,
                    cidr_blocks=[args.ssh_cidr],
                )
            )
        return aws.ec2.SecurityGroup(
            f"{name}-sg",
            vpc_id=args.vpc_id,
            description=f"{name} bastion: " + ("SSH from one CIDR" if args.access == "ssh" else "no inbound (SSM)"),
            ingress=ingress,
            egress=[
                aws.ec2.SecurityGroupEgressArgs(
                    description="anywhere (package repositories, SSM endpoints, the VPC)",
                    protocol="-1",
                    from_port=0,
                    to_port=0,
                    cidr_blocks=["0.0.0.0/0"],
                )
            ],
            tags={**args.tags, "Name": f"{name}-bastion"},
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _instance(self, name: str, args: BastionArgs, security_group: aws.ec2.SecurityGroup) -> aws.ec2.Instance:
        """The instance, with a role Session Manager may use (IMDSv2 only, hop limit 1)."""
        child = pulumi.ResourceOptions(parent=self)
        partition = aws.get_partition_output(opts=pulumi.InvokeOutputOptions(parent=self)).partition
        role = aws.iam.Role(
            f"{name}-role",
            assume_role_policy=json.dumps(ec2_trust_policy()),
            tags=dict(args.tags),
            opts=child,
        )
        ssm = aws.iam.RolePolicyAttachment(
            f"{name}-ssm",
            role=role.name,
            policy_arn=pulumi.Output.concat("arn:", partition, ":iam::aws:policy/", SSM_POLICY),
            opts=child,
        )
        profile = aws.iam.InstanceProfile(f"{name}-profile", role=role.name, tags=dict(args.tags), opts=child)

        ami = aws.ssm.get_parameter_output(
            name=ami_parameter(args.instance_type), opts=pulumi.InvokeOutputOptions(parent=self)
        ).value
        return aws.ec2.Instance(
            f"{name}-instance",
            ami=ami,
            instance_type=args.instance_type,
            subnet_id=args.subnet_id,
            vpc_security_group_ids=[security_group.id],
            associate_public_ip_address=True,
            iam_instance_profile=profile.name,
            key_name=args.key_name if args.access == "ssh" else None,
            metadata_options=aws.ec2.InstanceMetadataOptionsArgs(
                http_endpoint="enabled", http_tokens="required", http_put_response_hop_limit=IMDS_HOP_LIMIT
            ),
            root_block_device=aws.ec2.InstanceRootBlockDeviceArgs(
                volume_type="gp3", volume_size=ROOT_VOLUME_GIB, encrypted=True, delete_on_termination=True
            ),
            tags={**args.tags, "Name": f"{name}-bastion"},
            # A new AL2023 release would otherwise replace the bastion on the next `up`.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[ssm], ignore_changes=["ami"]),
        )


def _validate(args: BastionArgs) -> None:
    problems = access_problems(args.access, args.ssh_cidr, args.key_name)
    if problem := instance_type_problem(args.instance_type):
        problems.append(("instance_type", problem))
    for key in args.reach_security_group_ids:
        if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", key):
            problems.append(("reach_security_group_ids", f"key {key!r} must be lowercase letters, digits and '-'"))
    raise_if_any("Bastion", problems)
