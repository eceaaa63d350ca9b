"""Pod conventions every workload shares: labels, a restricted security context, resources.

The security defaults follow the Kubernetes "restricted" Pod Security Standard (non-root, no
privilege escalation, all capabilities dropped, RuntimeDefault seccomp, read-only root file
system). A workload departs from them only where the seed's experiment needs it, and says why.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

MANAGED_BY = {"app.kubernetes.io/managed-by": "pulumi"}


def app_labels(app: str, **extra: str) -> dict[str, str]:
    """Selector labels of a workload (`app` as the seeds use it, plus the recommended name label)."""
    return {"app": app, "app.kubernetes.io/name": app, **extra}


def restricted_container_security(*, run_as_user: int = 10001) -> k8s.core.v1.SecurityContextArgs:
    """A container security context that meets the restricted Pod Security Standard."""
    return k8s.core.v1.SecurityContextArgs(
        run_as_non_root=True,
        run_as_user=run_as_user,
        run_as_group=run_as_user,
        allow_privilege_escalation=False,
        read_only_root_filesystem=True,
        capabilities=k8s.core.v1.CapabilitiesArgs(drop=["ALL"]),
        seccomp_profile=k8s.core.v1.SeccompProfileArgs(type="RuntimeDefault"),
    )


def pod_security(*, non_root: bool = True, run_as_user: int = 10001) -> k8s.core.v1.PodSecurityContextArgs:
    """A pod security context: RuntimeDefault seccomp and, unless the image needs root, a non-root user."""
    return k8s.core.v1.PodSecurityContextArgs(
        run_as_non_root=non_root or None,
        run_as_user=run_as_user if non_root else None,
        run_as_group=run_as_user if non_root else None,
        fs_group=run_as_user if non_root else None,
        seccomp_profile=k8s.core.v1.SeccompProfileArgs(type="RuntimeDefault"),
    )


def resources(
    *, cpu: str = "50m", memory: str = "64Mi", cpu_limit: str = "500m", memory_limit: str = "256Mi"
) -> k8s.core.v1.ResourceRequirementsArgs:
    """Requests and limits for a small test-bed container."""
    return k8s.core.v1.ResourceRequirementsArgs(
        requests={"cpu": cpu, "memory": memory},
        limits={"cpu": cpu_limit, "memory": memory_limit},
    )


def http_probe(path: str, port: int | str, *, period_seconds: int = 10) -> k8s.core.v1.ProbeArgs:
    """An HTTP GET probe."""
    return k8s.core.v1.ProbeArgs(
        http_get=k8s.core.v1.HTTPGetActionArgs(path=path, port=port), period_seconds=period_seconds
    )


def pod_spec(
    *,
    containers: Sequence[k8s.core.v1.ContainerArgs],
    non_root: bool = True,
    node_selector: Mapping[str, str] | None = None,
    tolerations: Sequence[Mapping[str, str]] = (),
    **fields: Any,
) -> k8s.core.v1.PodSpecArgs:
    """A pod spec with the conventions: pod security context, no service account token (no
    workload here talks to the API server), placement; `fields` are any other PodSpec fields."""
    return k8s.core.v1.PodSpecArgs(
        security_context=pod_security(non_root=non_root),
        automount_service_account_token=False,
        node_selector=dict(node_selector or {}) or None,
        tolerations=[dict(t) for t in tolerations] or None,
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
    pod: k8s.core.v1.PodSpecArgs,
    opts: pulumi.ResourceOptions,
    annotations: Mapping[str, str] | None = None,
    template_annotations: Mapping[str, str] | None = None,
) -> k8s.apps.v1.Deployment:
    """A Deployment whose selector and pod template carry `labels` (the object also says who manages it)."""
    return k8s.apps.v1.Deployment(
        resource_name,
        metadata=k8s.meta.v1.ObjectMetaArgs(
            name=name, namespace=namespace, labels={**labels, **MANAGED_BY}, annotations=annotations
        ),
        spec=k8s.apps.v1.DeploymentSpecArgs(
            replicas=replicas,
            selector=k8s.meta.v1.LabelSelectorArgs(match_labels=dict(labels)),
            template=k8s.core.v1.PodTemplateSpecArgs(
                metadata=k8s.meta.v1.ObjectMetaArgs(labels=dict(labels), annotations=template_annotations),
                spec=pod,
            ),
        ),
        opts=opts,
    )
