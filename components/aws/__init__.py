"""AWS components: build your own EKS load-balancer test bed from these.

from components.aws import Network, NetworkArgs, Cluster, ClusterArgs, ...
"""

from .cluster import Cluster, ClusterArgs
from .lb_controller import LoadBalancerController, LoadBalancerControllerArgs
from .load_balancers import (
    ApplicationLoadBalancer,
    ApplicationLoadBalancerArgs,
    HealthCheck,
    NetworkLoadBalancer,
    NetworkLoadBalancerArgs,
    TargetGroupBinding,
    TargetGroupBindingArgs,
)
from .network import Network, NetworkArgs
from .node_groups import NodeGroupSpec, Taint

__all__ = [
    "ApplicationLoadBalancer",
    "ApplicationLoadBalancerArgs",
    "Cluster",
    "ClusterArgs",
    "HealthCheck",
    "LoadBalancerController",
    "LoadBalancerControllerArgs",
    "Network",
    "NetworkArgs",
    "NetworkLoadBalancer",
    "NetworkLoadBalancerArgs",
    "NodeGroupSpec",
    "Taint",
    "TargetGroupBinding",
    "TargetGroupBindingArgs",
]
