"""The keep-alive experiment's workloads (seed 000): the gunicorn server and the idle client.

KeepAliveServer: namespace `server`, a Deployment running k8s/apps/keepalive/app.py under
gunicorn exactly as the seed (1 gevent worker, bind 0.0.0.0:8000, --timeout 10, --keep-alive
20, debug log), pinned to role=server, and a ClusterIP Service for a TargetGroupBinding.
KeepAliveClient: namespace `client`, a Deployment that idles (`sleep infinity`) on role=client
with the seed's environment (HOST, PORT, HOST_HEADER, USE_TLS, ENDPOINT), so that
`kubectl exec ... -- python client.py INTERVAL` runs k8s/apps/keepalive/client.py.

The programs reach the pods as k8s/keepalive_programs.py says (a ConfigMap and an init
container, or your image). Every container is non-root with a read-only root file system; /tmp
and the dependencies are emptyDirs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_kubernetes as kubernetes

from components.errors import raise_if_any
from components.limits import PORT
from components.placement import Placement
from k8s.capture import PacketCapture, captures_volume, tcpdump_container
from k8s.keepalive_programs import (
    CLIENT_FILES,
    DEPS_DIR,
    PROGRAMS_DIR,
    SERVER_FILES,
    ProgramImage,
    install_container,
    mount_keepalive_programs,
)
from k8s.namespaces import namespace as create_namespace
from k8s.pods import app_labels, deployment, pod_spec, resources, restricted_container_security, service

SERVER_PORT = 8000
LOG_LEVELS = ("debug", "info", "warning", "error", "critical")
# The "restricted" Pod Security Standard, enforced unless a capture sidecar needs more.
RESTRICTED, PRIVILEGED = "restricted", "privileged"


def server_command(
    *, keep_alive_seconds: int, timeout_seconds: int = 10, log_level: str = "debug", bind: str = "0.0.0.0:8000"
) -> list[str]:
    """Seed 000's gunicorn command line (run as `python -m gunicorn` so no script path is needed).

    The worker class matters: sync workers ignore --keep-alive; gevent honours it.
    """
    return [
        "python",
        "-m",
        "gunicorn",
        "--workers",
        "1",
        "-k",
        "gevent",
        "--bind",
        bind,
        "--timeout",
        str(timeout_seconds),
        "--keep-alive",
        str(keep_alive_seconds),
        "app:app",
        "--log-level",
        log_level,
    ]


def _in_namespace(owner: pulumi.Resource, name: str, args: KeepAlivePodArgs) -> pulumi.ResourceOptions:
    """Options of `owner`'s objects in its namespace: after the namespace when `owner` creates it (with
    the restricted Pod Security level enforced, or privileged for the capture sidecar)."""
    provider = args.provider
    if not args.create_namespace:
        return pulumi.ResourceOptions(parent=owner, provider=provider)
    level = RESTRICTED if args.capture is None else PRIVILEGED
    created = create_namespace(
        f"{name}-namespace",
        name=args.namespace,
        labels={"pod-security.kubernetes.io/enforce": level, "pod-security.kubernetes.io/warn": RESTRICTED},
        opts=pulumi.ResourceOptions(parent=owner, provider=provider),
    )
    return pulumi.ResourceOptions(parent=owner, provider=provider, depends_on=[created])


@dataclass(frozen=True, kw_only=True)
class KeepAlivePodArgs:
    """What the server and the client take alike: the cluster, their namespace, placement, images, capture."""

    provider: kubernetes.Provider
    """Kubernetes provider of the cluster."""
    namespace: str
    create_namespace: bool = True
    app: str
    """Name of the Deployment (and Service), and the `app` label."""
    node_selector: Mapping[str, str]
    tolerations: Sequence[Mapping[str, str]] = ()
    images: ProgramImage = field(default_factory=ProgramImage)
    capture: PacketCapture | None = None
    """A tcpdump sidecar capturing the program's TCP port, or None."""
    wait_for: Sequence[pulumi.Resource] = ()
    """What the Deployment's rollout needs first: the node groups matching `node_selector`."""


@dataclass(frozen=True, kw_only=True)
class KeepAliveServerArgs(KeepAlivePodArgs):
    """The seed's gunicorn server, its namespace and its Service."""

    namespace: str = "server"
    app: str = "server"
    node_selector: Mapping[str, str] = field(default_factory=lambda: {"role": "server"})
    keep_alive_seconds: int = 20
    """gunicorn --keep-alive: how long an idle connection is kept open (seed: 20)."""
    timeout_seconds: int = 10
    """gunicorn --timeout: worker heartbeat timeout (seed: 10)."""
    log_level: str = "debug"
    replicas: int = 1
    service_port: int = 80


