"""The JSON examples' modules (S3 event log, HTTP API, edge rewrite, stream
stats), run directly with wasmtime on events shaped like AWS's."""

from __future__ import annotations

import base64
import json
import math
import random
import statistics
from pathlib import Path
from typing import Any

import example_modules
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def run_wasi(
    module_path: Path, event: Any, tmp_path: Path, env: dict[str, str] | None = None
) -> tuple[int, bytes, str]:
    """Runs a WASI command on `event` (JSON, or raw bytes); returns (code, stdout, stderr)."""
    payload = event if isinstance(event, bytes) else json.dumps(event).encode()
    code, stdout, stderr = example_modules.run_wasi(
        module_path, payload, tmp_path, argv0=module_path.stem, env=env
    )
    return code, stdout, stderr.decode()


def run_exports(module_path: Path, event: Any) -> Any:
    return json.loads(example_modules.run_exports(module_path, json.dumps(event).encode()))


def s3_record(bucket: str, key: str, size: int, name: str = "ObjectCreated:Put") -> dict[str, Any]:
    return {
        "eventVersion": "2.1",
        "eventSource": "aws:s3",
        "eventName": name,
        "eventTime": "2026-11-23T21:00:00.000Z",
        "s3": {"bucket": {"name": bucket}, "object": {"key": key, "size": size}},
    }


def http_v2(method: str, path: str, body: str | None = None, b64: bool = False) -> dict[str, Any]:
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "requestContext": {"http": {"method": method, "path": path}},
        "body": body,
        "isBase64Encoded": b64,
    }


def http_v1(method: str, path: str, body: str | None = None) -> dict[str, Any]:
    return {
        "resource": "/{proxy+}",
        "path": path,
        "httpMethod": method,
        "body": body,
        "isBase64Encoded": False,
    }


def origin_request(uri: str) -> dict[str, Any]:
    request = {
        "clientIp": "192.0.2.1",
        "method": "GET",
        "querystring": "v=2",
        "uri": uri,
        "headers": {"host": [{"key": "Host", "value": "site.s3.amazonaws.com"}]},
    }
    return {"Records": [{"cf": {"config": {"eventType": "origin-request"}, "request": request}}]}


# ---------------------------------------------------------------- s3-event-log

S3_LOG = EXAMPLES / "s3-event-log" / "wasm-handler.wasm"


def test_s3_event_log_summarises_and_logs_each_object(tmp_path: Path) -> None:
    event = {
        "Records": [
            s3_record("image-processing-bucket", "uploads/cat+photo%281%29.png", 2048),
            s3_record("image-processing-bucket", "b.txt", 3, "ObjectCreated:Copy"),
        ]
    }
    code, stdout, stderr = run_wasi(S3_LOG, event, tmp_path)
    assert code == 0
    summary = json.loads(stdout)
    assert summary["count"] == 2
    assert summary["totalBytes"] == 2051
    assert [o["key"] for o in summary["objects"]] == ["uploads/cat photo(1).png", "b.txt"]
    assert summary["objects"][1]["eventName"] == "ObjectCreated:Copy"
    assert stderr.splitlines() == [
        "ObjectCreated:Put s3://image-processing-bucket/uploads/cat photo(1).png (2048 bytes)",
        "ObjectCreated:Copy s3://image-processing-bucket/b.txt (3 bytes)",
    ]


@pytest.mark.parametrize(
    ("event", "message"),
    [(b"not json", "not JSON"), ({"detail": {}}, "not an S3 notification")],
    ids=["not-json", "eventbridge-shaped"],
)
def test_s3_event_log_rejects_other_events(event: Any, message: str, tmp_path: Path) -> None:
    code, stdout, stderr = run_wasi(S3_LOG, event, tmp_path)
    assert code == 1
    assert stdout == b""
    assert message in stderr


# ---------------------------------------------------------------- http-api

HTTP_API = EXAMPLES / "http-api" / "http-api.wasm"


def response_of(stdout: bytes) -> tuple[int, Any]:
    response = json.loads(stdout)
    assert response["headers"]["content-type"] == "application/json"
    assert response["isBase64Encoded"] is False
    return response["statusCode"], json.loads(response["body"])


