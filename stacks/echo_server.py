"""Seed 002's echo server, as the scenarios that route to it (alb-ingress, ingress-nginx-vs-alb) build it.

Seed 002 named everything `echoserver`: the namespace it creates, the Deployment, its container and
`app` label, and the Service (port 80 to the container's 8080). Its pods keep Kubernetes' default
grace period (seeds 001/003 killed theirs at once). Both scenarios strip a path prefix before the
echo server sees it; `strip_prefix` is that rewrite as an ALB transform.
"""

from __future__ import annotations

from typing import Literal

import pulumi
from pydantic import Field

from components.aws.annotations import ServicePort, UrlRewrite
from components.placement import Placement
from k8s.echoserver import CONTAINER_PORT, EchoServer, EchoServerArgs
from k8s.versions import ECHOSERVER_IMAGE
from stacks.config import StackModel

NAME = "echoserver"
"""Seed 002's namespace, Deployment, container, `app` label and Service."""
NAME_PATTERN = r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$"
"""A Kubernetes namespace name (a DNS-1123 label)."""


class EchoServerConfig(StackModel):
    """The echo server's namespace, pods and image."""

    namespace: str = Field(NAME, pattern=NAME_PATTERN)
    """Namespace (seed: echoserver)."""
    replicas: int = Field(1, ge=1, le=20)
    """Pods (seed: 1)."""
    image: str = Field(ECHOSERVER_IMAGE, min_length=1)
    """Image (seed: the echoserver of its GitHub example; here echoserver:1.5 like seeds 001/003)."""


def echo_server(
    cfg: EchoServerConfig,
    provider: pulumi.ProviderResource,
    where: Placement,
    service_type: Literal["ClusterIP", "NodePort"] = "ClusterIP",
) -> EchoServer:
    """The echo server in a namespace of its own, behind a ClusterIP Service (NodePort for ALB instance targets)."""
    return EchoServer(
        NAME,
        EchoServerArgs(
            provider=provider,
            namespace=cfg.namespace,
            create_namespace=True,
            deployment_name=NAME,
            app_label=NAME,
            container_name=NAME,
            replicas=cfg.replicas,
            image=cfg.image,
            termination_grace_period_seconds=None,
            service_name=NAME,
            service_ports=(ServicePort(name="http", port=80, target_port=CONTAINER_PORT),),
            service_type=service_type,
            placement=where,
        ),
    )


def strip_prefix(prefix: str) -> UrlRewrite:
    """`<prefix>`, `<prefix>/x` -> `/`, `/x`: the ALB's equivalent of ingress-nginx's `rewrite-target: /$2`
    on `path: <prefix>(/|$)(.*)`."""
    escaped = "".join("\\" + c if c in ".^$*+?()[]{}|\\" else c for c in prefix)
    return UrlRewrite(regex=f"^{escaped}(/|$)(.*)", replace="/$2")
