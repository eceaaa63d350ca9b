"""The keep-alive test client (seed 000): one request every INTERVAL seconds over one reused connection.

    python client.py INTERVAL [COUNT]

Reads the seed's environment: HOST (required), PORT (default 80, or 443 with TLS),
HOST_HEADER (default HOST), USE_TLS (true/false, default false), ENDPOINT (default /index);
and, for bounds: TIMEOUT (seconds to connect or to wait for an answer, default 120, longer than
an ALB's default 60 s idle timeout so that the load balancer answers first) and MAX_SECONDS
(stop after this long, default 3600). TLS_VERIFY=false skips certificate checks.

It keeps ONE keep-alive connection and watches it while idle: when the peer closes it (FIN) or
resets it (RST) between two requests, it says so, closes its end at once (so no request is
ever written into a dead connection) and opens a new one for the next request. It never
retries: a request that fails is reported as failed, and the next request, INTERVAL seconds
later, opens a new connection and says why.

Output, one JSON object per line on stdout:
  {"event": "start", ...settings}
  {"event": "request", "seq", "time", "status", "ok", "latency_ms", "connection": "new" |
   "reused" | "reopened", "reason", "conn", "conn_requests", "local_port", "remote", "idle_s",
   "peer_closed_after_s", "error", "server", "server_peer", "server_closing"}
  {"event": "summary", "requests", "ok", "failed", "connections", "reused", "reopened": {reason:
   count}, "errors": {kind: count}, "statuses": {code: count}, "stopped", "elapsed_s"}
Exit status: 0 when every request succeeded, 1 when any failed, 2 for bad usage.
Standard library only, so that any Python 3.11+ image runs it.
"""

from __future__ import annotations

import contextlib
import errno
import http.client
import json
import os
import select
import socket
import ssl
import sys
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TextIO

PEER_FIN = "peer FIN while idle"
PEER_RST = "peer RST while idle"
UNEXPECTED_DATA = "unexpected data while idle"
SERVER_CLOSING = "server sent Connection: close"
USAGE = "usage: client.py INTERVAL [COUNT]   (env HOST required; PORT, HOST_HEADER, USE_TLS, ENDPOINT optional)"


class UsageError(ValueError):
    """Bad arguments or environment: the message says which and why."""


@dataclass(frozen=True)
class Settings:
    host: str
    port: int
    host_header: str
    use_tls: bool
    endpoint: str
    interval: float
    count: int | None
    timeout: float
    max_seconds: float
    tls_verify: bool = True


