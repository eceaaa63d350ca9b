"""Azure limits the test beds check, each written once, with its source.

AKS node pool sizes, Azure Load Balancer settings, resource tags, the public cloud's location
names and the keys the azure-native provider reads from its `azure-native:` config namespace.
"""

from __future__ import annotations

from . import Range

POOL_NODE_COUNT = Range(0, 1000)
"""Nodes per AKS node pool (learn.microsoft.com/azure/aks/quotas-skus-regions, 'Maximum nodes per node pool')."""
SYSTEM_POOL_NODE_COUNT = Range(2, 1000)
"""A System pool: 'at least one system node pool with at least two nodes'
(learn.microsoft.com/azure/aks/use-system-pools)."""
TCP_IDLE_TIMEOUT_MINUTES = Range(4, 100, " minutes")
"""azure-load-balancer-tcp-idle-timeout (cloud-provider-azure PR #4361 raised the maximum from 30;
learn.microsoft.com/azure/load-balancer/load-balancer-tcp-idle-timeout)."""

TAGS_PER_RESOURCE = 50
"""Tags per Azure resource (learn.microsoft.com/azure/azure-resource-manager/management/tag-resources#limitations)."""
TAG_NAME_LENGTH = Range(1, 512, " characters")
"""Tag name: 1-512 characters (128 for storage accounts; tag-resources#limitations)."""
TAG_VALUE_LENGTH = Range(0, 256, " characters")
TAG_NAME_FORBIDDEN = "<>%&\\?/"
"""Characters a tag name may not hold (tag-resources#limitations)."""

LOCATIONS: frozenset[str] = frozenset(
    {
        "australiacentral", "australiacentral2", "australiaeast", "australiasoutheast", "austriaeast",
        "belgiumcentral", "brazilsouth", "brazilsoutheast", "canadacentral", "canadaeast", "centralindia",
        "centralus", "chilecentral", "denmarkeast", "eastasia", "eastus", "eastus2", "francecentral",
        "francesouth", "germanynorth", "germanywestcentral", "indonesiacentral", "israelcentral", "italynorth",
        "japaneast", "japanwest", "jioindiacentral", "jioindiawest", "koreacentral", "koreasouth",
        "malaysiawest", "mexicocentral", "newzealandnorth", "northcentralus", "northeurope", "norwayeast",
        "norwaywest", "polandcentral", "qatarcentral", "southafricanorth", "southafricawest", "southcentralus",
        "southeastasia", "southindia", "spaincentral", "swedencentral", "swedensouth", "switzerlandnorth",
        "switzerlandwest", "uaecentral", "uaenorth", "uksouth", "ukwest", "westcentralus", "westeurope",
        "westindia", "westus", "westus2", "westus3",
        # sovereign clouds
        "usgovarizona", "usgovtexas", "usgovvirginia", "usdodcentral", "usdodeast",
        "chinaeast", "chinaeast2", "chinaeast3", "chinanorth", "chinanorth2", "chinanorth3",
    }
)  # fmt: skip
"""Azure location names (`az account list-locations --query "[].name"`;
learn.microsoft.com/azure/reliability/regions-list). A region new since then: add it here."""

PROVIDER_NAMESPACE = "azure-native"
PROVIDER_CONFIG_KEYS: frozenset[str] = frozenset(
    {
        "auxiliaryTenantIds", "clientCertificatePassword", "clientCertificatePath", "clientId", "clientSecret",
        "disableInstanceDiscovery", "disablePulumiPartnerId", "environment", "location", "metadataHost",
        "msiEndpoint", "oidcRequestToken", "oidcRequestUrl", "oidcToken", "oidcTokenFilePath", "partnerId",
        "subscriptionId", "tenantId", "useDefaultAzureCredential", "useMsi", "useOidc",
    }
)  # fmt: skip
"""The azure-native provider's config keys (pulumi_azure_native/config/vars.py; a test compares)."""
