"""Packet capture: a tcpdump sidecar that writes pcap files the user fetches with `kubectl cp`.

Seed 000 read the client's and the server's packets in Wireshark (who sent the FIN, when the
ALB opened a new backend connection). A sidecar shares the pod's network namespace, so it sees
exactly the pod's traffic. It writes a ring of pcap files (`-C` MB each, `-W` files) into an
emptyDir, packet-buffered (`-U`) so that a copy taken mid-run holds the latest packets.

This departs from the restricted pod conventions on purpose, and only when the capture knob is
on: capturing needs a raw socket, i.e. the NET_RAW capability (NET_ADMIN for the interface
settings libpcap may touch), and Kubernetes grants added capabilities only to a root process
(no ambient capabilities for non-root users). So the sidecar runs as uid 0 with every other
capability dropped, no privilege escalation, and a read-only root file system. The image's
tcpdump (Alpine's, built without `--with-user`) never switches user, so it needs no SETUID.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass

import pulumi_kubernetes as kubernetes

from k8s.pods import resources
from k8s.versions import NETSHOOT_IMAGE

CONTAINER = "tcpdump"
VOLUME = "captures"
CAPTURE_DIR = "/captures"


@dataclass(frozen=True, kw_only=True)
class PacketCapture:
    """What the tcpdump sidecars capture and how much they keep."""

    image: str = NETSHOOT_IMAGE
    """An image with tcpdump and tar (kubectl cp needs tar)."""
    file_megabytes: int = 100
    """Size of one pcap file (tcpdump -C)."""
    files: int = 5
    """Files kept in the ring (tcpdump -W); the oldest is overwritten."""

    def problems(self) -> list[tuple[str, str]]:
        found = []
        if not 1 <= self.file_megabytes <= 1000:
            found.append(("file_megabytes", f"{self.file_megabytes} is not between 1 and 1000"))
        if not 1 <= self.files <= 100:
            found.append(("files", f"{self.files} is not between 1 and 100"))
        if not self.image:
            found.append(("image", "must name an image with tcpdump"))
        return found


def tcpdump_args(capture: PacketCapture, *, role: str, port: int) -> list[str]:
    """tcpdump on every interface of the pod, TCP `port` only, into a ring of pcap files."""
    return [
        "tcpdump",
        "-i",
        "any",
        "-nn",
        "-s",
        "0",
        "-U",
        "-C",
        str(capture.file_megabytes),
        "-W",
        str(capture.files),
        "-w",
        f"{CAPTURE_DIR}/{role}.pcap",
        "tcp",
        "port",
        str(port),
    ]


def tcpdump_container(capture: PacketCapture, *, role: str, port: int) -> kubernetes.core.v1.ContainerArgs:
    """The sidecar: root with NET_RAW and NET_ADMIN only (see the module docstring for why)."""
    return kubernetes.core.v1.ContainerArgs(
        name=CONTAINER,
        image=capture.image,
        command=tcpdump_args(capture, role=role, port=port),
        volume_mounts=[kubernetes.core.v1.VolumeMountArgs(name=VOLUME, mount_path=CAPTURE_DIR)],
        resources=resources(cpu="20m", memory="32Mi", cpu_limit="200m", memory_limit="128Mi"),
        security_context=kubernetes.core.v1.SecurityContextArgs(
            run_as_user=0,
            run_as_non_root=False,
            allow_privilege_escalation=False,
            read_only_root_filesystem=True,
            capabilities=kubernetes.core.v1.CapabilitiesArgs(add=["NET_RAW", "NET_ADMIN"], drop=["ALL"]),
            seccomp_profile=kubernetes.core.v1.SeccompProfileArgs(type="RuntimeDefault"),
        ),
    )


def captures_volume(capture: PacketCapture) -> kubernetes.core.v1.VolumeArgs:
    """The emptyDir holding the ring of pcap files, sized for it (plus a margin)."""
    megabytes = capture.file_megabytes * capture.files
    return kubernetes.core.v1.VolumeArgs(
        name=VOLUME,
        empty_dir=kubernetes.core.v1.EmptyDirVolumeSourceArgs(size_limit=f"{megabytes + megabytes // 10 + 10}M"),
    )


def fetch_command(*, namespace: str, app: str, destination: str) -> str:
    """The shell line that copies a pod's pcap files to `destination` on the user's machine."""
    pod = f"$(kubectl -n {namespace} get pod -l app={app} -o jsonpath='{{.items[0].metadata.name}}')"
    return f"kubectl -n {namespace} cp -c {CONTAINER} {pod}:{CAPTURE_DIR} {shlex.quote(destination)}"
