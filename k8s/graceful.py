"""GracefulApp: seed 003's zero-drop scale-in behind an ALB, in the order that makes it work.

The seed (after the AWS blog it quotes) combines two things:
- **pod readiness gates**: label the namespace `elbv2.k8s.aws/pod-readiness-gate-inject=enabled`;
  the AWS LB controller's webhook then adds a readiness gate to each new pod, and the pod is
  Ready only once its ALB target is healthy. The gate is injected at pod creation, and only if
  the label and a target group for the pod's Service already exist (docs/deploy/pod_readiness_gate.md);
  the seed re-created its pods by hand (`kubectl delete pod --all`). Here the order is declared:
  namespace label, Service and Ingress first, the Deployment after them.
- **graceful shutdown**: a readiness probe on `/health` (initialDelay 3, period 3), the ALB
  health check on the same path, and a `preStop` hook that makes `/health` fail and then
  sleeps (seed: 120 s), so the ALB and the endpoints drop the pod while it still serves; the
  grace period outlasts the hook. The app (k8s/apps/graceful_server.py) has the drain switch
  the blog's app got by `sed` on its own source.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pulumi
import pulumi_kubernetes as kubernetes

from components.errors import raise_if_any
from components.placement import Placement
from k8s.ingress import Ingress, IngressArgs, IngressPath
from k8s.namespaces import namespace
from k8s.pods import app_labels, pod_spec, resources, restricted_container_security
from k8s.programs import mount_programs
from k8s.versions import PYTHON_IMAGE
from k8s.workload import Workload, WorkloadArgs, replicas_problems

READINESS_GATE_LABEL = "elbv2.k8s.aws/pod-readiness-gate-inject"
PROGRAM = Path(__file__).resolve().parent / "apps" / "graceful_server.py"
APP_DIR = "/app"
DRAIN_DIR = "/var/run/graceful"
DRAIN_FILE = f"{DRAIN_DIR}/draining"
CONTAINER_PORT = 8080
SHUTDOWN_GRACE_SECONDS = 10
"""How long the server lets requests in flight finish after SIGTERM."""
SERVICE_PORT = 80


@dataclass(frozen=True, kw_only=True)
class GracefulAppArgs(WorkloadArgs):
    """The app, its probes and hook, and the ALB Ingress in front of it."""

    controller: pulumi.Resource
    """The AWS LB controller's release: the Ingress depends on it."""
    ingress_annotations: Mapping[str, str]
    """`alb.ingress.kubernetes.io/*` from AlbIngressAnnotations (health check on `health_path`)."""
    namespace: str = "default"
    """Seed: default (labelled in place); any other name is created with the label."""
    name: str = "graceful"
    """Deployment, Service, Ingress and `app` label."""
    replicas: int = 3
    image: str = PYTHON_IMAGE
    health_path: str = "/health"
    readiness_initial_delay_seconds: int = 3
    readiness_period_seconds: int = 3
    pre_stop_sleep_seconds: int = 120
    termination_grace_period_seconds: int = 150
    placement: Placement = field(default_factory=Placement)
    """Where the pods run and what they wait for (`Cluster.placement`); default: any node, nothing."""


def drain_command(sleep_seconds: int) -> list[str]:
    """The preStop hook: fail /health, then sleep while the ALB deregisters the pod."""
    return ["python", f"{APP_DIR}/{PROGRAM.name}", "drain", "--drain-file", DRAIN_FILE, "--sleep", str(sleep_seconds)]


def serve_command(health_path: str) -> list[str]:
    return [
        "python",
        f"{APP_DIR}/{PROGRAM.name}",
        "serve",
        "--port",
        str(CONTAINER_PORT),
        "--drain-file",
        DRAIN_FILE,
        "--health-path",
        health_path,
        "--shutdown-grace",
        str(SHUTDOWN_GRACE_SECONDS),
    ]


def grace_period_problem(termination_grace_period_seconds: int, pre_stop_sleep_seconds: int) -> str | None:
    """Why the grace period cannot cover the preStop sleep and the server's own shutdown, or None.

    The kubelet runs the preStop hook, then sends SIGTERM, and kills the pod when the grace period
    ends, whatever is still running: requests in flight then fail.
    """
    needed = pre_stop_sleep_seconds + SHUTDOWN_GRACE_SECONDS
    if termination_grace_period_seconds <= needed:
        return (
            f"{termination_grace_period_seconds} must exceed the preStop sleep ({pre_stop_sleep_seconds}) plus the"
            f" server's {SHUTDOWN_GRACE_SECONDS} s to finish its requests ({needed}): the kubelet kills the pod"
            " when the grace period ends"
        )
    return None


