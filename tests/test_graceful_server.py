"""k8s/apps/graceful_server.py, run for real on loopback: /health turns 503 when the preStop hook
(`drain`) runs, the app keeps serving meanwhile (with Connection: close), and SIGTERM ends it cleanly."""

from __future__ import annotations

import http.client
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from k8s.graceful import PROGRAM, drain_command, serve_command

TIMEOUT = 10


@pytest.fixture
def server(tmp_path: Path):
    drain_file = tmp_path / "run" / "draining"
    process = subprocess.Popen(
        [sys.executable, str(PROGRAM), "serve", "--host", "127.0.0.1", "--port", "0", "--drain-file", str(drain_file)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        line = process.stdout.readline()  # "listening on 127.0.0.1:<port>"
        assert line.startswith("listening on 127.0.0.1:"), line
        yield process, int(line.rsplit(":", 1)[1]), drain_file
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=TIMEOUT)


def get(connection: http.client.HTTPConnection, path: str) -> tuple[int, str, str | None]:
    connection.request("GET", path)
    response = connection.getresponse()
    return response.status, response.read().decode(), response.getheader("Connection")


def test_health_fails_after_drain_while_the_app_keeps_serving(server):
    process, port, drain_file = server
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
    assert get(connection, "/health") == (200, "ok\n", None)
    status, body, _ = get(connection, "/")  # the same keep-alive connection
    assert status == 200 and body.startswith("Hostname: ") and "Path: /\n" in body

    started = time.monotonic()
    drained = subprocess.run(
        [sys.executable, str(PROGRAM), "drain", "--drain-file", str(drain_file), "--sleep", "0.3"],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    assert drained.returncode == 0 and time.monotonic() - started >= 0.3, "drain sleeps after failing /health"
    assert drain_file.exists()

    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
    assert get(connection, "/health") == (503, "draining\n", "close")
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
    status, body, header = get(connection, "/echo")
    assert (status, header) == (200, "close") and "Path: /echo\n" in body

    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=TIMEOUT) == 0
    assert "stopped; 0 request(s) still in flight" in process.stdout.read()


def test_the_pods_commands_are_the_programs_own(tmp_path):
    # What the Deployment runs (k8s/graceful.py) parses with the program's own CLI.
    assert serve_command("/health")[1:3] == [f"/app/{PROGRAM.name}", "serve"]
    command = drain_command(0)
    assert command[:3] == ["python", f"/app/{PROGRAM.name}", "drain"]
    drain_file = tmp_path / "draining"
    args = [*command[2:]]
    args[args.index("--drain-file") + 1] = str(drain_file)
    assert subprocess.run([sys.executable, str(PROGRAM), *args], timeout=TIMEOUT).returncode == 0
    assert drain_file.exists()


def test_custom_health_path(tmp_path):
    drain_file = tmp_path / "draining"
    drain_file.touch()
    process = subprocess.Popen(
        [
            sys.executable,
            str(PROGRAM),
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--drain-file",
            str(drain_file),
            "--health-path",
            "/logistics/health",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        port = int(process.stdout.readline().rsplit(":", 1)[1])
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
        assert get(connection, "/logistics/health")[0] == 503
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
        assert get(connection, "/health")[0] == 200
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=TIMEOUT) == 0
