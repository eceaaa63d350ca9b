"""pulumi-azure-native: ARM ids, identities, an AKS cluster and its user kubeconfig in Azure's shapes.

Outputs follow the SDK's *output* types, which differ from the inputs in places (a cluster's
`identity.userAssignedIdentities` goes in as a list of ids and comes back as a map of id ->
principal); echoing such an input back would break the SDK's output translation.
"""

from __future__ import annotations

import base64
from typing import Any

import yaml

from testbed.fakes.common import Context, InvokeHandler, ResourceHandler, digest, fake_pem, uuid

SUBSCRIPTION_ID = "00000000-0000-4000-8000-000000000000"
TENANT_ID = "11111111-1111-4111-8111-111111111111"
DEFAULT_LOCATION = "koreacentral"


def location(context: Context, inputs: dict[str, Any]) -> str:
    return inputs.get("location") or context.config.get("azure-native:location", DEFAULT_LOCATION)


def resource_id(resource_group: str, provider: str, *names: str) -> str:
    """/subscriptions/<sub>/resourceGroups/<rg>/providers/<provider>/<type>/<name>[/<type>/<name>]."""
    return f"/subscriptions/{SUBSCRIPTION_ID}/resourceGroups/{resource_group}/providers/{provider}/" + "/".join(names)


def public_ip_address(name: str) -> str:
    """The address of public IP `name` (TEST-NET-3): the same for the IP and for a Service that names it."""
    return f"203.0.113.{int(digest('pip', name, length=4), 16) % 250 + 1}"


def cluster_fqdn(cluster: str, context: Context, inputs: dict[str, Any] | None = None) -> str:
    prefix = (inputs or {}).get("dnsPrefix") or cluster
    return f"{prefix}-{digest('fqdn', cluster, length=8)}.hcp.{location(context, inputs or {})}.azmk8s.io"


def _provisioned(outputs: dict[str, Any]) -> dict[str, Any]:
    return {**outputs, "provisioningState": "Succeeded"}


def _resource_group(context: Context, name: str, inputs: dict, rid: str):
    group = inputs["resourceGroupName"]
    group_id = f"/subscriptions/{SUBSCRIPTION_ID}/resourceGroups/{group}"
    return group_id, {
        **inputs,
        "id": group_id,
        "name": group,
        "location": location(context, inputs),
        "type": "Microsoft.Resources/resourceGroups",
        "properties": {"provisioningState": "Succeeded"},
    }


def _virtual_network(context: Context, name: str, inputs: dict, rid: str):
    vnet = inputs["virtualNetworkName"]
    vnet_id = resource_id(inputs["resourceGroupName"], "Microsoft.Network", "virtualNetworks", vnet)
    return vnet_id, _provisioned(
        {**inputs, "id": vnet_id, "name": vnet, "location": location(context, inputs), "resourceGuid": uuid(vnet_id)}
    )


def _subnet(context: Context, name: str, inputs: dict, rid: str):
    subnet = inputs["subnetName"]
    subnet_id = resource_id(
        inputs["resourceGroupName"],
        "Microsoft.Network",
        "virtualNetworks",
        inputs["virtualNetworkName"],
        "subnets",
        subnet,
    )
    return subnet_id, _provisioned({**inputs, "id": subnet_id, "name": subnet})


def _public_ip(context: Context, name: str, inputs: dict, rid: str):
    pip = inputs["publicIpAddressName"]
    pip_id = resource_id(inputs["resourceGroupName"], "Microsoft.Network", "publicIPAddresses", pip)
    return pip_id, _provisioned(
        {
            **inputs,
            "id": pip_id,
            "name": pip,
            "location": location(context, inputs),
            "ipAddress": public_ip_address(pip),
            "idleTimeoutInMinutes": 4,
            "resourceGuid": uuid(pip_id),
        }
    )


