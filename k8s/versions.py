"""Every image and chart the Kubernetes workloads pin, in one place, with where it comes from."""

# Seeds 001, 002 and 003's echo server, `k8s.gcr.io/echoserver:1.5`. k8s.gcr.io was frozen in 2023
# and redirects to registry.k8s.io, which serves the same image.
ECHOSERVER_IMAGE = "registry.k8s.io/echoserver:1.5"

# Seed 001/003's game-2048 (the AWS LB controller walkthrough); the image is published as latest only.
GAME_2048_IMAGE = "public.ecr.aws/l6m2t8p7/docker-2048:latest"

# The Docker official Python image, mirrored by ECR Public (no Docker Hub pull limits from a NAT's
# address). Every program of k8s/apps/ runs on it from a ConfigMap: the keep-alive server and
# client, the graceful server, the TCP echo server. k8s/apps/keepalive/requirements.txt carries
# wheel hashes for this Python (3.13).
PYTHON_IMAGE = "public.ecr.aws/docker/library/python:3.13.9-slim-bookworm"

# ingress-nginx, the controller behind seed 002's NLB: chart 4.14.5 = controller v1.14.5, which
# fixes the 2026 CVEs that 4.14.1 (v1.14.1, the seed's) carries; the project retired in March 2026.
INGRESS_NGINX_CHART = "ingress-nginx"
INGRESS_NGINX_CHART_REPO = "https://kubernetes.github.io/ingress-nginx"
INGRESS_NGINX_CHART_VERSION = "4.14.5"

# kube-ops-view, as seed 001 installed it: `helm repo add geek-cookbook
# https://geek-cookbook.github.io/charts/` and `helm install ... --version 1.2.2`. The chart is
# k8s-at-home's (common library 4.5.2) and pins the app image hjacobs/kube-ops-view:20.4.0.
KUBE_OPS_VIEW_CHART = "kube-ops-view"
KUBE_OPS_VIEW_CHART_REPO = "https://geek-cookbook.github.io/charts/"
KUBE_OPS_VIEW_CHART_VERSION = "1.2.2"

# Seed 001's netshoot Deployment used `nicolaka/netshoot` (latest); pinned here. It also carries the
# tcpdump (and the tar `kubectl cp` needs) of the keep-alive beds' optional capture sidecars.
NETSHOOT_IMAGE = "nicolaka/netshoot:v0.15"

# Seed 001's nginx Deployment used `nginx:alpine`; pinned to a release of that line.
NGINX_IMAGE = "nginx:1.28.0-alpine"
