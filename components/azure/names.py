"""Azure naming rules the components check before creating anything: plain functions, no Pulumi.

Each returns why a value is not acceptable, or None. The rules are Azure's own
(learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules and the AKS docs),
so a bad name fails here, with its field, instead of minutes into a deployment.
"""

from __future__ import annotations

import difflib
import ipaddress
import re
from collections.abc import Mapping, Sequence

from ..errors import shown
from ..limits import azure as limits
from ..text_rules import Spelling

_LOCATION = re.compile(r"^[a-z][a-z0-9]{2,}$")
_RESOURCE_GROUP = re.compile(r"^[-\w.()]{1,90}$")
ZONES: tuple[str, ...] = ("1", "2", "3")


def location_problem(location: str) -> str | None:
    if not _LOCATION.match(location):
        return f"{location!r} is not an Azure location name like 'koreacentral' (lowercase, no spaces)"
    if location not in limits.LOCATIONS:
        close = difflib.get_close_matches(location, sorted(limits.LOCATIONS), n=3)
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        return f"{location!r}: an Azure location like koreacentral or westeurope{hint}"
    return None


def tag_problems(tags: Mapping[str, str]) -> list[tuple[str, str]]:
    """(tag name, what is wrong) for every tag Azure would refuse (components/limits/azure.py)."""
    problems: list[tuple[str, str]] = []
    if len(tags) > limits.TAGS_PER_RESOURCE - 1:  # the bed adds testbed-stack itself
        problems.append(
            ("", f"{len(tags)} tags: at most {limits.TAGS_PER_RESOURCE - 1} (Azure allows 50 per resource)")
        )
    for name, value in tags.items():
        if len(name) not in range(limits.TAG_NAME_LENGTH.low, limits.TAG_NAME_LENGTH.high + 1):
            problems.append((name, f"name {shown(name)}: {limits.TAG_NAME_LENGTH} long"))
        elif any(c in limits.TAG_NAME_FORBIDDEN for c in name):
            problems.append((name, f"name {shown(name)}: none of {limits.TAG_NAME_FORBIDDEN}"))
        if not isinstance(value, str) or len(value) > limits.TAG_VALUE_LENGTH.high:
            problems.append((name, f"value {shown(value)}: text of at most {limits.TAG_VALUE_LENGTH.high} characters"))
    return problems


def resource_group_name_problem(name: str) -> str | None:
    if not _RESOURCE_GROUP.match(name) or name.endswith("."):
        return (
            f"{name!r} is not a resource group name: 1-90 letters, digits, '_', '-', '.', '(' or ')', not ending in '.'"
        )
    return None


network_name_problem = Spelling(
    re.compile(r"^[A-Za-z0-9]([-\w.]{0,78}\w)?$"),
    " is not an Azure network resource name: 1-80 letters, digits, '_', '.', '-',"
    " starting with a letter or digit and ending with a letter, digit or '_'",
)
"""Public IPs, virtual networks and subnets share this rule."""
cluster_name_problem = Spelling(
    re.compile(r"^[A-Za-z0-9]([-\w]{0,61}[A-Za-z0-9])?$"),
    " is not an AKS cluster name: 1-63 letters, digits, '_' and '-', starting and ending with a letter or digit",
)
identity_name_problem = Spelling(
    re.compile(r"^[A-Za-z0-9][-\w]{2,127}$"),
    " is not a managed identity name: 3-128 letters, digits, '-' and '_', starting with a letter or digit",
)
"""User-assigned identities."""
dns_prefix_problem = Spelling(
    re.compile(r"^[A-Za-z0-9]([-A-Za-z0-9]{0,52}[A-Za-z0-9])?$"),
    " is not an AKS DNS prefix: 1-54 letters, digits and '-', starting and ending with either",
)
pool_name_problem = Spelling(
    re.compile(r"^[a-z][a-z0-9]{0,11}$"),
    " is not an AKS node pool name: 1-12 lowercase letters and digits, starting with a letter",
)
"""Linux node pools (AKS use-system-pools.md)."""
vm_size_problem = Spelling(re.compile(r"^Standard_[A-Za-z0-9_-]+$"), " is not an Azure VM size like 'Standard_D4s_v5'")
kubernetes_version_problem = Spelling(
    re.compile(r"^1\.\d{2}(\.\d+)?$"), ' is not an AKS Kubernetes version like "1.35" or "1.35.3"'
)


def default_dns_prefix(cluster_name: str) -> str:
    """A DNS prefix AKS accepts, from a cluster name (which may hold '_' and be longer)."""
    return cluster_name.replace("_", "-")[:54].strip("-")


def zones_problem(zones: Sequence[str]) -> str | None:
    """Availability zones as Azure names them: a subset of "1", "2", "3" without repeats."""
    if any(zone not in ZONES for zone in zones) or len(set(zones)) != len(zones):
        return f"{list(zones)} must be distinct zones among {list(ZONES)} (or empty: no zone)"
    return None


def cidr_problem(cidr: str, *, min_prefix: int = 8, max_prefix: int = 29) -> str | None:
    """Why `cidr` is not a private IPv4 network of prefix length min_prefix..max_prefix."""
    try:
        network = ipaddress.IPv4Network(cidr)
    except ValueError:
        return f"{cidr!r} is not an IPv4 network like 10.224.0.0/16 (host bits must be zero)"
    if not network.is_private:
        return f"{cidr!r} is not a private range (RFC 1918 and similar)"
    if not min_prefix <= network.prefixlen <= max_prefix:
        return f"{cidr!r}: prefix /{network.prefixlen} is outside /{min_prefix}../{max_prefix}"
    return None


def overlap_problem(named: dict[str, str]) -> str | None:
    """Why some of the named CIDRs overlap, or None (entries that do not parse are skipped)."""
    networks = {}
    for label, cidr in named.items():
        try:
            networks[label] = ipaddress.IPv4Network(cidr)
        except ValueError:
            continue
    labels = list(networks)
    for i, a in enumerate(labels):
        for b in labels[i + 1 :]:
            if networks[a].overlaps(networks[b]):
                return f"{a} {networks[a]} overlaps {b} {networks[b]}"
    return None
