"""A pinned price table per region: on-demand list prices in USD, each with its page and how it was checked.

Pinned 2026-11-27. This machine has no web access, so no figure below was read from the live
page that day: `checked` says what was seen instead (a stored copy of an AWS page, a bill, or
nothing but the list price as published before). Figures marked `approximate` are the ones to
verify first (Azure Korea Central VM and disk prices). Traffic-dependent charges are never
priced (see EXCLUDED).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

PRICED_AT = date(2026, 11, 27)
HOURS_PER_MONTH = 730
"""AWS and Azure bill per-month storage and IPs over 730 hours."""


@dataclass(frozen=True)
class Price:
    """One unit price and where it comes from."""

    usd: float
    unit: str
    source: str
    checked: str


EKS_PAGE = "https://aws.amazon.com/eks/pricing/"
EKS_SEEN = (
    "stored copy of https://aws.amazon.com/blogs/containers/amazon-eks-extended-support-for-kubernetes-versions-pricing/"
    " ($0.10 standard, $0.60 extended per cluster-hour, from April 2024)"
)
EC2_PAGE = "https://aws.amazon.com/ec2/pricing/on-demand/"
EBS_PAGE = "https://aws.amazon.com/ebs/pricing/"
VPC_PAGE = "https://aws.amazon.com/vpc/pricing/"
ELB_PAGE = "https://aws.amazon.com/elasticloadbalancing/pricing/"
IPV4_SEEN = "https://aws.amazon.com/blogs/aws/new-aws-public-ipv4-address-charge-public-ip-insights/ ($0.005/h)"
LIST = "list price as published; not re-read live from this offline machine"
NAT_US_SEEN = "AWS Price List API (SKU M2YSHUBETB3JX4M4, effective 2025-10-01) quoted in a stored note: $0.045/h"

AKS_PAGE = "https://azure.microsoft.com/pricing/details/kubernetes-service/"
AZURE_VM_PAGE = "https://azure.microsoft.com/pricing/details/virtual-machines/linux/"
AZURE_DISK_PAGE = "https://azure.microsoft.com/pricing/details/managed-disks/"
AZURE_IP_PAGE = "https://azure.microsoft.com/pricing/details/ip-addresses/"
AZURE_LB_PAGE = "https://azure.microsoft.com/pricing/details/load-balancer/"
APPROXIMATE = "approximate: not read from the page (verify with the Azure Retail Prices API for koreacentral)"


def _ec2(usd: float) -> Price:
    return Price(usd, "instance-hour", EC2_PAGE, LIST)


@dataclass(frozen=True)
class AwsRegion:
    eks_standard: Price
    eks_extended: Price
    ec2: dict[str, Price]
    ebs_gb_month: dict[str, Price]
    nat_gateway: Price
    public_ipv4: Price
    alb: Price
    nlb: Price


@dataclass(frozen=True)
class AzureRegion:
    aks_tier: dict[str, Price]
    vm: dict[str, Price]
    managed_os_disk_month: Price
    """The default 128 GiB Premium SSD (P10) OS disk of a node whose size cannot hold an ephemeral one."""
    public_ip: Price
    load_balancer: Price
    """Standard Load Balancer, first 5 rules."""


_EKS = (
    Price(0.10, "cluster-hour", EKS_PAGE, EKS_SEEN),
    Price(0.60, "cluster-hour", EKS_PAGE, EKS_SEEN),
)
_IPV4 = Price(0.005, "address-hour", VPC_PAGE, IPV4_SEEN)

AWS: dict[str, AwsRegion] = {
    "us-east-1": AwsRegion(
        *_EKS,
        ec2={
            "t3.micro": _ec2(0.0104),
            "t3.small": _ec2(0.0208),
            "t3.medium": _ec2(0.0416),
            "t3.large": _ec2(0.0832),
            "t3.xlarge": _ec2(0.1664),
            "m5.large": _ec2(0.096),
            "m6i.large": _ec2(0.096),
            "c5.large": _ec2(0.085),
        },
        ebs_gb_month={"gp3": Price(0.08, "GB-month", EBS_PAGE, LIST), "gp2": Price(0.10, "GB-month", EBS_PAGE, LIST)},
        nat_gateway=Price(0.045, "gateway-hour", VPC_PAGE, NAT_US_SEEN),
        public_ipv4=_IPV4,
        alb=Price(0.0225, "ALB-hour", ELB_PAGE, LIST),
        nlb=Price(0.0225, "NLB-hour", ELB_PAGE, LIST),
    ),
    "ap-northeast-2": AwsRegion(
        *_EKS,
        ec2={
            "t3.micro": _ec2(0.013),
            "t3.small": _ec2(0.026),
            "t3.medium": _ec2(0.052),
            "t3.large": _ec2(0.104),
            "t3.xlarge": _ec2(0.208),
            "m5.large": _ec2(0.118),
            "m6i.large": _ec2(0.118),
            "c5.large": _ec2(0.096),
        },
        ebs_gb_month={
            "gp3": Price(0.0912, "GB-month", EBS_PAGE, LIST),
            "gp2": Price(0.114, "GB-month", EBS_PAGE, LIST),
        },
        nat_gateway=Price(0.059, "gateway-hour", VPC_PAGE, LIST),
        public_ipv4=_IPV4,
        alb=Price(0.0225, "ALB-hour", ELB_PAGE, LIST),
        nlb=Price(0.0225, "NLB-hour", ELB_PAGE, LIST),
    ),
}

AZURE: dict[str, AzureRegion] = {
    "koreacentral": AzureRegion(
        aks_tier={
            "Free": Price(0.0, "cluster-hour", AKS_PAGE, LIST),
            "Standard": Price(0.10, "cluster-hour", AKS_PAGE, LIST),
            "Premium": Price(0.60, "cluster-hour", AKS_PAGE, f"{LIST} (Premium includes LTS)"),
        },
        vm={
            "Standard_D2s_v5": Price(0.112, "VM-hour", AZURE_VM_PAGE, APPROXIMATE),
            "Standard_D4s_v5": Price(0.224, "VM-hour", AZURE_VM_PAGE, APPROXIMATE),
            "Standard_B2s": Price(0.0496, "VM-hour", AZURE_VM_PAGE, APPROXIMATE),
        },
        managed_os_disk_month=Price(21.68, "P10 disk-month", AZURE_DISK_PAGE, APPROXIMATE),
        public_ip=Price(0.005, "Standard static IP-hour", AZURE_IP_PAGE, LIST),
        load_balancer=Price(0.025, "Standard LB-hour (first 5 rules)", AZURE_LB_PAGE, LIST),
    ),
}

EXCLUDED = [
    "ALB/NLB capacity units (LCU/NLCU): per traffic, https://aws.amazon.com/elasticloadbalancing/pricing/",
    "NAT gateway data processing (per GB): https://aws.amazon.com/vpc/pricing/",
    "data transfer out to the internet and between AZs (per GB): https://aws.amazon.com/ec2/pricing/on-demand/",
    "EBS snapshots, CloudWatch logs, ECR pulls: not created by the beds",
    "Azure Standard LB data processed and rules beyond 5; Azure bandwidth (per GB)",
    "taxes, Savings Plans, reservations and free-tier credits",
]
