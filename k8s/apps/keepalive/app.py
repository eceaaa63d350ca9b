"""The keep-alive test server (seed 000): a WSGI app for gunicorn with one gevent worker.

    gunicorn --workers 1 -k gevent --bind 0.0.0.0:8000 --timeout 10 --keep-alive 20 app:app --log-level debug

Endpoints:
  /index        answers at once (the seed's client endpoint; also the target group's health check)
  /slow?wait=N  answers after N seconds, 0 <= N <= SLOW_MAX_SECONDS (default 300)
  /health       answers at once (the kubelet's probes, so they stay apart from /index)

Every answer is one JSON object naming the pod and the peer the request came from: behind an
ALB the peer is the ALB's end of its backend connection, so a new peer port means the ALB
opened a new connection to the server. How long an idle connection stays open is gunicorn's
`--keep-alive`, not this app's business. Standard library only.
"""

from __future__ import annotations

import json
import math
import os
import socket
import time
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs

SLOW_MAX_SECONDS = float(os.environ.get("SLOW_MAX_SECONDS", "300"))
HOSTNAME = socket.gethostname()

StartResponse = Callable[..., Any]


def _answer(start_response: StartResponse, status: str, body: dict[str, Any]) -> list[bytes]:
    data = (json.dumps(body, sort_keys=True) + "\n").encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
    return [data]


def _wait_seconds(query: str) -> float:
    """The `wait` query parameter, checked: a finite number of seconds in [0, SLOW_MAX_SECONDS]."""
    values = parse_qs(query).get("wait")
    if not values:
        raise ValueError("missing ?wait=N (seconds)")
    try:
        wait = float(values[0])
    except ValueError:
        raise ValueError(f"wait={values[0]!r} is not a number of seconds") from None
    if not math.isfinite(wait) or not 0 <= wait <= SLOW_MAX_SECONDS:
        raise ValueError(f"wait={values[0]} must be between 0 and {SLOW_MAX_SECONDS:g} seconds")
    return wait


def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
    """The WSGI application gunicorn serves (`app:app`)."""
    path = environ.get("PATH_INFO", "")
    received = time.time()
    info = {
        "hostname": HOSTNAME,
        "path": path,
        "peer": f"{environ.get('REMOTE_ADDR', '')}:{environ.get('REMOTE_PORT', '')}",
        "pid": os.getpid(),
    }
    if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
        return _answer(start_response, "405 Method Not Allowed", {**info, "error": "only GET and HEAD"})
    if path in ("/index", "/health"):
        return _answer(start_response, "200 OK", info)
    if path == "/slow":
        try:
            wait = _wait_seconds(environ.get("QUERY_STRING", ""))
        except ValueError as err:
            return _answer(start_response, "400 Bad Request", {**info, "error": str(err)})
        time.sleep(wait)  # gevent's worker patches time.sleep: other connections go on meanwhile
        return _answer(start_response, "200 OK", {**info, "waited": round(time.time() - received, 3)})
    return _answer(start_response, "404 Not Found", {**info, "error": "try /index, /slow?wait=N or /health"})
