"""Every version the AWS components pin, in one place, with where it comes from.

Bumping the load balancer controller means bumping the chart, the app and the IAM
policy together: `lb_controller_policy.py` renders the policy published for
LB_CONTROLLER_POLICY_VERSION, and a test compares it with the upstream file.
"""

from ..helm import HelmChart

# Default Kubernetes version of the EKS test beds (seed 000: eksctl `version: "1.33"`).
EKS_VERSION = "1.33"

# AWS Load Balancer Controller. v3.x is current and supports URL rewrite (`transforms.*`,
# LBC >= v2.14.1), which a later scenario needs. From v3 the chart version equals the app
# version. Source: kubernetes-sigs/aws-load-balancer-controller helm/aws-load-balancer-controller.
LB_CONTROLLER = HelmChart(
    name="aws-load-balancer-controller", version="3.5.0", repository="https://aws.github.io/eks-charts"
)
LB_CONTROLLER_CHART, LB_CONTROLLER_CHART_VERSION = LB_CONTROLLER.name, LB_CONTROLLER.version
LB_CONTROLLER_APP_VERSION = "v3.5.0"
# docs/install/iam_policy.json at v3.5.0 has the same statements as at v2.13.3 (the seeds'
# version): no action was added or removed between the two tags.
LB_CONTROLLER_POLICY_VERSION = "v3.5.0"

# metrics-server, installed by Helm so that its placement (role=infra) and replica count are
# declared rather than edited by hand. Source: kubernetes-sigs/metrics-server charts/. Chart 3.13.1 = app v0.8.1.
METRICS_SERVER = HelmChart(
    name="metrics-server", version="3.13.1", repository="https://kubernetes-sigs.github.io/metrics-server/"
)

# Node image family for managed node groups (EKS API `amiType`).
NODE_AMI_TYPE = "AL2023_x86_64_STANDARD"
