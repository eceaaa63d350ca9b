#!/usr/bin/env python3
"""A raw TCP server for seed 004's kimmap-backend: a banner naming the pod, then an echo.

Every connection first receives one line,
    kimmap-backend pod=<pod> node=<node> client=<address>:<port>
so a client sees which pod (and node) the Azure load balancer chose and which source address
reached the pod: a node address under externalTrafficPolicy Cluster (SNAT, maybe a second hop),
the client's own address under Local. Then every byte sent comes back. Each connection is
logged on stdout, load balancer probes included (they arrive from 168.63.129.16 under Local,
and through a node under Cluster).

Standard library only, so the pod runs it from a ConfigMap in a stock python image.

    python tcp_echo.py serve [--host 0.0.0.0] [--port 8888]       (POD_NAME, NODE_NAME, APP_NAME from the env)
    python tcp_echo.py client HOST PORT [--message TEXT] [--count N] [--interval S] [--timeout S]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import sys
import time
from dataclasses import dataclass, field

READ_CHUNK = 64 * 1024
DEFAULT_PORT = 8888


def banner(app: str, pod: str, node: str, peer: tuple[str, int]) -> bytes:
    """The first line a client receives."""
    return f"{app} pod={pod} node={node} client={peer[0]}:{peer[1]}\n".encode()


def parse_banner(line: str) -> dict[str, str]:
    """'kimmap-backend pod=a node=b client=c:1' -> {'app': 'kimmap-backend', 'pod': 'a', 'node': 'b', ...}."""
    app, *pairs = line.strip().split(" ")
    return {"app": app, **dict(pair.split("=", 1) for pair in pairs if "=" in pair)}


@dataclass
class EchoServer:
    """The server; `connections` counts what it has served (for logs and tests)."""

    app: str
    pod: str
    node: str
    connections: int = 0
    active: set[asyncio.Task] = field(default_factory=set)

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self.active.add(task)
        peer = writer.get_extra_info("peername") or ("?", 0)
        self.connections += 1
        started = time.monotonic()
        received = 0
        log(f"connect client={peer[0]}:{peer[1]}")
        try:
            writer.write(banner(self.app, self.pod, self.node, peer))
            await writer.drain()
            while data := await reader.read(READ_CHUNK):
                received += len(data)
                writer.write(data)
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass  # a TCP health probe connects and resets; so does a client that goes away
        finally:
            with contextlib.suppress(ConnectionError):
                writer.close()
                await writer.wait_closed()
            log(f"close client={peer[0]}:{peer[1]} bytes={received} seconds={time.monotonic() - started:.1f}")
            if task is not None:
                self.active.discard(task)

    async def serve(self, host: str, port: int, stop: asyncio.Event, grace_seconds: float = 5.0) -> None:
        """Serve until `stop` is set, then let open connections finish for up to `grace_seconds`."""
        server = await asyncio.start_server(self.handle, host, port, reuse_address=True)
        bound = server.sockets[0].getsockname()
        log(f"listening on {bound[0]}:{bound[1]} as {self.app} pod={self.pod} node={self.node}")
        async with server:
            await stop.wait()
            server.close()
            if self.active:
                _, pending = await asyncio.wait(set(self.active), timeout=grace_seconds)
                for task in pending:
                    task.cancel()
        log(f"stopped after {self.connections} connections")


@dataclass
class Exchange:
    """What a client saw: the banner and, per message sent, what came back."""

    banner: str
    echoes: list[bytes]
    sent: list[bytes]

    @property
    def ok(self) -> bool:
        return self.echoes == self.sent


async def talk(host: str, port: int, messages: list[bytes], *, timeout: float = 5.0, interval: float = 0.0) -> Exchange:
    """Connect, read the banner, send each message (waiting `interval` s between them) and read its echo.

    Every step is bounded by `timeout`; a long `interval` is how to watch the load balancer's TCP
    idle timeout end a quiet connection (the next send then fails with a reset).
    """
    reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout)
    try:
        line = await asyncio.wait_for(reader.readline(), timeout)
        echoes = []
        for i, message in enumerate(messages):
            if i and interval:
                await asyncio.sleep(interval)
            writer.write(message)
            await writer.drain()
            echoes.append(await asyncio.wait_for(reader.readexactly(len(message)), timeout))
        return Exchange(line.decode().rstrip("\n"), echoes, list(messages))
    finally:
        writer.close()
        with contextlib.suppress(ConnectionError):
            await writer.wait_closed()


def log(message: str) -> None:
    print(f"{time.strftime('%Y-%m-%dT%H:%M:%S')} {message}", flush=True)


async def _serve_main(args: argparse.Namespace) -> int:
    server = EchoServer(
        app=os.environ.get("APP_NAME", "kimmap-backend"),
        pod=os.environ.get("POD_NAME", "local"),
        node=os.environ.get("NODE_NAME", "local"),
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await server.serve(args.host, args.port, stop, grace_seconds=args.grace)
    return 0


async def _client_main(args: argparse.Namespace) -> int:
    messages = [f"{args.message} {i + 1}\n".encode() for i in range(args.count)]
    try:
        exchange = await talk(args.host, args.port, messages, timeout=args.timeout, interval=args.interval)
    except (TimeoutError, OSError, asyncio.IncompleteReadError) as err:
        print(f"error: {type(err).__name__}: {err}", file=sys.stderr)
        return 1
    print(exchange.banner)
    for sent, echoed in zip(exchange.sent, exchange.echoes, strict=True):
        verdict = "echo ok" if sent == echoed else "MISMATCH"
        print(f"{verdict}: {echoed.decode(errors='replace').rstrip()}")
    return 0 if exchange.ok else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1] if __doc__ else None)
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the server")
    serve.add_argument("--host", default="0.0.0.0")
    serve.add_argument("--port", type=int, default=int(os.environ.get("PORT", DEFAULT_PORT)))
    serve.add_argument("--grace", type=float, default=5.0, help="seconds open connections get on SIGTERM")
    client = commands.add_parser("client", help="connect, print the banner, check the echo")
    client.add_argument("host")
    client.add_argument("port", type=int)
    client.add_argument("--message", default="hello kimmap")
    client.add_argument("--count", type=int, default=1)
    client.add_argument("--interval", type=float, default=0.0, help="seconds between messages")
    client.add_argument("--timeout", type=float, default=5.0, help="seconds each step may take")
    args = parser.parse_args(argv)
    return asyncio.run(_serve_main(args) if args.command == "serve" else _client_main(args))


if __name__ == "__main__":
    sys.exit(main())
