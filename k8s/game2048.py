"""Game2048: the AWS LB controller walkthrough's game-2048, as seeds 001 and 003 applied it.

Namespace `game-2048`, Deployment `deployment-2048` (2 replicas, label
app.kubernetes.io/name=app-2048, port 80, imagePullPolicy Always), NodePort Service
`service-2048` (80 -> 80). The Ingress in front of it is the scenario's (k8s/ingress.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pulumi
import pulumi_kubernetes as kubernetes

from components.errors import raise_if_any
from components.placement import Placement
from k8s.namespaces import namespace
from k8s.pods import http_container, resources
from k8s.versions import GAME_2048_IMAGE
from k8s.workload import Workload, WorkloadArgs, replicas_problems, root_http_pod

NAMESPACE = "game-2048"
DEPLOYMENT = "deployment-2048"
SERVICE = "service-2048"
APP = "app-2048"
PORT = 80


def game_security() -> kubernetes.core.v1.SecurityContextArgs:
    """docker-2048 is nginx serving static files on port 80, started as root and writing its
    cache and pid into its own file system; the walkthrough's image is kept as it is (root,
    writable root file system), without privilege escalation and with only the capabilities an
    nginx master needs to bind :80 and hand work to its workers."""
    return kubernetes.core.v1.SecurityContextArgs(
        allow_privilege_escalation=False,
        capabilities=kubernetes.core.v1.CapabilitiesArgs(
            drop=["ALL"], add=["CHOWN", "NET_BIND_SERVICE", "SETGID", "SETUID"]
        ),
        seccomp_profile=kubernetes.core.v1.SeccompProfileArgs(type="RuntimeDefault"),
    )


@dataclass(frozen=True, kw_only=True)
class Game2048Args(WorkloadArgs):
    """The game's namespace, pods and Service."""

    namespace: str = NAMESPACE
    replicas: int = 2
    image: str = GAME_2048_IMAGE
    placement: Placement = field(default_factory=Placement)
    """Where the pods run and what they wait for (`Cluster.placement`); default: any node, nothing."""


class Game2048(Workload):
    """Namespace, Deployment and NodePort Service of game-2048."""

    namespace: kubernetes.core.v1.Namespace
    service: kubernetes.core.v1.Service

    def __init__(self, name: str, args: Game2048Args, opts: pulumi.ResourceOptions | None = None):
        super().__init__("testbed:k8s:Game2048", name, opts, workload=args)
        _validate(args)
        labels = {"app.kubernetes.io/name": APP}
        self.namespace = namespace(
            f"{name}-namespace", name=args.namespace, opts=pulumi.ResourceOptions(parent=self, provider=args.provider)
        )
        container = http_container(
            name=APP,
            image=args.image,
            port=PORT,
            image_pull_policy="Always",
            security_context=game_security(),
            resources=resources(),
        )
        self.deployment = self._deployment(
            name=DEPLOYMENT,
            labels=labels,
            pod=root_http_pod(args.placement, container),
            depends_on=[self.namespace, *args.placement.wait_for],
        )
        self.service = self._service(
            name=SERVICE,
            # The walkthrough's Service carries no app labels; its selector does.
            labels={},
            spec=kubernetes.core.v1.ServiceSpecArgs(
                type="NodePort",
                selector=labels,
                ports=[kubernetes.core.v1.ServicePortArgs(port=PORT, target_port=PORT, protocol="TCP")],
            ),
            depends_on=[self.namespace],
        )
        self.register_outputs({"service": SERVICE})


def _validate(args: Game2048Args) -> None:
    raise_if_any("Game2048", replicas_problems(args.replicas, 100))
