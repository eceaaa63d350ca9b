"""Every image and chart the Kubernetes workloads pin, in one place, with where it comes from."""

# kube-ops-view, as seed 001 installed it: `helm repo add geek-cookbook
# https://geek-cookbook.github.io/charts/` and `helm install ... --version 1.2.2`. The chart is
# k8s-at-home's (common library 4.5.2) and pins the app image hjacobs/kube-ops-view:20.4.0.
KUBE_OPS_VIEW_CHART = "kube-ops-view"
KUBE_OPS_VIEW_CHART_REPO = "https://geek-cookbook.github.io/charts/"
KUBE_OPS_VIEW_CHART_VERSION = "1.2.2"

# Seed 001's netshoot Deployment used `nicolaka/netshoot` (latest); pinned here.
NETSHOOT_IMAGE = "nicolaka/netshoot:v0.13"

# Seed 001's nginx Deployment used `nginx:alpine`; pinned to a release of that line.
NGINX_IMAGE = "nginx:1.28.0-alpine"
