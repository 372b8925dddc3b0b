"""The key-value examples' modules (built from Zig with the SDK) under the runtime, on the
SQLite store and on DynamoDB (moto's server)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from wasmdeploy_runtime.config import FunctionConfig
from wasmdeploy_runtime.function import WasmFunction
from wasmdeploy_runtime.kv_store import BACKEND_VARIABLE, KvGrant

from tests.functional.kv_dynamodb_support import dynamodb_endpoint, dynamodb_grants

__all__ = ["dynamodb_endpoint"]  # the fixture, for the DynamoDB runs

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
NOW = 1_796_000_040_000  # a request time, epoch ms, at the start of a minute


def http_event(method: str, path: str, parameters: dict[str, str] | None, time: int = NOW) -> bytes:
    event: dict[str, Any] = {
        "version": "2.0",
        "rawPath": path,
        "requestContext": {"http": {"method": method, "path": path}, "timeEpoch": time},
    }
    if parameters is not None:
        event["pathParameters"] = parameters
    return json.dumps(event).encode()


class Example:
    def __init__(self, module: Path, grants: dict[str, KvGrant]) -> None:
        config = FunctionConfig(module.stem, f"{module.name}#handle", module, "handle", kv=grants)
        self.function = WasmFunction(config, log=lambda _d: None, metrics=lambda _d: None)

    def request(self, event: bytes) -> tuple[int, Any]:
        result = self.function.invoke(event)
        self.function.after_response()
        assert result.error is None and result.body is not None, result.error
        response = json.loads(result.body)
        return response["statusCode"], json.loads(response["body"])


@pytest.fixture(params=["sqlite", "dynamodb"])
def backend(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "sqlite":
        monkeypatch.setenv(BACKEND_VARIABLE, f"sqlite:{tmp_path / 'kv.sqlite3'}")
    else:
        request.getfixturevalue("dynamodb_endpoint")
    return str(request.param)


def stores(
    request: pytest.FixtureRequest, backend: str, monkeypatch: pytest.MonkeyPatch, names: list[str]
) -> dict[str, KvGrant]:
    if backend == "sqlite":
        return {name: KvGrant(name, f"example-dev-{name}") for name in names}
    endpoint = request.getfixturevalue("dynamodb_endpoint")
    return dynamodb_grants(endpoint, monkeypatch, names)


def test_the_visit_counter_counts_each_page_and_lists_them(
    request: pytest.FixtureRequest, backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    grants = stores(request, backend, monkeypatch, ["default"])
    counter = Example(EXAMPLES / "visit-counter" / "visit-counter.wasm", grants)
    home = [counter.request(http_event("GET", "/visits/home", {"page": "home"})) for _ in range(3)]
    assert [body["visits"] for _, body in home] == [1, 2, 3]
    assert counter.request(http_event("GET", "/visits/about", {"page": "about"})) == (
        200,
        {"page": "about", "visits": 1},
    )
    assert counter.request(http_event("GET", "/visits", None)) == (
        200,
        {"pages": {"about": 1, "home": 3}},
    )


def test_the_rate_limiter_refuses_past_the_limit_until_the_next_window(
    request: pytest.FixtureRequest, backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    grants = stores(request, backend, monkeypatch, ["limits"])
    limiter = Example(EXAMPLES / "rate-limiter" / "rate-limiter.wasm", grants)
    check = http_event("GET", "/quota/ann", {"client": "ann"}, NOW + 15_000)
    answers = [limiter.request(check) for _ in range(6)]
    assert [body.get("remaining") for _, body in answers[:5]] == [4, 3, 2, 1, 0]
    assert answers[5] == (429, {"allowed": False, "retryAfter": 45})
    other = limiter.request(http_event("GET", "/quota/bob", {"client": "bob"}, NOW + 15_000))
    assert other == (200, {"allowed": True, "remaining": 4})
    next_minute = http_event("GET", "/quota/ann", {"client": "ann"}, NOW + 61_000)
    assert limiter.request(next_minute) == (200, {"allowed": True, "remaining": 4})
    reset = limiter.request(http_event("DELETE", "/quota/ann", {"client": "ann"}))
    assert reset == (200, {"reset": "ann"})
    assert limiter.request(next_minute) == (200, {"allowed": True, "remaining": 4})