@pytest.mark.parametrize("make_event", [http_v2, http_v1], ids=["payload-2.0", "payload-1.0"])
def test_http_api_says_hello_with_the_configured_greeting(make_event: Any, tmp_path: Path) -> None:
    code, stdout, _ = run_wasi(
        HTTP_API, make_event("GET", "/hello/ada"), tmp_path, env={"GREETING": "Howdy"}
    )
    assert code == 0
    assert response_of(stdout) == (200, {"message": "Howdy, ada!"})


def test_http_api_prefers_the_name_path_parameter(tmp_path: Path) -> None:
    event = http_v2("GET", "/hello/J%C3%BCrgen")
    event["pathParameters"] = {"name": "Jürgen"}
    code, stdout, _ = run_wasi(HTTP_API, event, tmp_path)
    assert code == 0
    assert response_of(stdout) == (200, {"message": "Hello, Jürgen!"})


@pytest.mark.parametrize("make_event", [http_v2, http_v1], ids=["payload-2.0", "payload-1.0"])
def test_http_api_echoes_a_json_body(make_event: Any, tmp_path: Path) -> None:
    body = {"items": [1, 2.5, "three"], "nested": {"ok": True}}
    code, stdout, _ = run_wasi(HTTP_API, make_event("POST", "/echo", json.dumps(body)), tmp_path)
    assert code == 0
    assert response_of(stdout) == (200, {"echo": body})


def test_http_api_echoes_a_base64_text_body_as_a_string(tmp_path: Path) -> None:
    body = base64.b64encode(b"plain text, not JSON").decode()
    code, stdout, _ = run_wasi(HTTP_API, http_v2("POST", "/echo", body, b64=True), tmp_path)
    assert code == 0
    assert response_of(stdout) == (200, {"echo": "plain text, not JSON"})


def test_http_api_unknown_path_is_a_404_response(tmp_path: Path) -> None:
    code, stdout, stderr = run_wasi(HTTP_API, http_v2("GET", "/nowhere"), tmp_path)
    assert code == 0
    status, body = response_of(stdout)
    assert status == 404
    assert body == {"error": "not found", "method": "GET", "path": "/nowhere"}
    assert "GET /nowhere -> 404" in stderr


def test_http_api_wrong_method_is_a_405_response(tmp_path: Path) -> None:
    code, stdout, _ = run_wasi(HTTP_API, http_v1("GET", "/echo"), tmp_path)
    assert code == 0
    assert response_of(stdout)[0] == 405


@pytest.mark.parametrize(
    ("path", "status"),
    [("/rest/hello/bo", 200), ("/rest/echo", 405), ("/hello/bo", 404), ("/restful/hello/x", 404)],
)
def test_http_api_routes_live_under_base_path(path: str, status: int, tmp_path: Path) -> None:
    env = {"BASE_PATH": "/rest"}
    code, stdout, _ = run_wasi(HTTP_API, http_v1("GET", path), tmp_path, env=env)
    assert code == 0
    got_status, body = response_of(stdout)
    assert got_status == status
    if status == 404:
        assert body["path"] == path


def test_http_api_non_api_gateway_event_is_a_function_error(tmp_path: Path) -> None:
    code, _, stderr = run_wasi(HTTP_API, {"Records": []}, tmp_path)
    assert code == 1
    assert "not an API Gateway event" in stderr


# ---------------------------------------------------------------- edge-rewrite

EDGE = EXAMPLES / "edge-rewrite" / "edge-rewrite.wasm"


@pytest.mark.parametrize(
    ("uri", "rewritten"),
    [
        ("/", "/index.html"),
        ("/docs/", "/docs/index.html"),
        ("/docs", "/docs/index.html"),
        ("/docs/guide.html", "/docs/guide.html"),
        ("/img/logo.v2.png", "/img/logo.v2.png"),
        ("/legacy/about", "/about/index.html"),
        ("/legacy/img/a.png", "/img/a.png"),
        ("/legacy", "/index.html"),
        ("/legacyish", "/legacyish/index.html"),
    ],
)
def test_edge_rewrite_rewrites_the_origin_path(uri: str, rewritten: str, tmp_path: Path) -> None:
    code, stdout, stderr = run_wasi(EDGE, origin_request(uri), tmp_path)
    assert code == 0
    request = json.loads(stdout)
    assert request["uri"] == rewritten
    assert request["querystring"] == "v=2"
    assert request["headers"]["host"] == [{"key": "Host", "value": "site.s3.amazonaws.com"}]
    assert request["headers"]["x-rewritten-by"] == [
        {"key": "X-Rewritten-By", "value": "wasmdeploy-edge-rewrite"}
    ]
    if rewritten != uri:
        assert request["headers"]["x-original-uri"] == [{"key": "X-Original-Uri", "value": uri}]
    else:
        assert "x-original-uri" not in request["headers"]
    assert f"{uri} -> {rewritten}" in stderr


