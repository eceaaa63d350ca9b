"""Azure components: build your own AKS load-balancer test bed from these.

Installed (`pip install 'lb-testbed-components[azure]'`, docs/components.md):
    from lb_testbed_components.azure import ResourceGroups, Network, ClusterIdentity, StaticPublicIp, AksCluster, ...
In this repository's checkout the same package is `components.azure`.

Load balancer Service annotations: `components.azure.annotations` (pure functions, no Pulumi).
"""

from ..errors import require_sdks

# Before anything imports an SDK: a missing one is named with the pip extra that installs it.
require_sdks(__name__, "azure", ("pulumi_azure_native", "pulumi_kubernetes"))

from .aks import (
    AgentPoolSpec,
    AksCluster,
    AksClusterArgs,
    ClusterIdentity,
    ClusterIdentityArgs,
)
from .network import Network, NetworkArgs
from .public_ip import StaticPublicIp, StaticPublicIpArgs
from .resource_groups import ResourceGroups, ResourceGroupsArgs

__all__ = [
    "AgentPoolSpec",
    "AksCluster",
    "AksClusterArgs",
    "ClusterIdentity",
    "ClusterIdentityArgs",
    "Network",
    "NetworkArgs",
    "ResourceGroups",
    "ResourceGroupsArgs",
    "StaticPublicIp",
    "StaticPublicIpArgs",
]
