"""Pod conventions every workload shares: labels, a restricted security context, resources.

The security defaults follow the Kubernetes "restricted" Pod Security Standard (non-root, no
privilege escalation, all capabilities dropped, RuntimeDefault seccomp, read-only root file
system). A workload departs from them only where the seed's experiment needs it, and says why.
"""

from __future__ import annotations

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
