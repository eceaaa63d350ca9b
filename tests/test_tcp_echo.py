"""The TCP server of k8s/apps/tcp_echo.py, for real on 127.0.0.1: banner, echo, probes, shutdown.

Servers listen on 127.0.0.1, on ephemeral ports; every wait is bounded.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from k8s.apps.tcp_echo import EchoServer, banner, parse_banner, talk

PROGRAM = Path(__file__).resolve().parents[1] / "k8s" / "apps" / "tcp_echo.py"
TIMEOUT = 5.0


async def _with_server(server: EchoServer, body):
    """Run `server` on 127.0.0.1:<ephemeral> while `body(port)` runs; stop it after."""
    stop = asyncio.Event()
    ready: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    async def serve():
        srv = await asyncio.start_server(server.handle, "127.0.0.1", 0)
        ready.set_result(srv.sockets[0].getsockname()[1])
        async with srv:
            await stop.wait()

    task = asyncio.create_task(serve())
    try:
        port = await asyncio.wait_for(ready, TIMEOUT)
        return await asyncio.wait_for(body(port), TIMEOUT * 2)
    finally:
        stop.set()
        await asyncio.wait_for(task, TIMEOUT)


def test_banner_names_the_pod_node_and_client_then_echoes():
    server = EchoServer(app="kimmap-backend", pod="kimmap-backend-7d9f-abcde", node="aks-server-1")
    messages = [b"hello\n", b"\x00\xffbinary", b"x" * 200_000]

    exchange = asyncio.run(_with_server(server, lambda port: talk("127.0.0.1", port, messages, timeout=TIMEOUT)))

    fields = parse_banner(exchange.banner)
    assert fields["app"] == "kimmap-backend"
    assert fields["pod"] == "kimmap-backend-7d9f-abcde"
    assert fields["node"] == "aks-server-1"
    assert re.fullmatch(r"127\.0\.0\.1:\d+", fields["client"]), "the pod reports the source address it saw"
    assert exchange.echoes == messages and exchange.ok
    assert server.connections == 1


def test_many_clients_at_once_each_get_their_own_echo():
    server = EchoServer(app="kimmap-backend", pod="p", node="n")

    async def body(port):
        return await asyncio.gather(*(talk("127.0.0.1", port, [f"client {i}\n".encode()]) for i in range(20)))

    exchanges = asyncio.run(_with_server(server, body))
    assert all(e.ok for e in exchanges)
    assert len({parse_banner(e.banner)["client"] for e in exchanges}) == 20
    assert server.connections == 20


def test_a_probe_that_connects_and_resets_does_not_hurt_the_server():
    server = EchoServer(app="kimmap-backend", pod="p", node="n")

    async def body(port):
        # What an Azure TCP probe does: open, then drop the connection without reading.
        for _ in range(5):
            with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as probe:
                probe.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        return await talk("127.0.0.1", port, [b"still here\n"])

    assert asyncio.run(_with_server(server, body)).ok


def test_banner_format_round_trips():
    line = banner("kimmap-backend", "pod-1", "node-1", ("203.0.113.9", 51000)).decode()
    assert line == "kimmap-backend pod=pod-1 node=node-1 client=203.0.113.9:51000\n"
    assert parse_banner(line) == {
        "app": "kimmap-backend",
        "pod": "pod-1",
        "node": "node-1",
        "client": "203.0.113.9:51000",
    }


@pytest.fixture
def served():
    """The program as the pod runs it (python -I -B, env from the downward API), on an ephemeral port."""
    env = {**os.environ, "POD_NAME": "kimmap-backend-0", "NODE_NAME": "aks-server-0", "APP_NAME": "kimmap-backend"}
    proc = subprocess.Popen(
        [sys.executable, "-I", "-B", str(PROGRAM), "serve", "--host", "127.0.0.1", "--port", "0", "--grace", "1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    try:
        deadline = time.monotonic() + TIMEOUT
        first = proc.stdout.readline()
        match = re.search(r"listening on 127\.0\.0\.1:(\d+)", first)
        assert match and time.monotonic() < deadline, f"server did not start: {first!r}"
        yield proc, int(match.group(1))
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(TIMEOUT)


def test_the_shipped_program_serves_a_client_and_stops_cleanly_on_sigterm(served):
    proc, port = served
    client = subprocess.run(
        [sys.executable, "-I", "-B", str(PROGRAM), "client", "127.0.0.1", str(port), "--count", "3", "--timeout", "5"],
        capture_output=True,
        text=True,
        timeout=TIMEOUT * 2,
    )
    assert client.returncode == 0, client.stderr
    lines = client.stdout.splitlines()
    assert lines[0].startswith("kimmap-backend pod=kimmap-backend-0 node=aks-server-0 client=127.0.0.1:")
    assert lines[1:] == ["echo ok: hello kimmap 1", "echo ok: hello kimmap 2", "echo ok: hello kimmap 3"]

    proc.send_signal(signal.SIGTERM)
    output, _ = proc.communicate(timeout=TIMEOUT)
    assert proc.returncode == 0
    assert re.search(r"connect client=127\.0\.0\.1:\d+", output)
    assert re.search(r"close client=127\.0\.0\.1:\d+ bytes=45 ", output)
    assert "stopped after 1 connections" in output


def test_the_client_fails_when_nothing_listens():
    with socket.socket() as placeholder:
        placeholder.bind(("127.0.0.1", 0))
        port = placeholder.getsockname()[1]  # bound, not listening: the connection is refused
        client = subprocess.run(
            [sys.executable, "-I", "-B", str(PROGRAM), "client", "127.0.0.1", str(port), "--timeout", "2"],
            capture_output=True,
            text=True,
            timeout=TIMEOUT * 2,
        )
    assert client.returncode == 1
    assert client.stderr.startswith("error: ConnectionRefusedError")
