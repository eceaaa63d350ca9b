"""Bastion, used directly: public subnet, IMDSv2, SSH only from one CIDR or no port at all, and every rejection."""

from __future__ import annotations

import pytest

from components.aws.bastion import Bastion, BastionArgs, access_problems, ami_parameter
from testbed.engine import run_program
from tests.graph import json_input, of_type, one
from tests.rejections import rejections

CONFIG = {"aws:region": "eu-west-1"}
INSTANCE = "aws:ec2/instance:Instance"
SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"


def bastion_program(**overrides):
    def program():
        Bastion(
            "b",
            BastionArgs(
                **{
                    "vpc_id": "vpc-1",
                    "subnet_id": "subnet-public-a",
                    "reach_security_group_ids": {"cluster": "sg-cluster"},
                    **overrides,
                }
            ),
        )

    return program


def test_ssm_bastion_opens_no_port_and_requires_imdsv2():
    recording = run_program("t", CONFIG, program=bastion_program())
    group = one(recording, SECURITY_GROUP, "b-sg")
    assert group.inputs["vpcId"] == "vpc-1"
    assert group.inputs.get("ingress", []) == []
    assert [(e["protocol"], e["cidrBlocks"]) for e in group.inputs["egress"]] == [("-1", ["0.0.0.0/0"])]
    instance = one(recording, INSTANCE, "b-instance")
    assert instance.inputs["subnetId"] == "subnet-public-a"
    assert instance.inputs["associatePublicIpAddress"] is True
    assert instance.inputs["metadataOptions"] == {
        "httpEndpoint": "enabled",
        "httpTokens": "required",
        "httpPutResponseHopLimit": 1,
    }
    assert instance.inputs["rootBlockDevice"]["encrypted"] is True
    assert instance.inputs["instanceType"] == "t3.micro"
    assert "keyName" not in instance.inputs
    assert instance.inputs["vpcSecurityGroupIds"] == [group.id]
    assert instance.options["ignoreChanges"] == ["ami"]
    assert instance.inputs["ami"].startswith("ami-")


def test_session_manager_works_in_every_mode():
    recording = run_program("t", CONFIG, program=bastion_program())
    role = one(recording, "aws:iam/role:Role", "b-role")
    assert json_input(role, "assumeRolePolicy")["Statement"][0]["Principal"] == {"Service": "ec2.amazonaws.com"}
    attachment = one(recording, "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "b-ssm")
    assert attachment.inputs["policyArn"] == "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"
    assert attachment.inputs["role"] == role.id
    profile = one(recording, "aws:iam/instanceProfile:InstanceProfile", "b-profile")
    assert profile.inputs["role"] == role.id
    instance = one(recording, INSTANCE, "b-instance")
    assert instance.inputs["iamInstanceProfile"] == profile.id
    assert attachment.urn in instance.explicit_dependencies


def test_ssh_bastion_admits_port_22_from_the_one_cidr():
    recording = run_program(
        "t", CONFIG, program=bastion_program(access="ssh", ssh_cidr="203.0.113.7/32", key_name="kp-test")
    )
    group = one(recording, SECURITY_GROUP, "b-sg")
    [rule] = group.inputs["ingress"]
    assert (rule["protocol"], rule["fromPort"], rule["toPort"], rule["cidrBlocks"]) == (
        "tcp",
        22,
        22,
        ["203.0.113.7/32"],
    )
    assert one(recording, INSTANCE, "b-instance").inputs["keyName"] == "kp-test"


def test_bastion_reaches_the_security_groups_it_is_given():
    recording = run_program("t", CONFIG, program=bastion_program())
    rule = one(recording, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "b-to-cluster")
    assert rule.inputs["securityGroupId"] == "sg-cluster"
    assert rule.inputs["referencedSecurityGroupId"] == one(recording, SECURITY_GROUP, "b-sg").id
    assert rule.inputs["ipProtocol"] == "-1"


def test_ami_follows_the_architecture():
    assert ami_parameter("t3.micro") == "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"
    assert ami_parameter("t4g.micro") == "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64"
    assert ami_parameter("m7gd.large").endswith("-arm64")
    assert ami_parameter("g5.xlarge").endswith("-x86_64")


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        (
            {"access": "ssh", "key_name": "kp"},
            "Bastion: ssh_cidr: missing; SSH access needs the one CIDR allowed to port 22, e.g. 203.0.113.7/32",
        ),
        (
            {"access": "ssh", "ssh_cidr": "0.0.0.0/0", "key_name": "kp"},
            "Bastion: ssh_cidr: 0.0.0.0/0 opens SSH to the whole internet; allow only your own address,"
            " e.g. 203.0.113.7/32",
        ),
        (
            {"access": "ssh", "ssh_cidr": "203.0.113.7/33", "key_name": "kp"},
            "Bastion: ssh_cidr: '203.0.113.7/33' is not an IPv4 CIDR like 203.0.113.7/32",
        ),
        (
            {"access": "ssh", "ssh_cidr": "203.0.113.7/32"},
            "Bastion: key_name: missing; SSH access needs the name of an existing EC2 key pair",
        ),
        (
            {"ssh_cidr": "203.0.113.7/32"},
            "Bastion: ssh_cidr: '203.0.113.7/32' is only used with SSH access; SSM access opens no port",
        ),
        (
            {"key_name": "kp"},
            "Bastion: key_name: 'kp' is only used with SSH access; SSM access needs no key pair",
        ),
        ({"access": "telnet"}, "Bastion: access: 'telnet' is not one of ssm, ssh"),
        (
            {"instance_type": "tiny"},
            "Bastion: instance_type: 'tiny': an EC2 instance type like t3.medium or m6g.large (family.size)",
        ),
        (
            {"reach_security_group_ids": {"The Cluster": "sg-1"}},
            "Bastion: reach_security_group_ids: key 'The Cluster' must be lowercase letters, digits and '-'",
        ),
    ],
)
def test_every_rejection_is_one_line_and_creates_nothing(overrides, expected):
    errors, recording = rejections(CONFIG, bastion_program(**overrides))
    assert [str(err) for err in errors] == [expected]
    assert [r.type for r in recording.resources] == ["testbed:aws:Bastion"], "no child before validation passes"


def test_all_access_problems_at_once():
    assert [f for f, _ in access_problems("ssh", None, None)] == ["ssh_cidr", "key_name"]
    assert access_problems("ssm", None, None) == []
    assert access_problems("ssh", "198.51.100.0/24", "kp") == []


def test_two_bastions_coexist():
    def program():
        bastion_program()()
        Bastion("c", BastionArgs(vpc_id="vpc-1", subnet_id="subnet-b"))

    recording = run_program("t", CONFIG, program=program)
    assert sorted(r.name for r in of_type(recording, INSTANCE)) == ["b-instance", "c-instance"]
