"""NginxDeployment: seed 001's `nginx-deployment`, the pods that fill the nodes' pod slots.

The seed applied it with 2 replicas and then ran `kubectl scale deployment nginx-deployment
--replicas=50`: with 17 max pods per node, the replicas that find no free slot stay Pending.
Requests are tiny on purpose, so that pod slots, not CPU or memory, are what runs out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_kubernetes as kubernetes

from components.errors import raise_if_any
from k8s.pods import app_labels, empty_dirs, http_container, resources
from k8s.versions import NGINX_IMAGE
from k8s.workload import Workload, WorkloadArgs, replicas_problems, root_http_pod

NAME = "nginx-deployment"
APP = "nginx"
PORT = 80
NGINX_SCRATCH = {"cache": "/var/cache/nginx", "run": "/run"}
"""Volume name -> path: the directories nginx writes to, emptyDirs under a read-only root file system."""


@dataclass(frozen=True, kw_only=True)
class NginxDeploymentArgs(WorkloadArgs):
    """How many nginx pods (seed: in the default namespace), and what they wait for."""

    replicas: int = 2
    """Seed: 2 in the manifest (then scaled to 50 by hand)."""
    wait_for: tuple[pulumi.Resource, ...] = ()


def nginx_security() -> kubernetes.core.v1.SecurityContextArgs:
    """The stock nginx:alpine image runs its master as root: it binds port 80, creates its cache
    directories and hands them to the `nginx` user, then switches its workers to that user. The
    seed's experiment counts pods, not what runs in them, so the seed's image is kept and only
    the four capabilities it needs are left, with a read-only root file system."""
    return kubernetes.core.v1.SecurityContextArgs(
        allow_privilege_escalation=False,
        read_only_root_filesystem=True,
        capabilities=kubernetes.core.v1.CapabilitiesArgs(
            drop=["ALL"], add=["CHOWN", "NET_BIND_SERVICE", "SETGID", "SETUID"]
        ),
        seccomp_profile=kubernetes.core.v1.SeccompProfileArgs(type="RuntimeDefault"),
    )


def nginx_container(
    image: str, mounts: list[kubernetes.core.v1.VolumeMountArgs], *, cpu_limit: str, **fields: Any
) -> kubernetes.core.v1.ContainerArgs:
    """nginx serving port 80 as `nginx_security` allows, with tiny requests; `mounts` hold at least the
    `NGINX_SCRATCH` directories; `fields` are any other Container fields."""
    return http_container(
        name=APP,
        image=image,
        port=PORT,
        security_context=nginx_security(),
        resources=resources(cpu="10m", memory="16Mi", cpu_limit=cpu_limit, memory_limit="64Mi"),
        volume_mounts=mounts,
        **fields,
    )


class NginxDeployment(Workload):
    """The seed's nginx Deployment (app=nginx, nginx:alpine, port 80)."""

    def __init__(self, name: str, args: NginxDeploymentArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("testbed:k8s:NginxDeployment", name, opts, workload=args)
        _validate(args)
        labels = app_labels(APP)
        mounts, volumes = empty_dirs(NGINX_SCRATCH)
        self.deployment = self._deployment(
            name=NAME,
            labels=labels,
            # Pulumi would otherwise wait for every replica to be ready, which never happens once
            # the replicas outnumber the free pod slots: the experiment's point (pulumi-kubernetes
            # "pulumi.com/skipAwait").
            annotations={"pulumi.com/skipAwait": "true"},
            pod=root_http_pod(None, nginx_container(NGINX_IMAGE, mounts, cpu_limit="100m"), volumes=volumes),
            depends_on=args.wait_for,
        )
        self.register_outputs({"name": NAME})


def _validate(args: NginxDeploymentArgs) -> None:
    raise_if_any("NginxDeployment", replicas_problems(args.replicas, 1000))
