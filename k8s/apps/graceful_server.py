"""A tiny HTTP server whose /health can be made to fail on demand, for zero-drop scale-in behind an ALB.

Seed 003 (after the AWS blog it quotes) makes a pod leave the ALB before it stops: the pod's
`preStop` hook makes the health endpoint fail and then sleeps, so the ALB health check and the
readiness probe mark the pod unhealthy and the ALB stops sending it requests while it still
serves the ones in flight; only then does the kubelet send SIGTERM. The blog's app did that
with `sed` on its own source; here the app has a drain switch instead:

    python graceful_server.py serve --port 8080 --drain-file /var/run/graceful/draining
    python graceful_server.py drain --drain-file /var/run/graceful/draining --sleep 120   # the preStop hook

- `GET /health` (`--health-path`): 200 `ok`, or 503 `draining` once the drain file exists;
- any other path: 200 with `Hostname: <pod>` and the path (count responses per pod with
  `grep Hostname | sort | uniq -c`); while draining, responses carry `Connection: close` so
  that no client or load balancer keeps reusing a connection to a leaving pod;
- HTTP/1.1 keep-alive, idle connections closed after 75 s (longer than the ALB's 60 s idle
  timeout, as AWS advises, so the ALB never reuses a connection the app has just closed);
- SIGTERM: stop accepting, let requests in flight finish (up to `--shutdown-grace` seconds), exit 0.

Standard library only: it runs on the stock python image from a ConfigMap.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

KEEP_ALIVE_SECONDS = 75


class _State:
    def __init__(self, drain_file: Path):
        self.drain_file = drain_file
        self.active = 0
        self.lock = threading.Lock()
        self.idle = threading.Condition(self.lock)

    @property
    def draining(self) -> bool:
        return self.drain_file.exists()


def make_handler(state: _State, hostname: str, health_path: str = "/health") -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        timeout = KEEP_ALIVE_SECONDS

        def do_GET(self) -> None:
            with state.lock:
                state.active += 1
            try:
                draining = state.draining
                if self.path.split("?", 1)[0] == health_path:
                    status, body = (503, "draining\n") if draining else (200, "ok\n")
                else:
                    status, body = 200, f"Hostname: {hostname}\nPath: {self.path}\n"
                payload = body.encode()
                self.send_response(status)
                self.send_header("Content-Type", "text/plain; charset=utf-8")
                self.send_header("Content-Length", str(len(payload)))
                if draining:
                    self.send_header("Connection", "close")
                    self.close_connection = True
                self.end_headers()
                self.wfile.write(payload)
            finally:
                with state.lock:
                    state.active -= 1
                    state.idle.notify_all()

        def log_message(self, format: str, *args) -> None:
            sys.stderr.write(f"{self.address_string()} {format % args}\n")

    return Handler


def serve(host: str, port: int, drain_file: Path, shutdown_grace: float, health_path: str = "/health") -> int:
    """Serve until SIGTERM or SIGINT; then finish requests in flight and return 0."""
    state = _State(drain_file)
    server = ThreadingHTTPServer((host, port), make_handler(state, socket.gethostname(), health_path))
    server.daemon_threads = True  # idle keep-alive connections must not hold the exit
    stopping = threading.Event()

    def stop(signum, frame) -> None:
        if not stopping.is_set():
            stopping.set()
            threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    bound_host, bound_port = server.server_address[:2]
    print(f"listening on {bound_host}:{bound_port}", flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
    deadline = time.monotonic() + shutdown_grace
    with state.lock:
        while state.active and time.monotonic() < deadline:
            state.idle.wait(timeout=max(0.0, deadline - time.monotonic()))
        left = state.active
    print(f"stopped; {left} request(s) still in flight", flush=True)
    return 0


def drain(drain_file: Path, sleep_seconds: float) -> int:
    """Make /health fail, then wait (the preStop hook: the ALB deregisters the pod meanwhile)."""
    drain_file.parent.mkdir(parents=True, exist_ok=True)
    drain_file.touch()
    print(f"draining: {drain_file} created; sleeping {sleep_seconds:g}s", flush=True)
    time.sleep(sleep_seconds)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    serve_cmd = commands.add_parser("serve", help="serve HTTP until SIGTERM")
    serve_cmd.add_argument("--host", default=os.environ.get("HOST", "0.0.0.0"))
    serve_cmd.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8080")))
    serve_cmd.add_argument("--drain-file", type=Path, required=True)
    serve_cmd.add_argument("--health-path", default="/health", help="the path that fails while draining")
    serve_cmd.add_argument("--shutdown-grace", type=float, default=10.0, help="seconds to finish requests on SIGTERM")
    drain_cmd = commands.add_parser("drain", help="make /health fail, then sleep (a preStop hook)")
    drain_cmd.add_argument("--drain-file", type=Path, required=True)
    drain_cmd.add_argument("--sleep", type=float, default=120.0, help="seconds to wait after failing /health")
    args = parser.parse_args(argv)
    if args.command == "serve":
        return serve(args.host, args.port, args.drain_file, args.shutdown_grace, args.health_path)
    return drain(args.drain_file, args.sleep)


if __name__ == "__main__":
    sys.exit(main())
