"""Every version and well-known id the Azure components pin, in one place, with where it comes from."""

from ..versions_calendar import load_calendar

# AKS Kubernetes release calendar: community support for 12 months after AKS GA, then LTS (supportPlan
# AKSLongTermSupport, Premium tier only) to 24 months. The doc gives months; an end month means its
# last day (as the doc says), and a GA month is read as its last day too (released by then at the latest).
# The dates, with their source, are in ../support_calendars.json.
AKS_SUPPORT_CALENDAR = load_calendar("aks")

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
