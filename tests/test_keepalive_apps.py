"""The keep-alive programs for real, on loopback: gunicorn serving app.py exactly as the pods run
it (the same command line, with keep-alive 2 s), and client.py run as a program, judged by
its JSON lines. Misbehaving peers (RST while idle, a silently dropped flow, no answer) are small
socket servers here. Everything listens on 127.0.0.1, on ephemeral ports, with deadlines.
"""

from __future__ import annotations

import http.client
import importlib.util
import json
import os
import re
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from k8s.keepalive import APP_DIR, server_command

KEEP_ALIVE = 2  # seconds: the server closes a connection idle this long
CLIENT = APP_DIR / "client.py"


def _load_client_module():
    spec = importlib.util.spec_from_file_location("keepalive_client", CLIENT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


client = _load_client_module()


@pytest.fixture(scope="module")
def gunicorn(tmp_path_factory) -> Iterator[int]:
    """The real server: the pod's command line, bound to an ephemeral loopback port."""
    home = tmp_path_factory.mktemp("gunicorn-home")  # gunicorn puts its control socket under $HOME
    log = home / "gunicorn.log"
    command = server_command(keep_alive_seconds=KEEP_ALIVE, bind="127.0.0.1:0")
    assert command[:3] == ["python", "-m", "gunicorn"]
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, *command[1:]],
            cwd=APP_DIR,
            env={**os.environ, "HOME": str(home), "PYTHONDONTWRITEBYTECODE": "1"},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        port = _wait_for_port(log, process, deadline=time.monotonic() + 20)
        yield port
    finally:
        os.killpg(process.pid, signal.SIGINT)  # gunicorn: quick shutdown
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)


def _wait_for_port(log: Path, process: subprocess.Popen, deadline: float) -> int:
    while time.monotonic() < deadline:
        text = log.read_text()
        listening = re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", text)
        if listening and "Booting worker with pid" in text:
            return int(listening.group(1))
        if process.poll() is not None:
            pytest.fail(f"gunicorn exited with {process.returncode}:\n{text}")
        time.sleep(0.05)
    pytest.fail(f"gunicorn did not start in time:\n{log.read_text()}")


def client_env(**env: str) -> dict[str, str]:
    """This process's environment without the client's own variables, plus `env`."""
    names = ("HOST", "PORT", "HOST_HEADER", "USE_TLS", "ENDPOINT", "TIMEOUT", "MAX_SECONDS", "TLS_VERIFY")
    return {**{k: v for k, v in os.environ.items() if k not in names}, **env}


