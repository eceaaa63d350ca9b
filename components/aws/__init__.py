"""AWS components: build your own EKS load-balancer test bed from these.

from components.aws import Network, NetworkArgs, Cluster, ClusterArgs, ...
"""

from components.aws.cluster import Cluster, ClusterArgs
from components.aws.lb_controller import LoadBalancerController, LoadBalancerControllerArgs
from components.aws.network import Network, NetworkArgs
from components.aws.node_groups import SEED_NODE_GROUPS, NodeGroupSpec, Taint

__all__ = [
    "SEED_NODE_GROUPS",
    "Cluster",
    "ClusterArgs",
    "LoadBalancerController",
    "LoadBalancerControllerArgs",
    "Network",
    "NetworkArgs",
    "NodeGroupSpec",
    "Taint",
]
