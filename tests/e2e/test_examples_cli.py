"""Every example, used as its README says: `wasmdeploy validate`, then
`wasmdeploy invoke` with an event from `wasmdeploy events` (or `--object` for
the image pipeline). The CLI runs as a separate process, as a user runs it."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from png_samples import inverted_luma, random_png

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
IMAGE_PIPELINE = EXAMPLES / "image-pipeline"


def wasmdeploy(
    *args: str, cwd: Path, stdin: bytes | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "wasmdeploy", *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        timeout=timeout,
    )


def generated_event(*args: str) -> bytes:
    result = wasmdeploy("events", *args, cwd=EXAMPLES)
    assert result.returncode == 0, result.stderr.decode()
    json.loads(result.stdout)
    return result.stdout


def invoke(example: str, function: str, event: bytes) -> Any:
    result = wasmdeploy("invoke", function, "-e", "-", cwd=EXAMPLES / example, stdin=event)
    assert result.returncode == 0, result.stdout.decode() + result.stderr.decode()
    return json.loads(result.stdout)


def api_response(response: Any) -> tuple[int, Any]:
    return response["statusCode"], json.loads(response["body"])


@pytest.mark.parametrize(
    "example", sorted(path.parent.name for path in EXAMPLES.glob("*/wasmdeploy.yml"))
)
def test_example_validates(example: str) -> None:
    result = wasmdeploy("validate", cwd=EXAMPLES / example)
    assert result.returncode == 0, result.stdout.decode() + result.stderr.decode()
    assert b"is valid" in result.stdout


def test_example_manifests_point_editors_at_the_schema() -> None:
    for manifest in EXAMPLES.glob("*/wasmdeploy.yml"):
        if manifest.parent.name == "s3-event-log":
            continue  # the origin manifest, kept byte for byte
        first_line = manifest.read_text().splitlines()[0]
        assert first_line == "# yaml-language-server: $schema=../../schemas/wasmdeploy.schema.json"


# ---------------------------------------------------------------- s3-event-log


def test_s3_event_log_invokes_with_its_default_event() -> None:
    result = wasmdeploy("invoke", "processImage", cwd=EXAMPLES / "s3-event-log")
    assert result.returncode == 0, result.stderr.decode()
    summary = json.loads(result.stdout)
    assert summary["count"] == 1
    assert summary["objects"][0]["eventName"].startswith("ObjectCreated")


def test_s3_event_log_summarises_a_generated_put_event() -> None:
    options = ["--bucket", "image-processing-bucket", "--size", "2048", "--key", "up/a cat.png"]
    event = generated_event("s3", "put", *options)
    result = wasmdeploy(
        "invoke", "processImage", "-e", "-", cwd=EXAMPLES / "s3-event-log", stdin=event
    )
    assert result.returncode == 0, result.stderr.decode()
    summary = json.loads(result.stdout)
    assert summary["objects"] == [
        {
            "bucket": "image-processing-bucket",
            "key": "up/a cat.png",
            "size": 2048,
            "eventName": "ObjectCreated:Put",
            "eventTime": summary["objects"][0]["eventTime"],
        }
    ]
    assert b"s3://image-processing-bucket/up/a cat.png (2048 bytes)" in result.stderr


# ---------------------------------------------------------------- http-api


def test_http_api_hello_on_the_http_api() -> None:
    event = generated_event(
        "apigw", "http", "--method", "GET", "--path", "/hello/ada", "--route", "/hello/{name}"
    )
    assert api_response(invoke("http-api", "api", event)) == (200, {"message": "Hello, ada!"})


def test_http_api_echo_on_the_http_api() -> None:
    body = {"readings": [1, 2], "name": "x"}
    event = generated_event(
        "apigw", "http", "--method", "POST", "--path", "/echo", "--body", json.dumps(body)
    )
    assert api_response(invoke("http-api", "api", event)) == (200, {"echo": body})


def test_http_api_unknown_path_is_a_404_response() -> None:
    event = generated_event("apigw", "http", "--path", "/missing")
    status, body = api_response(invoke("http-api", "api", event))
    assert status == 404
    assert body["error"] == "not found"


def test_http_api_rest_variant_uses_payload_1_0_and_its_own_greeting() -> None:
    event = generated_event("apigw", "rest", "--method", "GET", "--path", "/rest/hello/bob")
    assert api_response(invoke("http-api", "restApi", event)) == (200, {"message": "Howdy, bob!"})


# ---------------------------------------------------------------- edge-rewrite


@pytest.mark.parametrize(
    ("uri", "rewritten"), [("/docs/", "/docs/index.html"), ("/legacy/about", "/about/index.html")]
)
def test_edge_rewrite_rewrites_a_generated_origin_request(uri: str, rewritten: str) -> None:
    event = generated_event("cloudfront", "origin-request", "--uri", uri)
    request = invoke("edge-rewrite", "rewrite", event)
    assert request["uri"] == rewritten
    assert request["headers"]["x-original-uri"][0]["value"] == uri


# ---------------------------------------------------------------- stream-stats


def test_stream_stats_aggregates_a_posted_batch() -> None:
    body = json.dumps({"readings": [4, 1, 3, 2, 100]})
    options = ["--method", "POST", "--path", "/stats", "--route", "/stats", "--body", body]
    event = generated_event("apigw", "http", *options)
    status, body = api_response(invoke("stream-stats", "stats", event))
    assert status == 200
    assert (body["count"], body["min"], body["max"], body["mean"]) == (5, 1, 100, 22)
    assert (body["p50"], body["p95"]) == (3, 100)


# ---------------------------------------------------------------- image-pipeline


def assert_gray_inverted(output: bytes, source: Image.Image) -> None:
    result = Image.open(io.BytesIO(output))
    result.load()
    assert result.size == source.size
    rgba = source.convert("RGBA").tobytes()
    expected = [inverted_luma(*rgba[i : i + 3]) for i in range(0, len(rgba), 4)]
    data = result.tobytes()
    if source.mode in ("LA", "RGBA"):
        assert result.mode == "LA"
        assert list(data[0::2]) == expected
        assert data[1::2] == rgba[3::4]
    else:
        assert result.mode == "L"
        assert list(data) == expected


# Every colour type through the WASI function, two through the exports one; the
# functional tests run many more shapes through the modules themselves.
IMAGE_CASES = [
    ("processImage", "L", (17, 9)),
    ("processImage", "LA", (5, 31)),
    ("processImage", "RGB", (64, 48)),
    ("processImage", "RGBA", (101, 7)),
    ("processImage", "P", (33, 33)),
    ("processImageExports", "RGBA", (1, 1)),
    ("processImageExports", "P", (77, 13)),
]


@pytest.mark.parametrize(("function", "mode", "size"), IMAGE_CASES)
def test_image_pipeline_invoke_object_writes_the_gray_inverted_png(
    function: str, mode: str, size: tuple[int, int], tmp_path: Path
) -> None:
    png, source = random_png(mode, size)
    (tmp_path / "in.png").write_bytes(png)
    files = ["--object", str(tmp_path / "in.png"), "--out", str(tmp_path / "out.png")]
    result = wasmdeploy("invoke", function, *files, cwd=IMAGE_PIPELINE)
    assert result.returncode == 0, result.stdout.decode() + result.stderr.decode()
    assert_gray_inverted((tmp_path / "out.png").read_bytes(), source)


def test_image_pipeline_sample_from_the_readme(tmp_path: Path) -> None:
    out = tmp_path / "processed.png"
    result = wasmdeploy(
        "invoke", "processImage", "--object", "sample.png", "--out", str(out), cwd=IMAGE_PIPELINE
    )
    assert result.returncode == 0, result.stderr.decode()
    assert_gray_inverted(out.read_bytes(), Image.open(IMAGE_PIPELINE / "sample.png"))


def test_image_pipeline_non_png_is_a_clear_function_error(tmp_path: Path) -> None:
    not_png = tmp_path / "notes.png"
    not_png.write_text("these are notes, not pixels\n")
    files = ["--object", str(not_png), "--out", str(tmp_path / "out.png")]
    result = wasmdeploy("invoke", "processImage", *files, cwd=IMAGE_PIPELINE)
    assert result.returncode == 1
    error = json.loads(result.stdout)
    assert error["errorType"] == "WasmExit"
    assert b"input is not a PNG file" in result.stderr + result.stdout
    assert b"Traceback" not in result.stderr
    assert not (tmp_path / "out.png").exists()
