"""Azure components: build your own AKS load-balancer test bed from these.

from components.azure import ResourceGroups, Network, ClusterIdentity, StaticPublicIp, AksCluster, ...

Load balancer Service annotations: `components.azure.annotations` (pure functions, no Pulumi).
"""

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
