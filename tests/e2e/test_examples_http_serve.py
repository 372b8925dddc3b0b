"""The HTTP examples behind `wasmdeploy serve`, called with plain HTTP as the
READMEs say: the http-api example on both API kinds, and stream-stats through
the exports ABI."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.ports import free_port
from tests.processes import stop

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
STARTUP_LIMIT_S = 60  # a guard against a hung server, not a performance check


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Any]:
    servers: list[subprocess.Popen[bytes]] = []

    def start(example: str) -> str:
        port = free_port()
        log_path = tmp_path / f"{example}.log"
        command = [sys.executable, "-m", "wasmdeploy", "serve", "--port", str(port)]
        command += ["--s3-port", str(free_port()), "--fresh"]  # not the last run's local data
        server = subprocess.Popen(
            command,
            cwd=EXAMPLES / example,
            stdout=log_path.open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        servers.append(server)
        deadline = time.monotonic() + STARTUP_LIMIT_S
        while "Press Ctrl+C" not in log_path.read_text(errors="replace"):
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"wasmdeploy serve did not start: {log_path.read_text()}")
            time.sleep(0.2)
        return f"http://127.0.0.1:{port}"

    yield start
    for server in servers:
        stop(server, signal.SIGINT, group=True, grace=20)


def request(url: str, body: bytes | None = None, method: str = "GET") -> tuple[int, Any]:
    req = urllib.request.Request(url, data=body, method=method)
    req.add_header("content-type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_http_api_answers_on_both_api_kinds(serve: Any) -> None:
    base = serve("http-api")
    assert request(f"{base}/hello/ada") == (200, {"message": "Hello, ada!"})
    assert request(f"{base}/echo", b'{"n": [1, 2]}', "POST") == (200, {"echo": {"n": [1, 2]}})
    status, body = request(f"{base}/nothing/here")
    assert (status, body["error"]) == (404, "not found")
    assert request(f"{base}/rest/hello/bob") == (200, {"message": "Howdy, bob!"})
    assert request(f"{base}/rest/echo", b"text", "POST") == (200, {"echo": "text"})
    status, body = request(f"{base}/rest/elsewhere")
    assert (status, body["path"]) == (404, "/rest/elsewhere")


def test_stream_stats_aggregates_a_posted_batch_over_http(serve: Any) -> None:
    base = serve("stream-stats")
    readings = [12.5, 7, 31, 9.25]
    status, body = request(f"{base}/stats", json.dumps({"readings": readings}).encode(), "POST")
    assert status == 200
    assert body["count"] == 4
    assert body["mean"] == pytest.approx(14.9375)
    assert (body["min"], body["max"], body["p50"], body["p95"]) == (7, 31, 9.25, 31)
    status, body = request(f"{base}/stats", b"[]", "POST")
    assert (status, body) == (400, {"error": "no readings"})