def start_client(port: int, interval: float, count: int, **env: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, str(CLIENT), str(interval), str(count)],
        env={
            **client_env(),
            "HOST": "127.0.0.1",
            "PORT": str(port),
            "TIMEOUT": "5",
            "MAX_SECONDS": "30",
            **env,
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(process: subprocess.Popen, timeout: float) -> tuple[int, list[dict], dict]:
    """Exit code, request lines and summary of a client run."""
    out, err = process.communicate(timeout=timeout)
    lines = [json.loads(line) for line in out.splitlines()]
    assert lines[0]["event"] == "start", err
    assert lines[-1]["event"] == "summary", err
    requests = [line for line in lines if line["event"] == "request"]
    assert all(set(line) >= {"time", "status", "latency_ms", "connection", "reason", "local_port"} for line in requests)
    return process.returncode, requests, lines[-1]


def run_client(port: int, interval: float, count: int, **env: str) -> tuple[int, list[dict], dict]:
    return finish(start_client(port, interval, count, **env), timeout=interval * count + 15)


def test_client_reuses_one_connection_below_the_keep_alive_and_reopens_above_it(gunicorn):
    # Both runs at once against the one gevent worker, to keep the test short.
    below = start_client(gunicorn, 0.5, 4)
    above = start_client(gunicorn, KEEP_ALIVE + 0.6, 3)
    code, requests, summary = finish(below, timeout=20)
    assert code == 0
    assert [r["connection"] for r in requests] == ["new", "reused", "reused", "reused"]
    assert [r["status"] for r in requests] == [200] * 4 and all(r["ok"] for r in requests)
    assert len({r["local_port"] for r in requests}) == 1, "one connection, one local port"
    assert [r["conn_requests"] for r in requests] == [1, 2, 3, 4]
    assert all(0.4 < r["idle_s"] < 1.5 for r in requests[1:])
    # Straight to gunicorn, the server sees the client's own port: the app reports its peer.
    assert all(r["server_peer"] == f"127.0.0.1:{r['local_port']}" for r in requests)
    assert summary | {"elapsed_s": None} == {
        "event": "summary",
        "requests": 4,
        "ok": 4,
        "failed": 0,
        "connections": 1,
        "reused": 3,
        "reopened": {},
        "errors": {},
        "statuses": {"200": 4},
        "stopped": "count",
        "elapsed_s": None,
    }

    code, requests, summary = finish(above, timeout=25)
    assert code == 0
    assert [r["connection"] for r in requests] == ["new", "reopened", "reopened"]
    assert [r["reason"] for r in requests] == [None, "peer FIN while idle", "peer FIN while idle"]
    # The client saw the server's FIN about KEEP_ALIVE seconds into the idle time, not at its next send.
    assert all(KEEP_ALIVE - 0.3 < r["peer_closed_after_s"] < KEEP_ALIVE + 0.5 for r in requests[1:])
    assert len({r["local_port"] for r in requests}) == 3, "a new connection, a new local port, each time"
    assert [r["conn"] for r in requests] == [1, 2, 3]
    assert all(r["ok"] and r["status"] == 200 and r["error"] is None for r in requests)
    assert summary["reopened"] == {"peer FIN while idle": 2}
    assert (summary["connections"], summary["reused"], summary["failed"]) == (3, 0, 0)


def test_server_endpoints(gunicorn):
    def get(path: str, method: str = "GET") -> tuple[int, dict]:
        conn = http.client.HTTPConnection("127.0.0.1", gunicorn, timeout=5)
        try:
            conn.request(method, path)
            response = conn.getresponse()
            return response.status, json.loads(response.read())
        finally:
            conn.close()

    status, body = get("/index")
    assert status == 200 and body["path"] == "/index" and body["peer"].startswith("127.0.0.1:")
    assert get("/health")[0] == 200
    started = time.monotonic()
    status, body = get("/slow?wait=0.3")
    assert status == 200 and body["waited"] >= 0.3 and time.monotonic() - started >= 0.3
    for bad in ("/slow", "/slow?wait=x", "/slow?wait=-1", "/slow?wait=301", "/slow?wait=nan", "/slow?wait=inf"):
        status, body = get(bad)
        assert status == 400, bad
        assert "wait" in body["error"]
    assert get("/nope")[0] == 404
    assert get("/index", method="POST")[0] == 405


# ---- misbehaving peers ---------------------------------------------------------------------

OK_RESPONSE = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"


def read_request(conn: socket.socket) -> bool:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(4096)
        if not chunk:
            return False
        data += chunk
    return True


def reset(conn: socket.socket) -> None:
    """Close with a RST instead of a FIN (SO_LINGER with a zero timeout)."""
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    conn.close()


class PeerServer:
    """A loopback TCP server running `handle(conn, index)` for each accepted connection."""

    def __init__(self, handle: Callable[[socket.socket, int], None]):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.2)
        self.port = self.listener.getsockname()[1]
        self.handle = handle
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self) -> None:
        index = 0
        deadline = time.monotonic() + 20
        while not self.stop.is_set() and time.monotonic() < deadline:
            try:
                conn, _ = self.listener.accept()
            except TimeoutError:
                continue
            conn.settimeout(10)
            threading.Thread(target=self._handle, args=(conn, index), daemon=True).start()
            index += 1

    def _handle(self, conn: socket.socket, index: int) -> None:
        try:
            self.handle(conn, index)
        except OSError:
            pass
        finally:
            conn.close()

    def __enter__(self) -> PeerServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join(timeout=5)
        self.listener.close()


def test_a_reset_while_idle_is_reported_and_the_next_request_reopens():
    def handle(conn: socket.socket, index: int) -> None:
        if read_request(conn):
            conn.sendall(OK_RESPONSE)
        if index == 0:
            time.sleep(0.3)
            reset(conn)
            return
        while read_request(conn):
            conn.sendall(OK_RESPONSE)

    with PeerServer(handle) as server:
        code, requests, summary = run_client(server.port, 0.7, 2)
    assert code == 0
    assert [r["connection"] for r in requests] == ["new", "reopened"]
    assert requests[1]["reason"] == "peer RST while idle"
    assert 0.2 < requests[1]["peer_closed_after_s"] < 0.65
    assert summary["reopened"] == {"peer RST while idle": 1}