def _flag(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in ("true", "1", "yes"):
        return True
    if raw in ("false", "0", "no"):
        return False
    raise UsageError(f"{name}={env[name]!r}: expected true or false")


def _number(raw: str, name: str, *, minimum: float, integer: bool = False) -> float:
    try:
        value = int(raw) if integer else float(raw)
    except ValueError:
        raise UsageError(f"{name}={raw!r}: expected a {'whole ' if integer else ''}number") from None
    if not value >= minimum or value != value or value == float("inf"):
        raise UsageError(f"{name}={raw!r}: must be a finite number >= {minimum:g}")
    return value


def parse_settings(argv: list[str], env: Mapping[str, str]) -> Settings:
    """Settings from the command line (INTERVAL [COUNT]) and the environment."""
    if not 1 <= len(argv) <= 2:
        raise UsageError(USAGE)
    interval = _number(argv[0], "INTERVAL", minimum=0)
    count = int(_number(argv[1], "COUNT", minimum=1, integer=True)) if len(argv) == 2 else None
    host = env.get("HOST", "").strip()
    if not host:
        raise UsageError("HOST is not set: the load balancer's DNS name (or any host) to send requests to")
    use_tls = _flag(env, "USE_TLS", False)
    port = int(_number(env.get("PORT") or ("443" if use_tls else "80"), "PORT", minimum=1, integer=True))
    if port > 65535:
        raise UsageError(f"PORT={port}: must be at most 65535")
    endpoint = env.get("ENDPOINT", "").strip() or "/index"
    if not endpoint.startswith("/"):
        raise UsageError(f"ENDPOINT={endpoint!r}: must start with /")
    return Settings(
        host=host,
        port=port,
        host_header=env.get("HOST_HEADER", "").strip() or host,
        use_tls=use_tls,
        endpoint=endpoint,
        interval=interval,
        count=count,
        timeout=_number(env.get("TIMEOUT") or "120", "TIMEOUT", minimum=0.001),
        max_seconds=_number(env.get("MAX_SECONDS") or "3600", "MAX_SECONDS", minimum=0),
        tls_verify=_flag(env, "TLS_VERIFY", True),
    )


def error_kind(exc: BaseException) -> str:
    """A short, stable name for what went wrong on the wire."""
    if isinstance(exc, ConnectionResetError):
        return "reset"
    if isinstance(exc, BrokenPipeError):
        return "broken pipe"
    if isinstance(exc, ConnectionRefusedError):
        return "refused"
    if isinstance(exc, TimeoutError):
        return "timeout"
    if isinstance(exc, http.client.RemoteDisconnected):
        return "closed"  # the peer closed the connection without answering
    if isinstance(exc, http.client.HTTPException):
        return "bad response"
    if isinstance(exc, socket.gaierror):
        return "dns"
    if isinstance(exc, ssl.SSLError):
        return "tls"
    if isinstance(exc, OSError) and exc.errno:
        return errno.errorcode.get(exc.errno, str(exc.errno))
    return type(exc).__name__


def idle_state(sock: socket.socket) -> str | None:
    """Why an idle connection can no longer carry a request (peer FIN, RST, stray bytes), or None.

    Looks without consuming: MSG_PEEK on a non-blocking read. A closed-by-peer socket reads as
    b"" (FIN received, we are in CLOSE_WAIT); a reset one raises ECONNRESET.
    """
    try:
        readable, _, _ = select.select([sock], [], [], 0)
    except (OSError, ValueError):
        return "socket error while idle"
    if not readable:
        return None
    timeout = sock.gettimeout()
    sock.settimeout(0.0)
    try:
        # An SSLSocket cannot peek; any application byte arriving now is a protocol error anyway.
        data = sock.recv(1) if isinstance(sock, ssl.SSLSocket) else sock.recv(1, socket.MSG_PEEK)
    except (BlockingIOError, ssl.SSLWantReadError):
        return None  # e.g. a TLS 1.3 session ticket: not application data, the connection is fine
    except ConnectionResetError:
        return PEER_RST
    except OSError as err:
        return f"{error_kind(err)} while idle"
    finally:
        sock.settimeout(timeout)
    return PEER_FIN if data == b"" else UNEXPECTED_DATA


@dataclass
class Connection:
    sock: socket.socket
    number: int
    local_port: int
    remote: str
    last_used: float = field(default_factory=time.monotonic)
    requests: int = 0
    closed_reason: str | None = None
    closed_after_idle: float | None = None

    def close(self, reason: str, idle: float | None = None) -> None:
        if self.closed_reason is None:
            self.closed_reason, self.closed_after_idle = reason, idle
        with contextlib.suppress(OSError):
            self.sock.close()


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class Client:
    """One keep-alive connection, watched while idle, never retried behind the user's back."""

    def __init__(self, settings: Settings, out: TextIO, clock: Callable[[], float] = time.monotonic):
        self.settings = settings
        self.out = out
        self.clock = clock
        self.conn: Connection | None = None
        self.connections = 0
        self.lines: list[dict[str, Any]] = []
        self.request_bytes = (
            f"GET {settings.endpoint} HTTP/1.1\r\n"
            f"Host: {settings.host_header}\r\n"
            "User-Agent: testbed-keepalive-client\r\n"
            "Accept: */*\r\n"
            "Connection: keep-alive\r\n\r\n"
        ).encode()

    def emit(self, line: dict[str, Any]) -> None:
        self.lines.append(line)
        self.out.write(json.dumps(line) + "\n")
        self.out.flush()

    def _open(self) -> Connection:
        s = self.settings
        sock = socket.create_connection((s.host, s.port), timeout=s.timeout)
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if s.use_tls:
                context = ssl.create_default_context()
                if not s.tls_verify:
                    context.check_hostname = False
                    context.verify_mode = ssl.CERT_NONE
                sock = context.wrap_socket(sock, server_hostname=s.host_header)
            local = sock.getsockname()
            remote = sock.getpeername()
        except BaseException:
            sock.close()
            raise
        self.connections += 1
        return Connection(sock, self.connections, local[1], f"{remote[0]}:{remote[1]}")

    def watch_idle(self, seconds: float) -> None:
        """Wait `seconds`, noticing at once when the peer closes or resets the idle connection."""
        end = self.clock() + seconds
        while (remaining := end - self.clock()) > 0:
            conn = self.conn
            if conn is None or conn.closed_reason is not None:
                time.sleep(remaining)
                return
            try:
                readable, _, _ = select.select([conn.sock], [], [], remaining)
            except (OSError, ValueError):
                readable = [conn.sock]
            if readable and (reason := idle_state(conn.sock)) is not None:
                conn.close(reason, round(self.clock() - conn.last_used, 3))

    def request(self, seq: int) -> dict[str, Any]:
        """Send one request; the JSON line that reports it."""
        s = self.settings
        line: dict[str, Any] = {
            "event": "request",
            "seq": seq,
            "time": utc_now(),
            "endpoint": s.endpoint,
            "status": None,
            "ok": False,
            "latency_ms": None,
            "connection": None,
            "reason": None,
            "conn": None,
            "conn_requests": None,
            "local_port": None,
            "remote": None,
            "connect_ms": None,
            "idle_s": None,
            "peer_closed_after_s": None,
            "error": None,
            "server": None,
            "server_peer": None,
            "server_closing": None,
        }
        started = self.clock()
        conn = self.conn
        previous: Connection | None = None
        if conn is not None and conn.closed_reason is None and (reason := idle_state(conn.sock)) is not None:
            conn.close(reason, round(started - conn.last_used, 3))
        if conn is not None and conn.closed_reason is not None:
            previous, conn, self.conn = conn, None, None

        status: int | None = None
        try:
            if conn is None:
                line["connection"] = "new" if previous is None and self.connections == 0 else "reopened"
                if previous is not None:
                    line["reason"] = previous.closed_reason
                    line["peer_closed_after_s"] = previous.closed_after_idle
                conn = self.conn = self._open()
                line["connect_ms"] = round((self.clock() - started) * 1000, 3)
            else:
                line["connection"] = "reused"
                line["idle_s"] = round(started - conn.last_used, 3)
            line.update(conn=conn.number, local_port=conn.local_port, remote=conn.remote)
            conn.requests += 1
            line["conn_requests"] = conn.requests
            conn.sock.sendall(self.request_bytes)
            response = http.client.HTTPResponse(conn.sock, method="GET")
            try:
                response.begin()
                body = response.read()
            finally:
                response.close()
            status = response.status
            line["server_closing"] = bool(response.will_close)
            line.update(_server_fields(body))
            conn.last_used = self.clock()
            if response.will_close:
                conn.close(SERVER_CLOSING)
        except Exception as err:  # every failure is reported, none is retried
            line["error"] = f"{error_kind(err)}: {err}" if str(err) else error_kind(err)
            if conn is not None:
                conn.close(f"previous request failed ({error_kind(err)})")
        line["status"] = status
        line["ok"] = status is not None and 200 <= status < 400 and line["error"] is None
        line["latency_ms"] = round((self.clock() - started) * 1000, 3)
        self.emit(line)
        return line

    def run(self) -> int:
        s = self.settings
        self.emit(
            {
                "event": "start",
                "time": utc_now(),
                "host": s.host,
                "port": s.port,
                "host_header": s.host_header,
                "use_tls": s.use_tls,
                "endpoint": s.endpoint,
                "interval": s.interval,
                "count": s.count,
                "timeout": s.timeout,
                "max_seconds": s.max_seconds,
            }
        )
        started = self.clock()
        stopped = "count"
        seq = 0
        try:
            while s.count is None or seq < s.count:
                if self.clock() - started > s.max_seconds:
                    stopped = "time limit"
                    break
                seq += 1
                self.request(seq)
                if s.count is not None and seq >= s.count:
                    break
                if self.clock() - started + s.interval > s.max_seconds:
                    stopped = "time limit"
                    break
                self.watch_idle(s.interval)
        except KeyboardInterrupt:
            stopped = "interrupted"
        finally:
            if self.conn is not None:
                self.conn.close("client done")
        summary = summarize(self.lines, stopped, round(self.clock() - started, 3))
        self.emit(summary)
        return 0 if summary["failed"] == 0 else 1


def _server_fields(body: bytes) -> dict[str, Any]:
    """`server` and `server_peer` from the test server's JSON answer, when it is one."""
    try:
        data = json.loads(body)
    except ValueError:
        return {}
    if not isinstance(data, dict):
        return {}
    return {"server": data.get("hostname"), "server_peer": data.get("peer")}


def summarize(lines: list[dict[str, Any]], stopped: str, elapsed: float) -> dict[str, Any]:
    requests = [line for line in lines if line.get("event") == "request"]
    return {
        "event": "summary",
        "requests": len(requests),
        "ok": sum(1 for r in requests if r["ok"]),
        "failed": sum(1 for r in requests if not r["ok"]),
        "connections": len({r["conn"] for r in requests if r.get("conn") is not None}),
        "reused": sum(1 for r in requests if r["connection"] == "reused"),
        "reopened": dict(Counter(r["reason"] for r in requests if r["connection"] == "reopened")),
        "errors": dict(Counter(r["error"].split(":")[0] for r in requests if r["error"])),
        "statuses": dict(Counter(str(r["status"]) for r in requests if r["status"] is not None)),
        "stopped": stopped,
        "elapsed_s": elapsed,
    }


def main(argv: list[str] | None = None, env: Mapping[str, str] | None = None) -> int:
    try:
        settings = parse_settings(sys.argv[1:] if argv is None else argv, os.environ if env is None else env)
    except UsageError as err:
        print(err, file=sys.stderr)
        return 2
    return Client(settings, sys.stdout).run()


if __name__ == "__main__":
    sys.exit(main())