def test_edge_rewrite_adds_headers_when_the_request_has_none(tmp_path: Path) -> None:
    event = origin_request("/a/")
    del event["Records"][0]["cf"]["request"]["headers"]
    code, stdout, _ = run_wasi(EDGE, event, tmp_path)
    assert code == 0
    assert set(json.loads(stdout)["headers"]) == {"x-original-uri", "x-rewritten-by"}


def test_edge_rewrite_rejects_a_non_cloudfront_event(tmp_path: Path) -> None:
    code, _, stderr = run_wasi(EDGE, http_v2("GET", "/"), tmp_path)
    assert code == 1
    assert "not a CloudFront event" in stderr


# ---------------------------------------------------------------- stream-stats

STATS = EXAMPLES / "stream-stats" / "stream-stats.wasm"


def nearest_rank(sorted_values: list[float], p: float) -> float:
    return sorted_values[max(math.ceil(p / 100 * len(sorted_values)), 1) - 1]


def stats_response(body: Any, raw: bool = False) -> tuple[int, Any]:
    event = http_v2("POST", "/stats", body if raw else json.dumps(body))
    response = run_exports(STATS, event)
    assert response["headers"]["content-type"] == "application/json"
    return response["statusCode"], json.loads(response["body"])


@pytest.mark.parametrize("count", [1, 2, 19, 20, 21, 1000])
def test_stream_stats_aggregates_match_python(count: int) -> None:
    rng = random.Random(count)
    readings = [round(rng.uniform(-50, 150), 3) for _ in range(count)]
    status, body = stats_response({"readings": readings})
    assert status == 200
    ordered = sorted(readings)
    mean = sum(readings) / count
    assert body["count"] == count
    assert body["min"] == ordered[0]
    assert body["max"] == ordered[-1]
    assert body["mean"] == pytest.approx(mean, rel=1e-12, abs=1e-9)
    assert body["sum"] == pytest.approx(sum(readings), rel=1e-12, abs=1e-9)
    assert body["stddev"] == pytest.approx(
        math.sqrt(sum((r - mean) ** 2 for r in readings) / count), rel=1e-9, abs=1e-9
    )
    for p in (50, 95, 99):
        assert body[f"p{p}"] == nearest_rank(ordered, p)


def test_stream_stats_takes_a_bare_array_of_numbers_and_value_objects() -> None:
    status, body = stats_response([1, {"value": 2}, 3, 4])
    assert status == 200
    assert (body["count"], body["mean"], body["p50"], body["p95"]) == (4, 2.5, 2, 4)


def test_stream_stats_reads_a_base64_body() -> None:
    event = http_v2("POST", "/stats", base64.b64encode(b"[10, 20]").decode(), b64=True)
    response = run_exports(STATS, event)
    assert json.loads(response["body"])["mean"] == 15


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("[]", "no readings"),
        ("{not json", "not JSON"),
        ('{"readings": 5}', "expected a JSON array"),
        ('[1, "two", 3]', "reading 1 is not a number"),
    ],
)
def test_stream_stats_bad_batches_get_a_400_response(body: str, message: str) -> None:
    status, response_body = stats_response(body, raw=True)
    assert status == 400
    assert message in response_body["error"]


@settings(max_examples=80, deadline=None)
@given(
    readings=st.lists(
        st.floats(-1e9, 1e9, allow_nan=False, allow_infinity=False) | st.integers(-(10**9), 10**9),
        min_size=1,
        max_size=300,
    )
)
def test_stream_stats_any_batch_matches_python(readings: list[float]) -> None:
    status, body = stats_response(readings)
    assert status == 200
    ordered = sorted(float(r) for r in readings)
    assert body["count"] == len(readings)
    assert (body["min"], body["max"]) == (ordered[0], ordered[-1])
    for p in (50, 95, 99):
        assert body[f"p{p}"] == nearest_rank(ordered, p)
    assert body["mean"] == pytest.approx(statistics.fmean(ordered), rel=1e-9, abs=1e-6)
