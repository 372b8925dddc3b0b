"""`input: object` / `output:` through the real bootstrap against a local S3 (moto server)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.functional.runtime_api_server import RuntimeApiServer
from tests.functional.runtime_modules import EXPORTS_UPPER, write_task_root
from tests.functional.runtime_process import BootstrapProcess


def s3_event(bucket: str, key: str) -> bytes:
    record = {
        "eventSource": "aws:s3",
        "eventName": "ObjectCreated:Put",
        "s3": {"bucket": {"name": bucket}, "object": {"key": key, "size": 1}},
    }
    return json.dumps({"Records": [record]}).encode()


@pytest.fixture
def served(s3_endpoint: str, tmp_path: Path) -> Iterator[RuntimeApiServer]:
    api = RuntimeApiServer()
    config = {
        "handler": "upper.wasm#handle",
        "input": "object",
        "output": {"bucket": "processed", "key": "done/{stem}.{ext}"},
    }
    root = write_task_root(tmp_path / "task", EXPORTS_UPPER, module="upper.wasm", config=config)
    process = BootstrapProcess(
        api.address, root, tmp_path / "logs", extra_env={"AWS_ENDPOINT_URL_S3": s3_endpoint}
    )
    yield api
    process.stop()
    api.close()


def test_object_named_by_the_event_is_processed_and_written_to_the_templated_key(
    s3, served: RuntimeApiServer
) -> None:
    s3.put_object(Bucket="uploads", Key="in/My Photo.txt", Body=b"photo bytes")
    answer = served.invoke(s3_event("uploads", "in/My+Photo.txt"))
    assert answer.error is None, answer.error
    assert json.loads(answer.response or b"") == {
        "bucket": "processed",
        "key": "done/My Photo.txt",
        "size": 11,
    }
    written = s3.get_object(Bucket="processed", Key="done/My Photo.txt")
    assert written["Body"].read() == b"PHOTO BYTES"
    assert written["ContentType"] == "text/plain"


def test_missing_object_is_an_s3_object_error_and_the_runtime_serves_on(
    s3, served: RuntimeApiServer
) -> None:
    answer = served.invoke(s3_event("uploads", "in/absent.txt"))
    assert answer.error_type == "S3ObjectError"
    assert "NoSuchKey" in str(answer.error_json["errorMessage"])
    s3.put_object(Bucket="uploads", Key="in/later.txt", Body=b"later")
    assert served.invoke(s3_event("uploads", "in/later.txt")).error is None


def test_event_that_is_not_an_s3_notification_is_an_invalid_event(
    s3, served: RuntimeApiServer
) -> None:
    answer = served.invoke(b'{"hello": "world"}')
    assert answer.error_type == "InvalidEvent"


@pytest.mark.parametrize(
    "event",
    [
        {"Records": [{"s3": {"bucket": {"name": "uploads"}, "object": "k"}}]},
        {"Records": [{"s3": {"bucket": "uploads", "object": {"key": "k"}}}]},
        {"Records": [{"s3": {"bucket": {"name": "uploads"}, "object": {"key": 3}}}]},
        {"Records": ["s3"]},
        {"Records": {"s3": {}}},
    ],
    ids=["object-string", "bucket-string", "key-number", "record-string", "records-mapping"],
)
def test_a_malformed_s3_event_is_an_invalid_event_and_the_runtime_serves_on(
    s3, served: RuntimeApiServer, event: object
) -> None:
    answer = served.invoke(json.dumps(event).encode())
    assert answer.error_type == "InvalidEvent", answer.error_json
    assert "Traceback" not in str(answer.error_json)
    s3.put_object(Bucket="uploads", Key="in/next.txt", Body=b"next")
    assert served.invoke(s3_event("uploads", "in/next.txt")).error is None
