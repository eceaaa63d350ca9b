"""The lab's load balancers: nginx for the ALB beds, conntrack + nftables DNAT for the NLB beds.

A bed is built from an experiment's `bed` settings (seconds, already time-scaled), yields where
the server must listen and where the client connects, and is taken down on the way out, also on
failure and on Ctrl-C. Names are unique per run; nothing listens outside loopback or the
namespaces the bed made.
"""

from __future__ import annotations

import re
import secrets
import socket
import subprocess
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from testbed.lab.programs import start, stop, wait_listening
from testbed.lab.system import LabFailed, run

KEEP_ALIVE, ALB_IDLE, NLB_IDLE = "server.keepAliveSeconds", "alb.idleTimeoutSeconds", "nlb.tcpIdleTimeoutSeconds"
LISTENER_PORT, SERVER_PORT = 80, 8000
# RFC 2544's benchmarking range: routed nowhere, and here only inside the bed's own namespaces.
CLIENT_ADDRESS, VIP, LB_SERVER_SIDE, SERVER_ADDRESS = "198.18.1.1", "198.18.1.2", "198.18.2.1", "198.18.2.2"


@dataclass
class Bed:
    """Where the programs run and connect, and what the load balancer saw."""

    client_prefix: tuple[str, ...]
    server_prefix: tuple[str, ...]
    server_bind: str
    host: str
    port: int
    settings: dict[str, Any]
    observe: Callable[[], list[dict[str, Any]]] = field(default=lambda: [])


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def nginx_config(*, workdir: Path, listen_port: int, server_port: int, idle_seconds: float) -> str:
    """nginx as the ALB (research/lab.md): the idle timeout closes idle client connections with a
    FIN, and backend connections are kept for reuse with the same idle limit."""
    idle_ms = max(1, round(idle_seconds * 1000))
    temp = "\n".join(
        f"    {kind}_temp_path {workdir / ('nginx-' + kind)};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return f"""daemon off;
worker_processes 1;
pid {workdir / "nginx.pid"};
error_log {workdir / "nginx-error.log"} info;
events {{ worker_connections 64; }}
http {{
    access_log {workdir / "nginx-access.log"};
{temp}
    keepalive_timeout {idle_ms}ms;
    keepalive_requests 100000;
    upstream server {{
        server 127.0.0.1:{server_port};
        keepalive 8;
        keepalive_timeout {idle_ms}ms;
        keepalive_requests 100000;
    }}
    server {{
        listen 127.0.0.1:{listen_port};
        location / {{
            proxy_pass http://server;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
        }}
    }}
}}
"""


@contextmanager
def alb_bed(bed: Mapping[str, float], workdir: Path) -> Iterator[Bed]:
    """nginx on 127.0.0.1 in front of the server's loopback port, with the ALB's idle timeout."""
    listen_port, server_port = _free_port(), _free_port()
    config = workdir / "nginx.conf"
    config.write_text(
        nginx_config(workdir=workdir, listen_port=listen_port, server_port=server_port, idle_seconds=bed[ALB_IDLE])
    )
    log = workdir / "nginx.log"
    nginx = start(["nginx", "-c", str(config), "-p", str(workdir), "-e", str(workdir / "nginx-error.log")], log=log)
    try:
        wait_listening((), "127.0.0.1", listen_port, what="nginx", log=log)
        yield Bed(
            client_prefix=(),
            server_prefix=(),
            server_bind=f"127.0.0.1:{server_port}",
            host="127.0.0.1",
            port=listen_port,
            settings={
                "load_balancer": _nginx_version(),
                "idle_timeout_s": bed[ALB_IDLE],
                "keep_alive_s": bed[KEEP_ALIVE],
            },
        )
    finally:
        stop(nginx)


def _nginx_version() -> str:
    """'nginx/1.22.1' (nginx -v writes it on stderr)."""
    done = subprocess.run(["nginx", "-v"], capture_output=True, text=True, timeout=10, check=False)
    return done.stderr.strip().removeprefix("nginx version: ") or "nginx"


def nft_rules() -> str:
    """The NLB's forwarding: DNAT of the listener to the server, and a reset for any packet of a
    flow conntrack no longer knows (forwarded, or addressed to the VIP itself once un-NATed)."""
    return f"""table ip testbed_lab {{
    chain listener {{
        type nat hook prerouting priority dstnat; policy accept;
        ip daddr {VIP} tcp dport {LISTENER_PORT} dnat to {SERVER_ADDRESS}:{SERVER_PORT}
    }}
    chain forgotten_forward {{
        type filter hook forward priority filter; policy accept;
        ct state invalid counter reject with tcp reset
    }}
    chain forgotten_input {{
        type filter hook input priority filter; policy accept;
        ct state invalid counter reject with tcp reset
    }}
}}
"""


def _reset_counts(lb: str) -> dict[str, int]:
    listing = run(["ip", "netns", "exec", lb, "nft", "list", "table", "ip", "testbed_lab"], step="read nft counters")
    counts: dict[str, int] = {}
    for chain in ("forgotten_forward", "forgotten_input"):
        found = re.search(rf"chain {chain} \{{.*?counter packets (\d+)", listing, re.S)
        counts[chain] = int(found.group(1)) if found else 0
    return counts


@contextmanager
def nlb_bed(bed: Mapping[str, float], workdir: Path) -> Iterator[Bed]:
    """Three namespaces (client, lb, server) on two veth pairs; in lb, conntrack with the NLB's
    idle timeout as its established-flow timeout, strict tracking, DNAT, and resets."""
    idle = max(1, round(bed[NLB_IDLE]))
    base = "tb" + secrets.token_hex(3)
    client, lb, server = f"{base}-c", f"{base}-l", f"{base}-s"
    with ExitStack() as cleanup:
        for ns in (client, lb, server):
            run(["ip", "netns", "add", ns], step="make a network namespace")
            cleanup.callback(_delete_namespace, ns)
        for side, ns in (("c", client), ("s", server)):
            near, far = f"{base}{side}0", f"{base}{side}1"
            run(
                ["ip", "link", "add", near, "netns", ns, "type", "veth", "peer", "name", far, "netns", lb],
                step="link the namespaces",
            )
        steps = [
            (client, ["ip", "addr", "add", f"{CLIENT_ADDRESS}/24", "dev", f"{base}c0"]),
            (client, ["ip", "link", "set", f"{base}c0", "up"]),
            (lb, ["ip", "addr", "add", f"{VIP}/24", "dev", f"{base}c1"]),
            (lb, ["ip", "addr", "add", f"{LB_SERVER_SIDE}/24", "dev", f"{base}s1"]),
            (lb, ["ip", "link", "set", f"{base}c1", "up"]),
            (lb, ["ip", "link", "set", f"{base}s1", "up"]),
            (server, ["ip", "addr", "add", f"{SERVER_ADDRESS}/24", "dev", f"{base}s0"]),
            (server, ["ip", "link", "set", f"{base}s0", "up"]),
            (server, ["ip", "route", "add", "default", "via", LB_SERVER_SIDE]),
            *((ns, ["ip", "link", "set", "lo", "up"]) for ns in (client, lb, server)),
            (lb, ["sysctl", "-qw", "net.ipv4.ip_forward=1"]),
        ]
        for ns, argv in steps:
            run(["ip", "netns", "exec", ns, *argv], step="address the namespaces")
        run(["ip", "netns", "exec", lb, "nft", "-f", "-"], step="load the DNAT and reset rules", stdin=nft_rules())
        for setting in (
            f"net.netfilter.nf_conntrack_tcp_timeout_established={idle}",
            "net.netfilter.nf_conntrack_tcp_loose=0",
        ):
            run(["ip", "netns", "exec", lb, "sysctl", "-qw", setting], step="set conntrack's timeout")
        yield Bed(
            client_prefix=("ip", "netns", "exec", client),
            server_prefix=("ip", "netns", "exec", server),
            server_bind=f"{SERVER_ADDRESS}:{SERVER_PORT}",
            host=VIP,
            port=LISTENER_PORT,
            settings={
                "load_balancer": "Linux conntrack + nftables DNAT",
                "namespaces": [client, lb, server],
                "conntrack_tcp_timeout_established_s": idle,
                "conntrack_tcp_loose": 0,
                "keep_alive_s": bed[KEEP_ALIVE],
            },
            observe=lambda: [{"kind": "lab", "event": "lb-resets", **_reset_counts(lb)}],
        )


def _delete_namespace(name: str) -> None:
    with suppress(LabFailed):
        run(["ip", "netns", "del", name], step="delete a network namespace")


BEDS = {"alb": alb_bed, "nlb": nlb_bed}
