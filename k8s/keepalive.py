"""The keep-alive experiment's workloads (seed 000): the gunicorn server and the idle client.

KeepAliveServer: namespace `server`, a Deployment running k8s/apps/keepalive/app.py under
gunicorn exactly as the seed (1 gevent worker, bind 0.0.0.0:8000, --timeout 10, --keep-alive
20, debug log), pinned to role=server, and a ClusterIP Service for a TargetGroupBinding.
KeepAliveClient: namespace `client`, a Deployment that idles (`sleep infinity`) on role=client
with the seed's environment (HOST, PORT, HOST_HEADER, USE_TLS, ENDPOINT), so that
`kubectl exec ... -- python client.py INTERVAL` runs k8s/apps/keepalive/client.py.

How the programs reach the pods, with no image to build: they are mounted from a ConfigMap
into the pinned stock Python image (k8s/versions.py); the server's dependencies are installed
by an init container into an emptyDir with `pip --require-hashes` from the pinned, hashed
requirements.txt. Every container is non-root with a read-only root file system; /tmp and
the dependencies are emptyDirs. A pod template annotation carries the programs' hash, so a
changed program rolls the pods. With `ProgramImage.custom_image` (built from the Dockerfile
next to the programs) the pods run that image instead, with the same commands.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pulumi
import pulumi_kubernetes as k8s

from components.errors import raise_if_any
from components.limits import PORT
from k8s.capture import PacketCapture, captures_volume, tcpdump_container
from k8s.pods import (
    MANAGED_BY,
    app_labels,
    deployment,
    pod_spec,
    resources,
    restricted_container_security,
)
from k8s.versions import PYTHON_IMAGE

APP_DIR = Path(__file__).resolve().parent / "apps" / "keepalive"
SERVER_FILES = ("app.py", "requirements.txt")
CLIENT_FILES = ("client.py",)
SERVER_PORT = 8000
PROGRAMS_DIR = "/app"
DEPS_DIR = "/deps"
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


def install_command() -> list[str]:
    """The init container's install: exactly the pinned, hashed wheels, nothing resolved or built."""
    return [
        "pip",
        "install",
        "--no-cache-dir",
        "--require-hashes",
        "--only-binary=:all:",
        "--no-deps",
        "--target",
        DEPS_DIR,
        "-r",
        f"{PROGRAMS_DIR}/requirements.txt",
    ]


def program_files(names: Sequence[str]) -> dict[str, str]:
    """File name -> text of the programs in k8s/apps/keepalive."""
    return {name: (APP_DIR / name).read_text() for name in names}


def files_digest(files: Mapping[str, str]) -> str:
    h = hashlib.sha256()
    for name in sorted(files):
        h.update(name.encode() + b"\0" + files[name].encode() + b"\0")
    return h.hexdigest()


@dataclass(frozen=True, kw_only=True)
class ProgramImage:
    """Which image runs the programs."""

    python_image: str = PYTHON_IMAGE
    """Stock Python image; the programs come from a ConfigMap, dependencies from an init container."""
    custom_image: str | None = None
    """Your image built from k8s/apps/keepalive/Dockerfile: programs and dependencies inside, no init container."""

    @property
    def image(self) -> str:
        return self.custom_image or self.python_image


def _namespace(name: str, resource: str, namespace: str, capture: bool, opts: pulumi.ResourceOptions):
    level = PRIVILEGED if capture else RESTRICTED
    return k8s.core.v1.Namespace(
        f"{name}-{resource}",
        metadata=k8s.meta.v1.ObjectMetaArgs(
            name=namespace,
            labels={
                **MANAGED_BY,
                "pod-security.kubernetes.io/enforce": level,
                "pod-security.kubernetes.io/warn": RESTRICTED,
            },
        ),
        opts=opts,
    )


