"""AWS components: build your own EKS load-balancer test bed from these.

Installed (`pip install 'lb-testbed-components[aws]'`, docs/components.md):
    from lb_testbed_components.aws import Network, NetworkArgs, Cluster, ClusterArgs, ...
In this repository's checkout the same package is `components.aws`.
"""

from ..errors import require_sdks

# Before anything imports an SDK: a missing one is named with the pip extra that installs it.
require_sdks(__name__, "aws", ("pulumi_aws", "pulumi_eks", "pulumi_kubernetes", "pulumi_tls"))

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
from .node_groups import NodeGroupSpec, Taint, tolerations_for

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
    "tolerations_for",
]
