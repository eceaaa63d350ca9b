"""Every container image the workloads use, pinned in one place, with where it comes from.

Images come from public registries the nodes reach through the NAT gateway. Tags are pinned to
a release, not `latest`; pin a digest (`image@sha256:...`) through the stack knobs if you need
byte-for-byte reproducibility.
"""

# The Docker official Python image, mirrored by ECR Public (no Docker Hub pull limits from the
# NAT's address). Runs the keep-alive server and client programs, which are mounted from a
# ConfigMap. k8s/apps/keepalive/requirements.txt carries wheel hashes for this Python (3.13).
PYTHON_IMAGE = "public.ecr.aws/docker/library/python:3.13.9-slim-bookworm"

# nicolaka/netshoot: a network troubleshooting image with tcpdump (and tar, which `kubectl cp`
# needs). Used only for the optional packet-capture sidecars.
NETSHOOT_IMAGE = "nicolaka/netshoot:v0.15"
