"""How the keep-alive programs (k8s/apps/keepalive) reach the pods, with no image to build.

They are mounted from a ConfigMap (k8s/programs.py) into the pinned stock Python image; the
server's dependencies are installed by an init container into an emptyDir with `pip
--require-hashes` from the pinned, hashed requirements.txt. With `ProgramImage.custom_image`
(built from the Dockerfile next to the programs) the pods run that image instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pulumi
import pulumi_kubernetes as kubernetes

from k8s.pods import app_labels, resources, restricted_container_security
from k8s.programs import MountedPrograms, mount_programs
from k8s.versions import PYTHON_IMAGE

APP_DIR = Path(__file__).resolve().parent / "apps" / "keepalive"
SERVER_FILES = ("app.py", "requirements.txt")
CLIENT_FILES = ("client.py",)
PROGRAMS_DIR = "/app"
DEPS_DIR = "/deps"


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


def install_container(
    python_image: str, programs: kubernetes.core.v1.VolumeMountArgs
) -> kubernetes.core.v1.ContainerArgs:
    """The init container that installs the server's pinned, hashed dependencies into /deps."""
    return kubernetes.core.v1.ContainerArgs(
        name="install-dependencies",
        image=python_image,
        command=install_command(),
        env=[
            kubernetes.core.v1.EnvVarArgs(name="HOME", value="/tmp"),
            kubernetes.core.v1.EnvVarArgs(name="PIP_DISABLE_PIP_VERSION_CHECK", value="1"),
        ],
        volume_mounts=[
            kubernetes.core.v1.VolumeMountArgs(name="tmp", mount_path="/tmp"),
            programs,
            kubernetes.core.v1.VolumeMountArgs(name="deps", mount_path=DEPS_DIR),
        ],
        resources=resources(cpu="100m", memory="128Mi", cpu_limit="1", memory_limit="256Mi"),
        security_context=restricted_container_security(),
    )


def mount_keepalive_programs(
    name: str, app: str, namespace: str, files: Sequence[str], opts: pulumi.ResourceOptions
) -> MountedPrograms:
    """The ConfigMap `<app>-programs` of these files from k8s/apps/keepalive, mounted at /app."""
    return mount_programs(
        f"{name}-programs",
        name=f"{app}-programs",
        namespace=namespace,
        labels=app_labels(app),
        files=program_files(files),
        mount_path=PROGRAMS_DIR,
        opts=opts,
    )
