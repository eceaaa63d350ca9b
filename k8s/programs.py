"""Programs mounted from a ConfigMap: how the code in k8s/apps/ reaches a stock Python image.

One ConfigMap holds the program files; the pod mounts it read-only; the pod template carries a
hash of the files, so that changing a program changes the template and rolls the pods (a
ConfigMap edit alone would not). The keep-alive server and client, the TCP echo server and the
graceful app all ship this way, through `mount_programs`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_kubernetes as kubernetes

from k8s.pods import MANAGED_BY

PROGRAMS_HASH = "testbed/programs-sha256"
"""Pod template annotation: the hash of the mounted files."""
READ_ONLY_FILES = 0o444


def files_digest(files: Mapping[str, str]) -> str:
    """SHA-256 over the files' names and texts, in name order: equal for equal files, whatever their order."""
    h = hashlib.sha256()
    for name in sorted(files):
        h.update(name.encode() + b"\0" + files[name].encode() + b"\0")
    return h.hexdigest()


@dataclass(frozen=True)
class MountedPrograms:
    """What a Deployment needs of the programs: the ConfigMap, its volume, the mount, the hash annotation."""

    config_map: kubernetes.core.v1.ConfigMap
    volume: kubernetes.core.v1.VolumeArgs
    mount: kubernetes.core.v1.VolumeMountArgs
    """Read-only, at the mount path: for the container that runs the programs."""
    annotations: dict[str, str]
    """{PROGRAMS_HASH: digest}: put on the pod template."""


def mount_programs(
    resource_name: str,
    *,
    name: str,
    namespace: pulumi.Input[str],
    labels: Mapping[str, str],
    files: Mapping[str, str],
    mount_path: str,
    opts: pulumi.ResourceOptions,
    volume_name: str = "programs",
) -> MountedPrograms:
    """The ConfigMap `name` holding `files` (file name -> text), mounted at `mount_path` as `volume_name`."""
    config_map = kubernetes.core.v1.ConfigMap(
        resource_name,
        metadata=kubernetes.meta.v1.ObjectMetaArgs(name=name, namespace=namespace, labels={**labels, **MANAGED_BY}),
        data=dict(files),
        opts=opts,
    )
    return MountedPrograms(
        config_map=config_map,
        volume=kubernetes.core.v1.VolumeArgs(
            name=volume_name,
            config_map=kubernetes.core.v1.ConfigMapVolumeSourceArgs(
                name=config_map.metadata.name, default_mode=READ_ONLY_FILES
            ),
        ),
        mount=kubernetes.core.v1.VolumeMountArgs(name=volume_name, mount_path=mount_path, read_only=True),
        annotations={PROGRAMS_HASH: files_digest(files)},
    )
