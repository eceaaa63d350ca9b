"""Tree summaries of azure-native resources: the settings a reviewer checks."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from testbed.plan.summaries.common import Summary, pick

AZURE_ROLES = {"4d97b98b-1d4f-4787-a291-c67834d212e7": "Network Contributor"}


def _role_assignment(inputs: dict[str, Any]) -> Iterable[tuple[str, Any]]:
    role = str(inputs.get("roleDefinitionId") or "")
    guid = role.rsplit("/", 1)[-1]
    yield "role", f"{AZURE_ROLES[guid]} ({guid})" if guid in AZURE_ROLES else role
    yield "scope", inputs.get("scope")
    yield "principal", f"{inputs.get('principalType')} {inputs.get('principalId')}"


def _managed_cluster(inputs: dict[str, Any]) -> Iterable[tuple[str, Any]]:
    yield "name", inputs.get("resourceName")
    yield "resourceGroup", inputs.get("resourceGroupName")
    yield "version", inputs.get("kubernetesVersion")
    network = inputs.get("networkProfile") or {}
    yield (
        "network",
        " ".join(
            str(network.get(k))
            for k in ("networkPlugin", "networkPluginMode", "loadBalancerSku", "outboundType")
            if network.get(k)
        ),
    )
    yield "podCidr", network.get("podCidr")
    yield "serviceCidr", network.get("serviceCidr")
    yield "identity", (inputs.get("identity") or {}).get("type")
    yield "enableRBAC", inputs.get("enableRBAC")
    yield "oidcIssuer", (inputs.get("oidcIssuerProfile") or {}).get("enabled")
    for pool in inputs.get("agentPoolProfiles") or []:
        yield f"pool {pool.get('name')}", _pool_line(pool)


def _agent_pool(inputs: dict[str, Any]) -> Iterable[tuple[str, Any]]:
    yield "cluster", inputs.get("resourceName")
    yield f"pool {inputs.get('agentPoolName')}", _pool_line(inputs)


def _pool_line(pool: dict[str, Any]) -> str:
    parts = [str(pool.get("mode")), f"{pool.get('count')} x {pool.get('vmSize')}"]
    if pool.get("availabilityZones"):
        parts.append(f"zones {','.join(pool['availabilityZones'])}")
    if pool.get("nodeLabels"):
        parts.append("labels " + ",".join(f"{k}={v}" for k, v in sorted(pool["nodeLabels"].items())))
    if pool.get("nodeTaints"):
        parts.append("taints " + ",".join(pool["nodeTaints"]))
    return ", ".join(parts)


SUMMARIES: dict[str, Summary] = {
    "azure-native:resources:ResourceGroup": pick("name=resourceGroupName", "location"),
    "azure-native:network:VirtualNetwork": pick(
        "name=virtualNetworkName", "resourceGroup=resourceGroupName", "addressSpace=addressSpace.addressPrefixes"
    ),
    "azure-native:network:Subnet": pick("name=subnetName", "addressPrefix"),
    "azure-native:network:PublicIPAddress": pick(
        "name=publicIpAddressName",
        "resourceGroup=resourceGroupName",
        "sku=sku.name",
        "allocation=publicIPAllocationMethod",
        "version=publicIPAddressVersion",
        "zones",
        "tags",
    ),
    "azure-native:managedidentity:UserAssignedIdentity": pick("name=resourceName", "resourceGroup=resourceGroupName"),
    "azure-native:authorization:RoleAssignment": _role_assignment,
    "azure-native:containerservice:ManagedCluster": _managed_cluster,
    "azure-native:containerservice:AgentPool": _agent_pool,
}