def _user_assigned_identity(context: Context, name: str, inputs: dict, rid: str):
    identity = inputs["resourceName"]
    identity_id = resource_id(
        inputs["resourceGroupName"], "Microsoft.ManagedIdentity", "userAssignedIdentities", identity
    )
    return identity_id, {
        **inputs,
        "id": identity_id,
        "name": identity,
        "location": location(context, inputs),
        "principalId": uuid(f"principal {identity_id}"),
        "clientId": uuid(f"client {identity_id}"),
        "tenantId": TENANT_ID,
    }


def _role_assignment(context: Context, name: str, inputs: dict, rid: str):
    assignment = inputs.get("roleAssignmentName") or uuid(f"role assignment {name}")
    assignment_id = f"{inputs['scope']}/providers/Microsoft.Authorization/roleAssignments/{assignment}"
    return assignment_id, {
        **inputs,
        "id": assignment_id,
        "name": assignment,
        "type": "Microsoft.Authorization/roleAssignments",
    }


def _managed_cluster(context: Context, name: str, inputs: dict, rid: str):
    cluster = inputs["resourceName"]
    group = inputs["resourceGroupName"]
    where = location(context, inputs)
    cluster_id = resource_id(group, "Microsoft.ContainerService", "managedClusters", cluster)
    node_group = inputs.get("nodeResourceGroup") or f"MC_{group}_{cluster}_{where}"
    identity = inputs.get("identity") or {}
    assigned = {
        identity_id: {"principalId": uuid(f"principal {identity_id}"), "clientId": uuid(f"client {identity_id}")}
        for identity_id in identity.get("userAssignedIdentities") or []
    }
    kubelet_id = resource_id(node_group, "Microsoft.ManagedIdentity", "userAssignedIdentities", f"{cluster}-agentpool")
    outputs = {
        **{k: v for k, v in inputs.items() if k not in ("identity", "resourceName", "resourceGroupName")},
        "id": cluster_id,
        "name": cluster,
        "location": where,
        "type": "Microsoft.ContainerService/ManagedClusters",
        "identity": {"type": identity.get("type", "SystemAssigned"), "userAssignedIdentities": assigned}
        if assigned
        else {"type": "SystemAssigned", "principalId": uuid(f"principal {cluster_id}"), "tenantId": TENANT_ID},
        "identityProfile": {
            "kubeletidentity": {
                "resourceId": kubelet_id,
                "clientId": uuid(f"client {kubelet_id}"),
                "objectId": uuid(f"principal {kubelet_id}"),
            }
        },
        "fqdn": cluster_fqdn(cluster, context, inputs),
        "azurePortalFQDN": f"{cluster}-{digest('portal', cluster, length=8)}.portal.hcp.{where}.azmk8s.io",
        "nodeResourceGroup": node_group,
        "currentKubernetesVersion": _patch_version(inputs.get("kubernetesVersion") or "1.35"),
        "maxAgentPools": 100,
        "oidcIssuerProfile": {
            "enabled": True,
            "issuerUrl": f"https://{where}.oic.prod-aks.azure.com/{TENANT_ID}/{uuid(f'oidc {cluster_id}')}/",
        },
        "powerState": {"code": "Running"},
        "provisioningState": "Succeeded",
    }
    return cluster_id, outputs


def _patch_version(version: str) -> str:
    """AKS runs the latest patch of a requested minor ("1.35" -> "1.35.3")."""
    return version if version.count(".") == 2 else f"{version}.3"


def _agent_pool(context: Context, name: str, inputs: dict, rid: str):
    pool_id = resource_id(
        inputs["resourceGroupName"],
        "Microsoft.ContainerService",
        "managedClusters",
        inputs["resourceName"],
        "agentPools",
        inputs["agentPoolName"],
    )
    outputs = {k: v for k, v in inputs.items() if k not in ("resourceName", "resourceGroupName", "agentPoolName")}
    return pool_id, _provisioned(
        {**outputs, "id": pool_id, "name": inputs["agentPoolName"], "powerState": {"code": "Running"}}
    )


