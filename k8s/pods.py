"""Pod conventions every workload shares: labels, a restricted security context, resources.

The security defaults follow the Kubernetes "restricted" Pod Security Standard (non-root, no
privilege escalation, all capabilities dropped, RuntimeDefault seccomp, read-only root file
system). A workload departs from them only where the seed's experiment needs it, and says why.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pulumi
import pulumi_kubernetes as kubernetes

from components.placement import Placement

MANAGED_BY = {"app.kubernetes.io/managed-by": "pulumi"}


def app_labels(app: str, **extra: str) -> dict[str, str]:
    """Selector labels of a workload (`app` as the seeds use it, plus the recommended name label)."""
    return {"app": app, "app.kubernetes.io/name": app, **extra}


def restricted_container_security(*, run_as_user: int = 10001) -> kubernetes.core.v1.SecurityContextArgs:
    """A container security context that meets the restricted Pod Security Standard."""
    return kubernetes.core.v1.SecurityContextArgs(
        run_as_non_root=True,
        run_as_user=run_as_user,
        run_as_group=run_as_user,
        allow_privilege_escalation=False,
        read_only_root_filesystem=True,
        capabilities=kubernetes.core.v1.CapabilitiesArgs(drop=["ALL"]),
        seccomp_profile=kubernetes.core.v1.SeccompProfileArgs(type="RuntimeDefault"),
    )


def pod_security(*, non_root: bool = True, run_as_user: int = 10001) -> kubernetes.core.v1.PodSecurityContextArgs:
    """A pod security context: RuntimeDefault seccomp and, unless the image needs root, a non-root user."""
    return kubernetes.core.v1.PodSecurityContextArgs(
        run_as_non_root=non_root or None,
        run_as_user=run_as_user if non_root else None,
        run_as_group=run_as_user if non_root else None,
        fs_group=run_as_user if non_root else None,
        seccomp_profile=kubernetes.core.v1.SeccompProfileArgs(type="RuntimeDefault"),
    )


def resources(
    *, cpu: str = "50m", memory: str = "64Mi", cpu_limit: str = "500m", memory_limit: str = "256Mi"
) -> kubernetes.core.v1.ResourceRequirementsArgs:
    """Requests and limits for a small test-bed container."""
    return kubernetes.core.v1.ResourceRequirementsArgs(
        requests={"cpu": cpu, "memory": memory},
        limits={"cpu": cpu_limit, "memory": memory_limit},
    )


def http_probe(path: str, port: int | str, *, period_seconds: int = 10) -> kubernetes.core.v1.ProbeArgs:
    """An HTTP GET probe."""
    return kubernetes.core.v1.ProbeArgs(
        http_get=kubernetes.core.v1.HTTPGetActionArgs(path=path, port=port), period_seconds=period_seconds
    )


def pod_spec(
    *,
    containers: Sequence[kubernetes.core.v1.ContainerArgs],
    non_root: bool = True,
    placement: Placement | None = None,
    **fields: Any,
) -> kubernetes.core.v1.PodSpecArgs:
    """A pod spec with the conventions: pod security context, no service account token (no
    workload here talks to the API server), the placement's node selector and tolerations (what it
    waits for is the Deployment's to depend on); `fields` are any other PodSpec fields."""
    placement = placement or Placement()
    return kubernetes.core.v1.PodSpecArgs(
        security_context=pod_security(non_root=non_root),
        automount_service_account_token=False,
        node_selector=dict(placement.node_selector) or None,
        tolerations=[dict(t) for t in placement.tolerations] or None,
        containers=list(containers),
        **fields,
    )


def deployment(
    resource_name: str,
    *,
    name: pulumi.Input[str],
    namespace: pulumi.Input[str],
    labels: Mapping[str, str],
    replicas: int,
    pod: kubernetes.core.v1.PodSpecArgs,
    opts: pulumi.ResourceOptions,
    annotations: Mapping[str, str] | None = None,
    template_annotations: Mapping[str, str] | None = None,
) -> kubernetes.apps.v1.Deployment:
    """A Deployment whose selector and pod template carry `labels` (the object also says who manages it)."""
    return kubernetes.apps.v1.Deployment(
        resource_name,
        metadata=kubernetes.meta.v1.ObjectMetaArgs(
            name=name, namespace=namespace, labels={**labels, **MANAGED_BY}, annotations=annotations
        ),
        spec=kubernetes.apps.v1.DeploymentSpecArgs(
            replicas=replicas,
            selector=kubernetes.meta.v1.LabelSelectorArgs(match_labels=dict(labels)),
            template=kubernetes.core.v1.PodTemplateSpecArgs(
                metadata=kubernetes.meta.v1.ObjectMetaArgs(labels=dict(labels), annotations=template_annotations),
                spec=pod,
            ),
        ),
        opts=opts,
    )


def http_container(
    *,
    name: str,
    image: str,
    port: int,
    security_context: kubernetes.core.v1.SecurityContextArgs,
    resources: kubernetes.core.v1.ResourceRequirementsArgs,
    **fields: Any,
) -> kubernetes.core.v1.ContainerArgs:
    """A container serving HTTP on `port` (named `http`), ready and alive while `GET /` answers; `fields`
    are any other Container fields."""
    probe = http_probe("/", port)
    return kubernetes.core.v1.ContainerArgs(
        name=name,
        image=image,
        ports=[kubernetes.core.v1.ContainerPortArgs(container_port=port, name="http")],
        readiness_probe=probe,
        liveness_probe=probe,
        security_context=security_context,
        resources=resources,
        **fields,
    )


def empty_dirs(
    paths: Mapping[str, str],
) -> tuple[list[kubernetes.core.v1.VolumeMountArgs], list[kubernetes.core.v1.VolumeArgs]]:
    """Scratch directories (volume name -> mount path) on a read-only root file system: the container's
    mounts and the pod's emptyDir volumes, in the order given."""
    mounts = [kubernetes.core.v1.VolumeMountArgs(name=volume, mount_path=path) for volume, path in paths.items()]
    volumes = [
        kubernetes.core.v1.VolumeArgs(name=volume, empty_dir=kubernetes.core.v1.EmptyDirVolumeSourceArgs())
        for volume in paths
    ]
    return mounts, volumes


def service(
    resource_name: str,
    *,
    name: pulumi.Input[str],
    namespace: pulumi.Input[str],
    labels: Mapping[str, str],
    spec: kubernetes.core.v1.ServiceSpecArgs | Mapping[str, Any],
    opts: pulumi.ResourceOptions,
    annotations: pulumi.Input[Mapping[str, pulumi.Input[str]]] | None = None,
) -> kubernetes.core.v1.Service:
    """A Service labelled `labels` (the object also says who manages it); `spec` says what it selects."""
    return kubernetes.core.v1.Service(
        resource_name,
        metadata=kubernetes.meta.v1.ObjectMetaArgs(
            name=name, namespace=namespace, labels={**labels, **MANAGED_BY}, annotations=annotations
        ),
        spec=spec,
        opts=opts,
    )
