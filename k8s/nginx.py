"""NginxDeployment: seed 001's `nginx-deployment`, the pods that fill the nodes' pod slots.

The seed applied it with 2 replicas and then ran `kubectl scale deployment nginx-deployment
--replicas=50`: with 17 max pods per node, the replicas that find no free slot stay Pending.
Requests are tiny on purpose, so that pod slots, not CPU or memory, are what runs out.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_kubernetes as kubernetes

from components.errors import raise_if_any
from k8s.pods import app_labels, empty_dirs, http_container, pod_spec, resources
from k8s.versions import NGINX_IMAGE
from k8s.workload import WorkloadArgs, replicas_problems, workload_deployment

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


class NginxDeployment(pulumi.ComponentResource):
    """The seed's nginx Deployment (app=nginx, nginx:alpine, port 80)."""

    deployment: kubernetes.apps.v1.Deployment

    def __init__(self, name: str, args: NginxDeploymentArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("testbed:k8s:NginxDeployment", name, None, opts)
        _validate(args)
        labels = app_labels(APP)
        mounts, volumes = empty_dirs(NGINX_SCRATCH)
        self.deployment = workload_deployment(
            self,
            name,
            args,
            app=NAME,
            labels=labels,
            # Pulumi would otherwise wait for every replica to be ready, which never happens once
            # the replicas outnumber the free pod slots: the experiment's point (pulumi-kubernetes
            # "pulumi.com/skipAwait").
            annotations={"pulumi.com/skipAwait": "true"},
            pod=pod_spec(
                non_root=False,
                containers=[
                    http_container(
                        name=APP,
                        image=NGINX_IMAGE,
                        port=PORT,
                        security_context=nginx_security(),
                        resources=resources(cpu="10m", memory="16Mi", cpu_limit="100m", memory_limit="64Mi"),
                        volume_mounts=mounts,
                    )
                ],
                volumes=volumes,
            ),
            depends_on=args.wait_for,
        )
        self.register_outputs({"name": NAME})


def _validate(args: NginxDeploymentArgs) -> None:
    raise_if_any("NginxDeployment", replicas_problems(args.replicas, 1000))