def user_kubeconfig(context: Context, resource_group: str, cluster: str) -> str:
    """The kubeconfig AKS returns as user credentials of a cluster without Entra ID integration:
    client-certificate based, so it needs no kubelogin."""
    user = f"clusterUser_{resource_group}_{cluster}"
    document = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [
            {
                "name": cluster,
                "cluster": {
                    "server": f"https://{cluster_fqdn(cluster, context)}:443",
                    "certificate-authority-data": base64.b64encode(fake_pem("CERTIFICATE", cluster).encode()).decode(),
                },
            }
        ],
        "contexts": [{"name": cluster, "context": {"cluster": cluster, "user": user}}],
        "current-context": cluster,
        "preferences": {},
        "users": [
            {
                "name": user,
                "user": {
                    "client-certificate-data": base64.b64encode(fake_pem("CERTIFICATE", user).encode()).decode(),
                    "client-key-data": base64.b64encode(fake_pem("RSA PRIVATE KEY", user).encode()).decode(),
                    "token": digest("token", user, length=64),
                },
            }
        ],
    }
    return yaml.safe_dump(document, sort_keys=False)


def _list_user_credentials(context: Context, args: dict[str, Any]) -> dict[str, Any]:
    kubeconfig = user_kubeconfig(context, args["resourceGroupName"], args["resourceName"])
    return {"kubeconfigs": [{"name": "clusterUser", "value": base64.b64encode(kubeconfig.encode()).decode()}]}


def _client_config(context: Context, args: dict[str, Any]) -> dict[str, Any]:
    return {
        "clientId": uuid("client config"),
        "objectId": uuid("object config"),
        "subscriptionId": SUBSCRIPTION_ID,
        "tenantId": TENANT_ID,
    }


def _get_resource_group(context: Context, args: dict[str, Any]) -> dict[str, Any]:
    """An existing group, as `getResourceGroup` returns it."""
    group = args["resourceGroupName"]
    return {
        "id": f"/subscriptions/{SUBSCRIPTION_ID}/resourceGroups/{group}",
        "name": group,
        "location": location(context, {}),
        "type": "Microsoft.Resources/resourceGroups",
        "properties": {"provisioningState": "Succeeded"},
    }


def _get_public_ip(context: Context, args: dict[str, Any]) -> dict[str, Any]:
    """An existing public IP made the way the seed made it (Standard, Static, zone-redundant)."""
    pip = args["publicIpAddressName"]
    pip_id = resource_id(args["resourceGroupName"], "Microsoft.Network", "publicIPAddresses", pip)
    return _provisioned(
        {
            "id": pip_id,
            "name": pip,
            "location": location(context, {}),
            "sku": {"name": "Standard", "tier": "Regional"},
            "publicIPAllocationMethod": "Static",
            "publicIPAddressVersion": "IPv4",
            "zones": ["1", "2", "3"],
            "ipAddress": public_ip_address(pip),
            "idleTimeoutInMinutes": 4,
            "resourceGuid": uuid(pip_id),
            "type": "Microsoft.Network/publicIPAddresses",
        }
    )


RESOURCES: dict[str, ResourceHandler] = {
    "azure-native:resources:ResourceGroup": _resource_group,
    "azure-native:network:VirtualNetwork": _virtual_network,
    "azure-native:network:Subnet": _subnet,
    "azure-native:network:PublicIPAddress": _public_ip,
    "azure-native:managedidentity:UserAssignedIdentity": _user_assigned_identity,
    "azure-native:authorization:RoleAssignment": _role_assignment,
    "azure-native:containerservice:ManagedCluster": _managed_cluster,
    "azure-native:containerservice:AgentPool": _agent_pool,
}

INVOKES: dict[str, InvokeHandler] = {
    "azure-native:containerservice:listManagedClusterUserCredentials": _list_user_credentials,
    "azure-native:authorization:getClientConfig": _client_config,
    "azure-native:resources:getResourceGroup": _get_resource_group,
    "azure-native:network:getPublicIPAddress": _get_public_ip,
}
