"""NginxPage: an nginx Deployment whose index page names its version and its pod, and its Service.

Seed 003's canary pair: `ng` ("Im Primary service and being served from $HOSTNAME") and
`ng-canary` ("Im Canary service and being served from $HOSTNAME"), each a Deployment with label
app=<name>, port 80, and a ClusterIP Service of the same name. The seed's container writes the
page into the image's html directory and starts nginx; here the directory is an emptyDir, so
the root file system stays read-only (nginx's cache and pid directories are emptyDirs too, as in
k8s/nginx.py), which changes nothing a client sees.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pulumi
import pulumi_kubernetes as kubernetes

from components.errors import raise_if_any
from components.placement import Placement
from k8s.nginx import NGINX_SCRATCH, nginx_container
from k8s.pods import app_labels, empty_dirs
from k8s.versions import NGINX_IMAGE
from k8s.workload import Workload, WorkloadArgs, replicas_problems, root_http_pod

PORT = 80
HTML = "/usr/share/nginx/html"


@dataclass(frozen=True, kw_only=True)
class NginxPageArgs(WorkloadArgs):
    """Which page, how many pods, where."""

    name: str
    """Deployment, Service, container and `app` label (seed: ng, ng-canary)."""
    message: str
    """The page's text before `$HOSTNAME` (seed: "Im Primary service and being served from")."""
    image: str = NGINX_IMAGE
    placement: Placement = field(default_factory=Placement)
    """Where the pods run and what the page waits for (`Cluster.placement`, and the namespace the page
    lives in when the stack creates it); default: any node, nothing."""


def page_command(message: str) -> list[str]:
    """The seed's container command: write the page (the shell expands $HOSTNAME), then run nginx."""
    return [
        "/bin/sh",
        "-c",
        f'echo "{message} $HOSTNAME" > {HTML}/index.html && exec nginx -g "daemon off;"',
    ]


class NginxPage(Workload):
    """Deployment and ClusterIP Service of one nginx page."""

    service: kubernetes.core.v1.Service

    def __init__(self, name: str, args: NginxPageArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("testbed:k8s:NginxPage", name, opts, workload=args)
        _validate(args)
        labels = app_labels(args.name)
        mounts, volumes = empty_dirs({"html": HTML, **NGINX_SCRATCH})
        container = nginx_container(args.image, mounts, cpu_limit="200m", command=page_command(args.message))
        self.deployment = self._deployment(
            name=args.name,
            labels=labels,
            pod=root_http_pod(args.placement, container, volumes=volumes),
            depends_on=args.placement.wait_for,
        )
        self.service = self._service(
            name=args.name,
            labels=labels,
            spec=kubernetes.core.v1.ServiceSpecArgs(
                selector=labels,
                ports=[kubernetes.core.v1.ServicePortArgs(port=PORT, target_port=PORT, protocol="TCP")],
            ),
            # What the page waits for may hold the namespace it lives in.
            depends_on=args.placement.wait_for,
        )
        self.register_outputs({"service": args.name})


def _validate(args: NginxPageArgs) -> None:
    problems: list[tuple[str, str]] = []
    if not re.fullmatch(r"[a-z]([-a-z0-9]{0,61}[a-z0-9])?", args.name):
        problems.append(("name", f"{args.name!r} is not a Service name (a DNS-1035 label)"))
    problems += replicas_problems(args.replicas, 100)
    if any(c in args.message for c in '"$`\\'):
        problems.append(("message", f"{args.message!r}: no quotes, $, ` or backslashes (it goes into a shell echo)"))
    raise_if_any("NginxPage", problems)
