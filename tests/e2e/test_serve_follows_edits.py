"""`wasmdeploy serve` follows edits of the manifest and of the files it includes, as a user
saves them, while requests keep coming; an invalid save keeps the last good configuration."""

from __future__ import annotations

import http.client
import os
import textwrap
import threading
import time
from pathlib import Path

from tests.e2e.test_serve_local import Server, start, stop
from tests.functional.runtime_modules import ECHO, wasm
from tests.ports import free_port

MANIFEST = """
service: edits
provider:
  name: aws
functions:
  api:
    handler: echo.wasm
    events:
      - httpApi: 'GET ${file(./paths.yml):first}'
"""


def status_of(port: int, path: str) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def save(path: Path, text: str) -> None:
    """As an editor saves: a new mtime even within the filesystem's clock tick."""
    path.write_text(textwrap.dedent(text))
    stamp = time.time_ns() + 2_000_000_000
    os.utime(path, ns=(stamp, stamp))


def test_edits_reload_while_requests_are_in_flight_and_an_invalid_save_keeps_serving(
    tmp_path: Path,
) -> None:
    (tmp_path / "echo.wasm").write_bytes(wasm(ECHO))
    (tmp_path / "paths.yml").write_text("first: /one\n")
    manifest = tmp_path / "wasmdeploy.yml"
    manifest.write_text(textwrap.dedent(MANIFEST))
    port = free_port()
    server = start(
        tmp_path, "serve", "--port", str(port), "--aws-port", str(free_port()), port=port
    )
    try:
        server.wait_until(lambda: "Press Ctrl+C" in server.output(), "serve never got ready")
        assert status_of(port, "/one") == 200

        failures: list[int] = []
        stop_load = threading.Event()

        def keep_asking() -> None:
            while not stop_load.is_set():
                status = status_of(port, "/one")
                if status != 200:
                    failures.append(status)

        clients = [threading.Thread(target=keep_asking) for _ in range(4)]
        for client in clients:
            client.start()
        try:  # a second route for the same function, and a new function, while requests run
            save(
                manifest,
                MANIFEST
                + """
      - httpApi: 'GET /two'
  other:
    handler: echo.wasm
    events:
      - httpApi: 'GET /three'
""",
            )
            wait_for(server, "Reloaded wasmdeploy.yml", 1)
        finally:
            stop_load.set()
            for client in clients:
                client.join(timeout=30)
        assert failures == []
        after = server.output().split("Reloaded wasmdeploy.yml", 1)[1]
        assert "added other" in after and "/three  (payload 2.0)" in after  # the new table
        assert status_of(port, "/two") == 200 and status_of(port, "/three") == 200

        save(tmp_path / "paths.yml", "first: /uno\n")  # an included file changes a route
        wait_for(server, "Reloaded wasmdeploy.yml", 2)
        assert status_of(port, "/uno") == 200 and status_of(port, "/one") == 404

        save(
            manifest,
            MANIFEST.replace("handler: echo.wasm", "handler: missing.wasm\n    memorySize: lots"),
        )
        wait_for(server, "still serving the last good configuration", 1)
        output = server.output()
        assert (
            "wasmdeploy.yml:" in output and "memorySize" in output
        )  # every problem, with its line
        assert "missing.wasm" in output
        assert status_of(port, "/uno") == 200
        assert "GET /uno 200 (λ: api) " in server.output()  # one log line per request
    finally:
        stop(server)


def wait_for(server: Server, text: str, count: int) -> None:
    server.wait_until(lambda: server.output().count(text) >= count, f"no {text!r} x{count}", 30)
