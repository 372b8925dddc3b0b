"""Key-value stores under `serve`: concurrent requests through the warm runtime pool,
on the stage's SQLite file and on the local AWS's DynamoDB (`serve --kv dynamodb`)."""

from __future__ import annotations

import http.client
import textwrap
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from wasmdeploy_runtime.kv_store import BACKEND_VARIABLE

from tests.functional.kv_modules import VISITS
from tests.functional.runtime_modules import wasm
from tests.ports import free_port
from wasmdeploy.local.emulator import LocalEmulator
from wasmdeploy.local.kv_client import StoreClient
from wasmdeploy.local.kv_local import serve_stores_on
from wasmdeploy.manifest.load import load_service
from wasmdeploy.manifest.model import Service

REQUESTS = 40
MANIFEST = """\
service: visits
provider:
  name: aws
functions:
  count:
    handler: visits.wasm
    kv: [default]
    events:
      - httpApi: 'GET /visit'
"""


def write_service(root: Path) -> Service:
    (root / "visits.wasm").write_bytes(wasm(VISITS))
    (root / "wasmdeploy.yml").write_text(textwrap.dedent(MANIFEST))
    return load_service(root / "wasmdeploy.yml")


@pytest.fixture(params=["sqlite", "dynamodb"])
def served(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[str, LocalEmulator, Service]]:
    monkeypatch.delenv(BACKEND_VARIABLE, raising=False)
    service = write_service(tmp_path)
    emulator = LocalEmulator(service, port=free_port(), aws_port=free_port(), concurrency=8)
    if request.param == "dynamodb":
        serve_stores_on(emulator.aws, service)  # sets BACKEND_VARIABLE, undone by monkeypatch
    emulator.start()
    assert emulator.api is not None
    yield emulator.api.url, emulator, service
    emulator.stop()


def visit(url: str) -> int:
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=60)
    try:
        connection.request("GET", "/visit")
        response = connection.getresponse()
        body = response.read()
        assert response.status == 200, body
        return int(body)
    finally:
        connection.close()


def test_concurrent_increments_through_serve_are_never_lost(
    served: tuple[str, LocalEmulator, Service], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, emulator, service = served
    first = visit(url)
    with ThreadPoolExecutor(max_workers=REQUESTS) as pool:
        counts = list(pool.map(lambda _: visit(url), range(REQUESTS)))
    # Each increment saw a distinct count: none was lost or applied twice.
    assert sorted(counts) == list(range(first + 1, first + REQUESTS + 1))
    if emulator.aws.resources.get("table"):
        assert emulator.aws.resources["table"] == ["visits-dev-default"]
        for name, value in emulator.aws.client_environment().items():
            monkeypatch.setenv(name, value)
    client = StoreClient(service, "default", remote=bool(emulator.aws.resources.get("table")))
    try:
        assert client.get("visits") == str(first + REQUESTS).encode()
    finally:
        client.close()
