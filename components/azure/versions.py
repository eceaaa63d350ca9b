"""Every version and well-known id the Azure components pin, in one place, with where it comes from."""

# Default AKS Kubernetes version (a minor version: AKS picks its latest supported patch).
# AKS supports a GA minor for 12 months (learn.microsoft.com/azure/aks/supported-kubernetes-versions);
# 1.35 went GA on AKS in early 2026 and is supported into 2027. Check what a region offers with
# `az aks get-versions -l <location> -o table` before changing it.
AKS_VERSION = "1.35"

# Built-in role "Network Contributor" (same GUID in every tenant). The AKS cloud provider needs it on
# the resource group of a public IP it did not create (publicIPAddresses/read|write|join/action, and
# a List over the group), and on the resource group of a bring-your-own subnet (subnets/join/action).
# Source: AKS static-ip.md and cloud-provider-azure docs azure-permissions.md.
NETWORK_CONTRIBUTOR_ROLE_ID = "4d97b98b-1d4f-4787-a291-c67834d212e7"