def test_a_silently_dropped_connection_fails_the_request_once_and_is_not_retried():
    """The NLB case: the flow is gone without a FIN; the next request written into it gets a RST."""
    requests_seen: list[int] = []

    def handle(conn: socket.socket, index: int) -> None:
        served = 0
        while read_request(conn):
            requests_seen.append(index)
            if index == 0 and served == 1:
                reset(conn)  # what the NLB answers to a packet of a flow it has forgotten
                return
            conn.sendall(OK_RESPONSE)
            served += 1

    with PeerServer(handle) as server:
        code, requests, summary = run_client(server.port, 0.3, 4)
    assert code == 1, "a failed request makes the run fail"
    assert [r["connection"] for r in requests] == ["new", "reused", "reopened", "reused"]
    failed = requests[1]
    assert failed["ok"] is False and failed["status"] is None
    assert failed["error"].split(":")[0] in ("reset", "closed")
    assert requests[2]["reason"] == f"previous request failed ({failed['error'].split(':')[0]})"
    assert all(r["ok"] for r in requests[2:])
    assert requests_seen == [0, 0, 1, 1], "the failed request was not sent again"
    assert summary["failed"] == 1 and summary["ok"] == 3


def test_no_answer_is_a_timeout_and_server_connection_close_is_honoured():
    def handle(conn: socket.socket, index: int) -> None:
        if not read_request(conn):
            return
        if index == 0:
            conn.sendall(OK_RESPONSE.replace(b"\r\n\r\n", b"\r\nConnection: close\r\n\r\n"))
            return
        time.sleep(2)  # never answers in time

    with PeerServer(handle) as server:
        code, requests, summary = run_client(server.port, 0.1, 2, TIMEOUT="0.5")
    assert code == 1
    assert requests[0]["ok"] and requests[0]["server_closing"] is True
    assert requests[1]["connection"] == "reopened" and requests[1]["reason"] == "server sent Connection: close"
    assert requests[1]["error"].startswith("timeout") and requests[1]["ok"] is False
    assert summary["errors"] == {"timeout": 1}


def test_refused_connection_is_reported_not_retried():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # nothing listens there once the probe is closed
    code, requests, summary = run_client(port, 0.1, 2)
    assert code == 1
    assert [r["error"].split(":")[0] for r in requests] == ["refused", "refused"]
    assert summary["failed"] == 2 and summary["connections"] == 0


def answer_all(conn: socket.socket, index: int) -> None:
    while read_request(conn):
        conn.sendall(OK_RESPONSE)


def test_time_limit_bounds_a_run_without_count():
    with PeerServer(answer_all) as server:
        process = subprocess.run(
            [sys.executable, str(CLIENT), "0.2"],
            env=client_env(HOST="127.0.0.1", PORT=str(server.port), MAX_SECONDS="0.5"),
            capture_output=True,
            text=True,
            timeout=15,
        )
    assert process.returncode == 0, process.stderr
    summary = json.loads(process.stdout.splitlines()[-1])
    assert summary["stopped"] == "time limit"
    assert summary["requests"] == 3 and summary["reused"] == 2  # at 0, 0.2 and 0.4 s


# ---- the client's command line -------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "env", "message"),
    [
        ([], {"HOST": "h"}, client.USAGE),
        (["1", "2", "3"], {"HOST": "h"}, client.USAGE),
        (["3"], {}, "HOST is not set: the load balancer's DNS name (or any host) to send requests to"),
        (["x"], {"HOST": "h"}, "INTERVAL='x': expected a number"),
        (["-1"], {"HOST": "h"}, "INTERVAL='-1': must be a finite number >= 0"),
        (["3", "0"], {"HOST": "h"}, "COUNT='0': must be a finite number >= 1"),
        (["3", "2.5"], {"HOST": "h"}, "COUNT='2.5': expected a whole number"),
        (["3"], {"HOST": "h", "USE_TLS": "maybe"}, "USE_TLS='maybe': expected true or false"),
        (["3"], {"HOST": "h", "ENDPOINT": "index"}, "ENDPOINT='index': must start with /"),
        (["3"], {"HOST": "h", "PORT": "70000"}, "PORT=70000: must be at most 65535"),
    ],
)
def test_bad_usage_is_one_line(argv, env, message):
    with pytest.raises(client.UsageError) as caught:
        client.parse_settings(argv, env)
    assert str(caught.value) == message