class GracefulApp(Workload):
    """Labelled namespace, Service, ALB Ingress, then the Deployment (so the readiness gate is injected)."""

    namespace: kubernetes.core.v1.Namespace | kubernetes.core.v1.NamespacePatch
    service: kubernetes.core.v1.Service
    ingress: Ingress

    def __init__(self, name: str, args: GracefulAppArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("testbed:k8s:GracefulApp", name, opts, workload=args)
        _validate(args)
        labels = app_labels(args.name)
        self.namespace = _gated_namespace(name, args, pulumi.ResourceOptions(parent=self, provider=args.provider))
        in_namespace = pulumi.ResourceOptions(parent=self, provider=args.provider, depends_on=[self.namespace])
        program = mount_programs(
            f"{name}-program",
            name=f"{args.name}-program",
            namespace=args.namespace,
            labels=labels,
            files={PROGRAM.name: PROGRAM.read_text()},
            mount_path=APP_DIR,
            volume_name="program",
            opts=in_namespace,
        )
        self.service = self._service(
            name=args.name,
            labels=labels,
            # The Deployment waits for this Service (readiness gates are injected only for pods
            # created after it), and pulumi-kubernetes would wait for the Service to have live
            # endpoints, i.e. for those very pods: a deadlock ("Service does not target any
            # Pods", pulumi-kubernetes #1974). The Service is usable at once without pods.
            annotations={"pulumi.com/skipAwait": "true"},
            spec=_service_spec(labels),
            depends_on=[self.namespace],
        )
        self.ingress = Ingress(
            f"{name}-alb",
            IngressArgs(
                provider=args.provider,
                namespace=args.namespace,
                name=args.name,
                ingress_class_name="alb",
                controller=args.controller,
                annotations=args.ingress_annotations,
                paths=[IngressPath(path="/", service_name=args.name, service_port=SERVICE_PORT)],
                labels=labels,
                wait_for=[self.namespace, self.service],
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.deployment = self._deployment(
            name=args.name,
            labels=labels,
            template_annotations=program.annotations,
            pod=pod_spec(
                placement=args.placement,
                termination_grace_period_seconds=args.termination_grace_period_seconds,
                containers=[app_container(args, program.mount)],
                volumes=[
                    program.volume,
                    kubernetes.core.v1.VolumeArgs(
                        name="drain", empty_dir=kubernetes.core.v1.EmptyDirVolumeSourceArgs()
                    ),
                ],
            ),
            # The readiness gate is injected only into pods created after these exist.
            depends_on=[
                self.namespace,
                self.service,
                self.ingress.ingress,
                program.config_map,
                *args.placement.wait_for,
            ],
        )
        self.register_outputs({"hostname": self.ingress.hostname})


def _gated_namespace(
    name: str, args: GracefulAppArgs, opts: pulumi.ResourceOptions
) -> kubernetes.core.v1.Namespace | kubernetes.core.v1.NamespacePatch:
    """The namespace with the readiness gate label: `default` labelled in place, any other created."""
    gate = {READINESS_GATE_LABEL: "enabled"}
    if args.namespace == "default":
        # `kubectl label namespace default elbv2.k8s.aws/pod-readiness-gate-inject=enabled`, declared:
        # a server-side-apply patch owns the label and removes it on destroy.
        return kubernetes.core.v1.NamespacePatch(
            f"{name}-namespace-label",
            metadata=kubernetes.meta.v1.ObjectMetaPatchArgs(name="default", labels=gate),
            opts=opts,
        )
    return namespace(f"{name}-namespace", name=args.namespace, labels=gate, opts=opts)


def _service_spec(labels: Mapping[str, str]) -> kubernetes.core.v1.ServiceSpecArgs:
    """The ClusterIP Service the Ingress routes to (port 80 to the app's 8080)."""
    return kubernetes.core.v1.ServiceSpecArgs(
        selector=dict(labels),
        ports=[
            kubernetes.core.v1.ServicePortArgs(
                name="http", port=SERVICE_PORT, target_port=CONTAINER_PORT, protocol="TCP"
            )
        ],
    )


def app_container(
    args: GracefulAppArgs, program: kubernetes.core.v1.VolumeMountArgs
) -> kubernetes.core.v1.ContainerArgs:
    """The app: readiness on the health path, liveness on TCP, the drain hook, the program mounted."""
    readiness = kubernetes.core.v1.ProbeArgs(
        http_get=kubernetes.core.v1.HTTPGetActionArgs(path=args.health_path, port=CONTAINER_PORT),
        initial_delay_seconds=args.readiness_initial_delay_seconds,
        period_seconds=args.readiness_period_seconds,
    )
    # Liveness must not use /health: it fails on purpose while the pod drains.
    liveness = kubernetes.core.v1.ProbeArgs(
        tcp_socket=kubernetes.core.v1.TCPSocketActionArgs(port=CONTAINER_PORT), period_seconds=10
    )
    return kubernetes.core.v1.ContainerArgs(
        name="app",
        image=args.image,
        command=serve_command(args.health_path),
        env=[
            kubernetes.core.v1.EnvVarArgs(name="PYTHONDONTWRITEBYTECODE", value="1"),
            kubernetes.core.v1.EnvVarArgs(name="PYTHONUNBUFFERED", value="1"),
        ],
        ports=[kubernetes.core.v1.ContainerPortArgs(container_port=CONTAINER_PORT, name="http")],
        readiness_probe=readiness,
        liveness_probe=liveness,
        lifecycle=kubernetes.core.v1.LifecycleArgs(
            pre_stop=kubernetes.core.v1.LifecycleHandlerArgs(
                exec_=kubernetes.core.v1.ExecActionArgs(command=drain_command(args.pre_stop_sleep_seconds))
            )
        ),
        security_context=restricted_container_security(),
        resources=resources(),
        volume_mounts=[program, kubernetes.core.v1.VolumeMountArgs(name="drain", mount_path=DRAIN_DIR)],
    )


def _validate(args: GracefulAppArgs) -> None:
    problems: list[tuple[str, str]] = []
    if problem := grace_period_problem(args.termination_grace_period_seconds, args.pre_stop_sleep_seconds):
        problems.append(("termination_grace_period_seconds", problem))
    problems += replicas_problems(args.replicas, 100, least=1)
    if not args.health_path.startswith("/"):
        problems.append(("health_path", f"{args.health_path!r} must start with '/'"))
    raise_if_any("GracefulApp", problems)
