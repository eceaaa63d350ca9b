"""Every version and well-known id the Azure components pin, in one place, with where it comes from."""

from datetime import date

from ..versions_calendar import SupportCalendar, SupportWindow

# AKS Kubernetes release calendar: community support for 12 months after AKS GA, then LTS (supportPlan
# AKSLongTermSupport, Premium tier only) to 24 months. The doc gives months; an end month means its
# last day (as the doc says), and a GA month is read as its last day too (released by then at the latest).
AKS_SUPPORT_CALENDAR = SupportCalendar(
    service="AKS",
    extended_name="LTS (supportPlan AKSLongTermSupport, Premium tier only)",
    windows={
        "1.32": SupportWindow(
            release=date(2025, 4, 30), standard_end=date(2026, 3, 31), extended_end=date(2027, 3, 31)
        ),
        "1.33": SupportWindow(
            release=date(2025, 6, 30), standard_end=date(2026, 7, 31), extended_end=date(2027, 7, 31)
        ),
        "1.34": SupportWindow(
            release=date(2025, 11, 30), standard_end=date(2026, 11, 30), extended_end=date(2027, 11, 30)
        ),
        "1.35": SupportWindow(
            release=date(2026, 3, 31), standard_end=date(2027, 3, 31), extended_end=date(2028, 3, 31)
        ),
        "1.36": SupportWindow(
            release=date(2026, 6, 30), standard_end=date(2027, 6, 30), extended_end=date(2028, 6, 30)
        ),
        # 1.37 is only "planned" (GA Oct 2026) in the source, so it is not here until a source says it is GA.
    },
    source=(
        "MicrosoftDocs/azure-aks-docs articles/aks/supported-kubernetes-versions.md @ f988e7e8 "
        '(ms.date 08/05/2026, "AKS Kubernetes release calendar" and "LTS versions")'
    ),
)

# Default AKS Kubernetes version (a minor version: AKS picks its latest supported patch): 1.36, the
# newest GA version in the calendar, in community support until 2027-06-30 (1.35 until 2027-03-31;
# 1.34 leaves it on 2026-11-30). The bed runs only its own TCP server and netshoot (core/v1 and
# apps/v1 objects), nothing with a Kubernetes upper bound. Check what a region offers with
# `az aks get-versions -l <location> -o table` before changing it.
AKS_VERSION = "1.36"

# Built-in role "Network Contributor" (same GUID in every tenant). The AKS cloud provider needs it on
# the resource group of a public IP it did not create (publicIPAddresses/read|write|join/action, and
# a List over the group), and on the resource group of a bring-your-own subnet (subnets/join/action).
# Source: AKS static-ip.md and cloud-provider-azure docs azure-permissions.md.
NETWORK_CONTRIBUTOR_ROLE_ID = "4d97b98b-1d4f-4787-a291-c67834d212e7"
