"""Every version the AWS components pin, in one place, with where it comes from.

Bumping the load balancer controller means bumping the chart, the app and the IAM
policy together: `lb_controller_policy.py` renders the policy published for
LB_CONTROLLER_POLICY_VERSION, and a test compares it with the upstream file.
"""

from ..helm import HelmChart
from ..versions_calendar import load_calendar

# Amazon EKS release calendar: standard support is 14 months from the EKS release, then 12 months of
# extended support. The dates, with their source, are in ../support_calendars.json.
EKS_SUPPORT_CALENDAR = load_calendar("eks")

# The control plane bills $0.10 per cluster-hour in standard support and $0.60 in extended support
# (aws.amazon.com/blogs/containers/amazon-eks-extended-support-for-kubernetes-versions-pricing).
EKS_EXTENDED_SUPPORT_EXTRA_USD_PER_HOUR = 0.50

# Default Kubernetes version of the EKS test beds: 1.36. On 2026-11-27 it is the newest EKS version,
# in standard support until 2027-08-02 (1.35 only until 2027-03-27; 1.34 leaves it on 2026-12-02 and
# 1.33, the seed's eksctl `version: "1.33"`, bills extended support since 2026-07-29). What runs on it:
# - AWS Load Balancer Controller v3.5.0 (tagged 2026-08-03, after EKS 1.36): "v2.5.0+ requires Kubernetes
#   1.22+", no upper bound (docs/deploy/installation.md @ v3.5.0).
# - CoreDNS and vpc-cni are EKS add-ons without a pinned version: EKS installs the default build for
#   the cluster's version (`aws eks describe-addon-versions --kubernetes-version 1.36`).
# - metrics-server chart 3.13.1 and kube-ops-view 1.2.2 declare no upper bound (Chart.yaml kubeVersion
#   unset / ">=1.16.0-0"); they use only GA APIs (apps/v1, rbac v1, apiregistration v1).
# - ingress-nginx (chart 4.14.x, kubeVersion ">=1.21.0-0") is retired upstream (last release v1.14.5,
#   2026-03-20): its README tests v1.14.5 on 1.30-1.34 only, so every version in standard support for the
#   next 3 months is outside that matrix; it uses networking.k8s.io/v1 and discovery.k8s.io/v1, which
#   1.35 and 1.36 still serve.
EKS_VERSION = "1.36"

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
METRICS_SERVER_CHART, METRICS_SERVER_CHART_VERSION = METRICS_SERVER.name, METRICS_SERVER.version

# Node image family for managed node groups (EKS API `amiType`).
NODE_AMI_TYPE = "AL2023_x86_64_STANDARD"