def test_settings_follow_the_seed_environment():
    seed_env = {
        "HOST": "internal-server-118699894.ap-northeast-2.elb.amazonaws.com",
        "PORT": "80",
        "HOST_HEADER": "internal-server-118699894.ap-northeast-2.elb.amazonaws.com",
        "USE_TLS": "false",
        "ENDPOINT": "/index",
    }
    settings = client.parse_settings(["3"], seed_env)
    assert (settings.host, settings.port, settings.use_tls, settings.endpoint) == (
        seed_env["HOST"],
        80,
        False,
        "/index",
    )
    assert settings.interval == 3 and settings.count is None and settings.max_seconds == 3600
    tls = client.parse_settings(["20.5", "4"], {"HOST": "h", "USE_TLS": "true"})
    assert (tls.port, tls.host_header, tls.interval, tls.count) == (443, "h", 20.5, 4)


def test_usage_error_exits_2_with_the_message_on_stderr():
    process = subprocess.run(
        [sys.executable, str(CLIENT)], env=client_env(HOST="h"), capture_output=True, text=True, timeout=10
    )
    assert process.returncode == 2
    assert process.stdout == "" and process.stderr.strip() == client.USAGE


# ---- how the programs reach the pods ---------------------------------------------------------

PINNED = re.compile(r"^([A-Za-z0-9_.-]+)==([^\s\\]+)")


def pins(path: Path) -> dict[str, str]:
    """Package -> exact version of a requirements file's `name==version` lines."""
    found = {}
    for line in path.read_text().splitlines():
        if match := PINNED.match(line):
            found[_canonical(match.group(1))] = match.group(2)
    return found


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_pod_requirements_are_a_complete_hashed_closure_matching_the_test_environment():
    from importlib import metadata

    from packaging.requirements import Requirement

    pod = pins(APP_DIR / "requirements.txt")
    assert set(pod) == {"gunicorn", "gevent", "greenlet", "zope-event", "zope-interface", "packaging"}
    runtime = pins(Path(__file__).resolve().parents[1] / "requirements.txt")
    assert {name: runtime.get(name) for name in pod} == pod, "requirements.txt must pin what the pod runs (lab)"
    for name in pod:
        assert metadata.version(name) == pod[name], f"the tests run {name} {metadata.version(name)}"
        # What each pinned package needs at run time (gunicorn with its [gevent] extra) is pinned too.
        extras = {"gevent"} if name == "gunicorn" else set()
        for raw in metadata.requires(name) or []:
            requirement = Requirement(raw)
            wanted = requirement.marker is None or any(
                requirement.marker.evaluate({"extra": extra}) for extra in extras or {""}
            )
            if wanted:
                assert _canonical(requirement.name) in pod, f"{name} needs {requirement}, which is not pinned"
    text = (APP_DIR / "requirements.txt").read_text()
    blocks = re.findall(r"^([A-Za-z0-9_.-]+)==\S+((?:\s*\\\n\s*--hash=sha256:[0-9a-f]{64})+)", text, re.M)
    hashes = {_canonical(name): block.count("--hash") for name, block in blocks}
    # Pure-Python wheels have one hash; compiled ones one per architecture (x86_64, arm64).
    assert hashes == {"gunicorn": 1, "packaging": 1, "zope-event": 1, "gevent": 2, "greenlet": 2, "zope-interface": 2}


def test_dockerfile_builds_what_the_stacks_would_mount():
    from k8s.keepalive import CLIENT_FILES, SERVER_FILES, install_command
    from k8s.versions import PYTHON_IMAGE

    dockerfile = (APP_DIR / "Dockerfile").read_text()
    assert re.search(r"^FROM (\S+)$", dockerfile, re.M).group(1) == PYTHON_IMAGE
    copied = {name for line in re.findall(r"^COPY (.+) \S+$", dockerfile, re.M) for name in line.split()}
    assert copied >= set(SERVER_FILES) | set(CLIENT_FILES)
    install = install_command()
    assert all(flag in dockerfile for flag in ("--require-hashes", "--only-binary=:all:", "--no-deps"))
    assert {"--require-hashes", "--only-binary=:all:", "--no-deps"} <= set(install)
    cmd = json.loads(re.search(r"^CMD (\[.*\])$", dockerfile, re.M).group(1))
    assert cmd == server_command(keep_alive_seconds=20)
    assert re.search(r"^USER 10001:10001$", dockerfile, re.M)
