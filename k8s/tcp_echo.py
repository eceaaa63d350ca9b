"""TcpEchoServer: seed 004's TCP backend (k8s/apps/tcp_echo.py) as a Deployment, without building an image.

The program uses the standard library only, so it ships as a ConfigMap mounted read-only into a
pinned stock python image: no registry, no image build, and the code that runs is the code in
this repository (its hash is on the pod template, so a change rolls the pods). The pods follow
k8s/pods.py (non-root, read-only root file system, no capabilities, requests and limits) and
answer TCP readiness and liveness probes on the server port.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pulumi
import pulumi_kubernetes as kubernetes

from components.errors import raise_if_any
from components.limits import PORT
from components.placement import Placement
from k8s.pods import (
    MANAGED_BY,
    app_labels,
    deployment,
    pod_spec,
    resources,
    restricted_container_security,
)
from k8s.programs import mount_programs
from k8s.versions import PYTHON_IMAGE

PROGRAM = Path(__file__).resolve().parent / "apps" / "tcp_echo.py"
PROGRAM_MOUNT = "/app"
# Pinned: a moving tag would change the pods under an unchanged stack. Debian trixie, amd64 and arm64.


def program_source() -> str:
    return PROGRAM.read_text()


@dataclass(frozen=True, kw_only=True)
class TcpEchoServerArgs:
    provider: kubernetes.Provider
    """The cluster's Kubernetes provider (never the ambient kubeconfig)."""
    namespace: str
    """Namespace of the server (seed: kimmap)."""
    create_namespace: bool = True
    """Create the namespace (with the restricted Pod Security Standard enforced)."""
    app: str = "kimmap-backend"
    """Deployment name and `app` label (seed: kimmap-backend)."""
    port: int = 8888
    """Container port the server listens on (seed: 8888)."""
    replicas: int = 1
    node_selector: Mapping[str, str] = field(default_factory=lambda: {"role": "server"})
    """Nodes the pods run on (seed: role=server)."""
    tolerations: Sequence[Mapping[str, str]] = ()
    image: str = PYTHON_IMAGE
    wait_for: Sequence[pulumi.Resource] = ()
    """E.g. the node pool the selector points at."""


class TcpEchoServer(pulumi.ComponentResource):
    """Namespace (optional), the program's ConfigMap and the server Deployment."""

    namespace: pulumi.Output[str]
    selector: dict[str, str]
    """Pod labels a Service selects on."""
    port: int
    deployment: kubernetes.apps.v1.Deployment

    def __init__(self, name: str, args: TcpEchoServerArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("testbed:k8s:TcpEchoServer", name, None, opts)
        problems = []
        if args.port not in PORT:
            problems.append(("port", f"{args.port} is not {PORT}"))
        if not 0 <= args.replicas <= 100:
            problems.append(("replicas", f"{args.replicas} is not 0..100"))
        raise_if_any("TcpEchoServer", problems)
        on_cluster = pulumi.ResourceOptions(parent=self, provider=args.provider)
        namespace: pulumi.Input[str] = args.namespace
        if args.create_namespace:
            namespace = kubernetes.core.v1.Namespace(
                f"{name}-ns",
                metadata=kubernetes.meta.v1.ObjectMetaArgs(
                    name=args.namespace,
                    labels={**MANAGED_BY, "pod-security.kubernetes.io/enforce": "restricted"},
                ),
                opts=on_cluster,
            ).metadata.name
        labels = app_labels(args.app)
        program = mount_programs(
            f"{name}-program",
            name=f"{args.app}-program",
            namespace=namespace,
            labels=labels,
            files={PROGRAM.name: program_source()},
            mount_path=PROGRAM_MOUNT,
            volume_name="program",
            opts=on_cluster,
        )
        container = kubernetes.core.v1.ContainerArgs(
            name="server",
            image=args.image,
            # -I: ignore the environment and user site; -B: write no .pyc (the root file system is read-only).
            command=["python", "-I", "-B", f"{PROGRAM_MOUNT}/{PROGRAM.name}", "serve", "--port", str(args.port)],
            env=[
                kubernetes.core.v1.EnvVarArgs(name="APP_NAME", value=args.app),
                _field_env("POD_NAME", "metadata.name"),
                _field_env("NODE_NAME", "spec.nodeName"),
            ],
            ports=[kubernetes.core.v1.ContainerPortArgs(name="tcp", container_port=args.port, protocol="TCP")],
            readiness_probe=kubernetes.core.v1.ProbeArgs(
                tcp_socket=kubernetes.core.v1.TCPSocketActionArgs(port=args.port), period_seconds=5, failure_threshold=2
            ),
            liveness_probe=kubernetes.core.v1.ProbeArgs(
                tcp_socket=kubernetes.core.v1.TCPSocketActionArgs(port=args.port),
                period_seconds=20,
                failure_threshold=3,
            ),
            resources=resources(),
            security_context=restricted_container_security(),
            volume_mounts=[program.mount],
        )
        self.deployment = deployment(
            f"{name}-deployment",
            name=args.app,
            namespace=namespace,
            labels=labels,
            replicas=args.replicas,
            template_annotations=program.annotations,
            pod=pod_spec(
                placement=Placement(dict(args.node_selector), tuple(dict(t) for t in args.tolerations)),
                # The server drains open connections for 5 s on SIGTERM.
                termination_grace_period_seconds=10,
                containers=[container],
                volumes=[program.volume],
            ),
            opts=pulumi.ResourceOptions(parent=self, provider=args.provider, depends_on=list(args.wait_for)),
        )
        self.namespace = pulumi.Output.from_input(namespace)
        self.selector = labels
        self.port = args.port
        self.register_outputs({"namespace": self.namespace, "deployment": self.deployment.metadata.name})


def _field_env(name: str, path: str) -> kubernetes.core.v1.EnvVarArgs:
    return kubernetes.core.v1.EnvVarArgs(
        name=name,
        value_from=kubernetes.core.v1.EnvVarSourceArgs(
            field_ref=kubernetes.core.v1.ObjectFieldSelectorArgs(field_path=path)
        ),
    )