@dataclass(frozen=True, kw_only=True)
class KeepAliveServerArgs:
    """The seed's gunicorn server, its namespace and its Service."""

    provider: k8s.Provider
    """Kubernetes provider of the cluster."""
    keep_alive_seconds: int = 20
    """gunicorn --keep-alive: how long an idle connection is kept open (seed: 20)."""
    timeout_seconds: int = 10
    """gunicorn --timeout: worker heartbeat timeout (seed: 10)."""
    log_level: str = "debug"
    namespace: str = "server"
    create_namespace: bool = True
    app: str = "server"
    """Name of the Deployment and Service, and the `app` label."""
    node_selector: Mapping[str, str] = field(default_factory=lambda: {"role": "server"})
    tolerations: Sequence[Mapping[str, str]] = ()
    replicas: int = 1
    service_port: int = 80
    images: ProgramImage = field(default_factory=ProgramImage)
    capture: PacketCapture | None = None
    """A tcpdump sidecar capturing TCP port 8000, or None."""
    wait_for: Sequence[pulumi.Resource] = ()
    """What the Deployment's rollout needs first: the node groups matching `node_selector`."""


class KeepAliveServer(pulumi.ComponentResource):
    """Namespace, programs ConfigMap, gunicorn Deployment and ClusterIP Service."""

    namespace: str
    service_name: str
    service_port: int
    target_port: int
    """The pods' port (8000): what the load balancer's targets are."""
    service: k8s.core.v1.Service
    deployment: k8s.apps.v1.Deployment

    def __init__(self, name: str, args: KeepAliveServerArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("testbed:k8s:KeepAliveServer", name, None, opts)
        problems = _common_problems(args.app, args.node_selector, args.images, args.capture)
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

        k8s_opts = pulumi.ResourceOptions(parent=self, provider=args.provider)
        namespace = args.namespace
        after_namespace = k8s_opts
        if args.create_namespace:
            ns = _namespace(name, "namespace", namespace, args.capture is not None, k8s_opts)
            after_namespace = pulumi.ResourceOptions(parent=self, provider=args.provider, depends_on=[ns])

        labels = app_labels(args.app)
        custom = args.images.custom_image is not None
        files = program_files(SERVER_FILES)
        volumes = [k8s.core.v1.VolumeArgs(name="tmp", empty_dir=k8s.core.v1.EmptyDirVolumeSourceArgs())]
        mounts = [k8s.core.v1.VolumeMountArgs(name="tmp", mount_path="/tmp")]
        env = [
            k8s.core.v1.EnvVarArgs(name="HOME", value="/tmp"),  # gunicorn's control socket lives under $HOME
            k8s.core.v1.EnvVarArgs(name="PYTHONUNBUFFERED", value="1"),
        ]
        init_containers = []
        annotations = {"kubectl.kubernetes.io/default-container": "server"}
        if not custom:
            programs = k8s.core.v1.ConfigMap(
                f"{name}-programs",
                metadata=k8s.meta.v1.ObjectMetaArgs(
                    name=f"{args.app}-programs", namespace=namespace, labels={**labels, **MANAGED_BY}
                ),
                data=files,
                opts=after_namespace,
            )
            volumes += [
                k8s.core.v1.VolumeArgs(
                    name="programs",
                    config_map=k8s.core.v1.ConfigMapVolumeSourceArgs(name=programs.metadata.name, default_mode=0o444),
                ),
                k8s.core.v1.VolumeArgs(name="deps", empty_dir=k8s.core.v1.EmptyDirVolumeSourceArgs()),
            ]
            mounts += [
                k8s.core.v1.VolumeMountArgs(name="programs", mount_path=PROGRAMS_DIR, read_only=True),
                k8s.core.v1.VolumeMountArgs(name="deps", mount_path=DEPS_DIR, read_only=True),
            ]
            env.append(k8s.core.v1.EnvVarArgs(name="PYTHONPATH", value=DEPS_DIR))
            init_containers.append(
                k8s.core.v1.ContainerArgs(
                    name="install-dependencies",
                    image=args.images.python_image,
                    command=install_command(),
                    env=[
                        k8s.core.v1.EnvVarArgs(name="HOME", value="/tmp"),
                        k8s.core.v1.EnvVarArgs(name="PIP_DISABLE_PIP_VERSION_CHECK", value="1"),
                    ],
                    volume_mounts=[
                        k8s.core.v1.VolumeMountArgs(name="tmp", mount_path="/tmp"),
                        k8s.core.v1.VolumeMountArgs(name="programs", mount_path=PROGRAMS_DIR, read_only=True),
                        k8s.core.v1.VolumeMountArgs(name="deps", mount_path=DEPS_DIR),
                    ],
                    resources=resources(cpu="100m", memory="128Mi", cpu_limit="1", memory_limit="256Mi"),
                    security_context=restricted_container_security(),
                )
            )
            annotations["testbed/programs-sha256"] = files_digest(files)

        probe = k8s.core.v1.HTTPGetActionArgs(path="/health", port="http")
        containers = [
            k8s.core.v1.ContainerArgs(
                name="server",
                image=args.images.image,
                command=server_command(
                    keep_alive_seconds=args.keep_alive_seconds,
                    timeout_seconds=args.timeout_seconds,
                    log_level=args.log_level,
                    bind=f"0.0.0.0:{SERVER_PORT}",
                ),
                working_dir=PROGRAMS_DIR,
                env=env,
                ports=[k8s.core.v1.ContainerPortArgs(name="http", container_port=SERVER_PORT, protocol="TCP")],
                readiness_probe=k8s.core.v1.ProbeArgs(http_get=probe, period_seconds=5, failure_threshold=2),
                liveness_probe=k8s.core.v1.ProbeArgs(http_get=probe, period_seconds=10, failure_threshold=3),
                volume_mounts=mounts,
                resources=resources(cpu="100m", memory="128Mi", cpu_limit="1", memory_limit="256Mi"),
                security_context=restricted_container_security(),
            )
        ]
        if args.capture is not None:
            containers.append(tcpdump_container(args.capture, role="server", port=SERVER_PORT))
            volumes.append(captures_volume(args.capture))

        self.deployment = deployment(
            f"{name}-deployment",
            name=args.app,
            namespace=namespace,
            labels=labels,
            replicas=args.replicas,
            template_annotations=annotations,
            pod=pod_spec(
                non_root=args.capture is None,
                node_selector=args.node_selector,
                tolerations=args.tolerations,
                # The tcpdump sidecar runs as root: only then is the pod not pinned to non-root.
                init_containers=init_containers,
                containers=containers,
                volumes=volumes,
            ),
            # The rollout await starts once the nodes the pods are pinned to exist.
            opts=pulumi.ResourceOptions.merge(after_namespace, pulumi.ResourceOptions(depends_on=list(args.wait_for))),
        )
        self.service = k8s.core.v1.Service(
            f"{name}-service",
            metadata=k8s.meta.v1.ObjectMetaArgs(name=args.app, namespace=namespace, labels={**labels, **MANAGED_BY}),
            spec=k8s.core.v1.ServiceSpecArgs(
                type="ClusterIP",
                selector=labels,
                ports=[
                    k8s.core.v1.ServicePortArgs(name="http", port=args.service_port, target_port="http", protocol="TCP")
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
class KeepAliveClientArgs:
    """The seed's idle client pod, pointed at a load balancer."""

    provider: k8s.Provider
    host: pulumi.Input[str]
    """HOST: where client.py sends its requests (the load balancer's DNS name)."""
    host_header: pulumi.Input[str] | None = None
    """HOST_HEADER (default: `host`)."""
    port: int = 80
    use_tls: bool = False
    endpoint: str = "/index"
    namespace: str = "client"
    create_namespace: bool = True
    app: str = "client"
    node_selector: Mapping[str, str] = field(default_factory=lambda: {"role": "client"})
    tolerations: Sequence[Mapping[str, str]] = ()
    images: ProgramImage = field(default_factory=ProgramImage)
    capture: PacketCapture | None = None
    """A tcpdump sidecar capturing TCP `port`, or None."""
    wait_for: Sequence[pulumi.Resource] = ()
    """What the Deployment's rollout needs first: the node groups matching `node_selector`."""


class KeepAliveClient(pulumi.ComponentResource):
    """Namespace, programs ConfigMap and an idle Deployment to `kubectl exec` client.py in."""

    namespace: str
    deployment: k8s.apps.v1.Deployment
    container: str

    def __init__(self, name: str, args: KeepAliveClientArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("testbed:k8s:KeepAliveClient", name, None, opts)
        problems = _common_problems(args.app, args.node_selector, args.images, args.capture)
        if args.port not in PORT:
            problems.append(("port", f"{args.port} is not a port"))
        if not args.endpoint.startswith("/"):
            problems.append(("endpoint", f"{args.endpoint!r} must start with /"))
        raise_if_any("KeepAliveClient", problems)

        k8s_opts = pulumi.ResourceOptions(parent=self, provider=args.provider)
        namespace = args.namespace
        after_namespace = k8s_opts
        if args.create_namespace:
            ns = _namespace(name, "namespace", namespace, args.capture is not None, k8s_opts)
            after_namespace = pulumi.ResourceOptions(parent=self, provider=args.provider, depends_on=[ns])

        labels = app_labels(args.app)
        annotations = {"kubectl.kubernetes.io/default-container": "client"}
        volumes = []
        mounts = []
        if args.images.custom_image is None:
            files = program_files(CLIENT_FILES)
            programs = k8s.core.v1.ConfigMap(
                f"{name}-programs",
                metadata=k8s.meta.v1.ObjectMetaArgs(
                    name=f"{args.app}-programs", namespace=namespace, labels={**labels, **MANAGED_BY}
                ),
                data=files,
                opts=after_namespace,
            )
            volumes.append(
                k8s.core.v1.VolumeArgs(
                    name="programs",
                    config_map=k8s.core.v1.ConfigMapVolumeSourceArgs(name=programs.metadata.name, default_mode=0o444),
                )
            )
            mounts.append(k8s.core.v1.VolumeMountArgs(name="programs", mount_path=PROGRAMS_DIR, read_only=True))
            annotations["testbed/programs-sha256"] = files_digest(files)

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
            k8s.core.v1.ContainerArgs(
                name="client",
                image=args.images.image,
                # Idles like the seed's client; the experiment is `kubectl exec ... python client.py N`.
                command=["sleep", "infinity"],
                working_dir=PROGRAMS_DIR,
                env=[k8s.core.v1.EnvVarArgs(name=k, value=v) for k, v in env.items()],
                volume_mounts=mounts,
                resources=resources(),
                security_context=restricted_container_security(),
            )
        ]
        if args.capture is not None:
            containers.append(tcpdump_container(args.capture, role="client", port=args.port))
            volumes.append(captures_volume(args.capture))

        self.deployment = deployment(
            f"{name}-deployment",
            name=args.app,
            namespace=namespace,
            labels=labels,
            replicas=1,
            template_annotations=annotations,
            pod=pod_spec(
                non_root=args.capture is None,
                node_selector=args.node_selector,
                tolerations=args.tolerations,
                # `sleep` as PID 1 ignores SIGTERM: do not wait 30 s for it on every rollout.
                termination_grace_period_seconds=5,
                containers=containers,
                volumes=volumes,
            ),
            # The rollout await starts once the nodes the pods are pinned to exist.
            opts=pulumi.ResourceOptions.merge(after_namespace, pulumi.ResourceOptions(depends_on=list(args.wait_for))),
        )
        self.namespace = namespace
        self.container = "client"
        self.register_outputs({"namespace": namespace})


def _common_problems(
    app: str, node_selector: Mapping[str, str], images: ProgramImage, capture: PacketCapture | None
) -> list[tuple[str, str]]:
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