class KeepAliveServer(pulumi.ComponentResource):
    """Namespace, programs ConfigMap, gunicorn Deployment and ClusterIP Service."""

    namespace: str
    service_name: str
    service_port: int
    target_port: int
    """The pods' port (8000): what the load balancer's targets are."""
    service: kubernetes.core.v1.Service
    deployment: kubernetes.apps.v1.Deployment

    def __init__(self, name: str, args: KeepAliveServerArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("testbed:k8s:KeepAliveServer", name, None, opts)
        _validate_server(args)

        namespace = args.namespace
        after_namespace = _in_namespace(self, name, args)

        labels = app_labels(args.app)
        custom = args.images.custom_image is not None
        volumes = [kubernetes.core.v1.VolumeArgs(name="tmp", empty_dir=kubernetes.core.v1.EmptyDirVolumeSourceArgs())]
        mounts = [kubernetes.core.v1.VolumeMountArgs(name="tmp", mount_path="/tmp")]
        env = [
            kubernetes.core.v1.EnvVarArgs(name="HOME", value="/tmp"),  # gunicorn's control socket lives under $HOME
            kubernetes.core.v1.EnvVarArgs(name="PYTHONUNBUFFERED", value="1"),
        ]
        init_containers = []
        annotations = {"kubectl.kubernetes.io/default-container": "server"}
        if not custom:
            programs = mount_keepalive_programs(name, args.app, namespace, SERVER_FILES, after_namespace)
            volumes += [
                programs.volume,
                kubernetes.core.v1.VolumeArgs(name="deps", empty_dir=kubernetes.core.v1.EmptyDirVolumeSourceArgs()),
            ]
            mounts += [
                programs.mount,
                kubernetes.core.v1.VolumeMountArgs(name="deps", mount_path=DEPS_DIR, read_only=True),
            ]
            env.append(kubernetes.core.v1.EnvVarArgs(name="PYTHONPATH", value=DEPS_DIR))
            init_containers.append(install_container(args.images.python_image, programs.mount))
            annotations.update(programs.annotations)

        self.deployment = _pod_deployment(
            name,
            args,
            after_namespace,
            role="server",
            port=SERVER_PORT,
            replicas=args.replicas,
            annotations=annotations,
            containers=[server_container(args, env, mounts)],
            volumes=volumes,
            init_containers=init_containers,
        )
        self.service = service(
            f"{name}-service",
            name=args.app,
            namespace=namespace,
            labels=labels,
            spec=kubernetes.core.v1.ServiceSpecArgs(
                type="ClusterIP",
                selector=labels,
                ports=[
                    kubernetes.core.v1.ServicePortArgs(
                        name="http", port=args.service_port, target_port="http", protocol="TCP"
                    )
                ],
            ),
            opts=after_namespace,
        )
        self.namespace = namespace
        self.service_name = args.app
        self.service_port = args.service_port
        self.target_port = SERVER_PORT
        self.register_outputs({"namespace": namespace, "service": args.app})


@dataclass(frozen=True, kw_only=True)
class KeepAliveClientArgs(KeepAlivePodArgs):
    """The seed's idle client pod, pointed at a load balancer."""

    host: pulumi.Input[str]
    """HOST: where client.py sends its requests (the load balancer's DNS name)."""
    host_header: pulumi.Input[str] | None = None
    """HOST_HEADER (default: `host`)."""
    port: int = 80
    use_tls: bool = False
    endpoint: str = "/index"
    namespace: str = "client"
    app: str = "client"
    node_selector: Mapping[str, str] = field(default_factory=lambda: {"role": "client"})


class KeepAliveClient(pulumi.ComponentResource):
    """Namespace, programs ConfigMap and an idle Deployment to `kubectl exec` client.py in."""

    namespace: str
    deployment: kubernetes.apps.v1.Deployment
    container: str

    def __init__(self, name: str, args: KeepAliveClientArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("testbed:k8s:KeepAliveClient", name, None, opts)
        problems = _common_problems(args)
        if args.port not in PORT:
            problems.append(("port", f"{args.port} is not a port"))
        if not args.endpoint.startswith("/"):
            problems.append(("endpoint", f"{args.endpoint!r} must start with /"))
        raise_if_any("KeepAliveClient", problems)

        namespace = args.namespace
        after_namespace = _in_namespace(self, name, args)

        annotations = {"kubectl.kubernetes.io/default-container": "client"}
        volumes = []
        mounts = []
        if args.images.custom_image is None:
            programs = mount_keepalive_programs(name, args.app, namespace, CLIENT_FILES, after_namespace)
            volumes.append(programs.volume)
            mounts.append(programs.mount)
            annotations.update(programs.annotations)

        env = {
            "HOST": args.host,
            "PORT": str(args.port),
            "HOST_HEADER": args.host_header if args.host_header is not None else args.host,
            "USE_TLS": "true" if args.use_tls else "false",
            "ENDPOINT": args.endpoint,
            "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONUNBUFFERED": "1",
        }
        containers = [
            kubernetes.core.v1.ContainerArgs(
                name="client",
                image=args.images.image,
                # Idles like the seed's client; the experiment is `kubectl exec ... python client.py N`.
                command=["sleep", "infinity"],
                working_dir=PROGRAMS_DIR,
                env=[kubernetes.core.v1.EnvVarArgs(name=k, value=v) for k, v in env.items()],
                volume_mounts=mounts,
                resources=resources(),
                security_context=restricted_container_security(),
            )
        ]
        self.deployment = _pod_deployment(
            name,
            args,
            after_namespace,
            role="client",
            port=args.port,
            replicas=1,
            annotations=annotations,
            containers=containers,
            volumes=volumes,
            # `sleep` as PID 1 ignores SIGTERM: do not wait 30 s for it on every rollout.
            termination_grace_period_seconds=5,
        )
        self.namespace = namespace
        self.container = "client"
        self.register_outputs({"namespace": namespace})


def server_container(
    args: KeepAliveServerArgs,
    env: Sequence[kubernetes.core.v1.EnvVarArgs],
    mounts: Sequence[kubernetes.core.v1.VolumeMountArgs],
) -> kubernetes.core.v1.ContainerArgs:
    """gunicorn as the seed ran it, on port 8000, probed on /health."""
    probe = kubernetes.core.v1.HTTPGetActionArgs(path="/health", port="http")
    return kubernetes.core.v1.ContainerArgs(
        name="server",
        image=args.images.image,
        command=server_command(
            keep_alive_seconds=args.keep_alive_seconds,
            timeout_seconds=args.timeout_seconds,
            log_level=args.log_level,
            bind=f"0.0.0.0:{SERVER_PORT}",
        ),
        working_dir=PROGRAMS_DIR,
        env=list(env),
        ports=[kubernetes.core.v1.ContainerPortArgs(name="http", container_port=SERVER_PORT, protocol="TCP")],
        readiness_probe=kubernetes.core.v1.ProbeArgs(http_get=probe, period_seconds=5, failure_threshold=2),
        liveness_probe=kubernetes.core.v1.ProbeArgs(http_get=probe, period_seconds=10, failure_threshold=3),
        volume_mounts=list(mounts),
        resources=resources(cpu="100m", memory="128Mi", cpu_limit="1", memory_limit="256Mi"),
        security_context=restricted_container_security(),
    )


def _pod_deployment(
    name: str,
    args: KeepAlivePodArgs,
    opts: pulumi.ResourceOptions,
    *,
    role: str,
    port: int,
    replicas: int,
    annotations: Mapping[str, str],
    containers: Sequence[kubernetes.core.v1.ContainerArgs],
    volumes: Sequence[kubernetes.core.v1.VolumeArgs],
    **pod_fields: Any,
) -> kubernetes.apps.v1.Deployment:
    """The Deployment of the server or client, with the tcpdump sidecar on TCP `port` when asked for
    (it runs as root: only then is the pod not pinned to non-root), placed by `args`, its rollout
    awaited once the nodes the pods are pinned to exist."""
    containers, volumes = list(containers), list(volumes)
    if args.capture is not None:
        containers.append(tcpdump_container(args.capture, role=role, port=port))
        volumes.append(captures_volume(args.capture))
    return deployment(
        f"{name}-deployment",
        name=args.app,
        namespace=args.namespace,
        labels=app_labels(args.app),
        replicas=replicas,
        template_annotations=dict(annotations),
        pod=pod_spec(
            non_root=args.capture is None,
            placement=Placement(dict(args.node_selector), tuple(dict(t) for t in args.tolerations)),
            containers=containers,
            volumes=volumes,
            **pod_fields,
        ),
        opts=pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(depends_on=list(args.wait_for))),
    )


def _validate_server(args: KeepAliveServerArgs) -> None:
    problems = _common_problems(args)
    if not 1 <= args.keep_alive_seconds <= 86400:
        problems.append(("keep_alive_seconds", f"{args.keep_alive_seconds} is not between 1 and 86400"))
    if not 1 <= args.timeout_seconds <= 3600:
        problems.append(("timeout_seconds", f"{args.timeout_seconds} is not between 1 and 3600"))
    if args.log_level not in LOG_LEVELS:
        problems.append(("log_level", f"{args.log_level!r} is not one of {', '.join(LOG_LEVELS)}"))
    if not 0 <= args.replicas <= 10:
        problems.append(("replicas", f"{args.replicas} is not between 0 and 10"))
    if args.service_port not in PORT:
        problems.append(("service_port", f"{args.service_port} is not a port"))
    raise_if_any("KeepAliveServer", problems)


def _common_problems(args: KeepAlivePodArgs) -> list[tuple[str, str]]:
    app, node_selector, images, capture = args.app, args.node_selector, args.images, args.capture
    problems: list[tuple[str, str]] = []
    if not app or len(app) > 50 or not app.replace("-", "").isalnum() or not app[0].isalpha() or app != app.lower():
        problems.append(("app", f"{app!r} is not a lowercase DNS label of at most 50 characters"))
    if not node_selector:
        problems.append(("node_selector", "must name the nodes to run on (e.g. role=server)"))
    if not images.image:
        problems.append(("images", "no image to run the programs"))
    if capture is not None:
        problems += [(f"capture.{f}", reason) for f, reason in capture.problems()]
    return problems
