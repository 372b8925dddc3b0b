"""The runtime passes batch events to the module as AWS sends them, and a module's partial
batch response back as it wrote it: nothing in it assumes an event is S3 or HTTP.

The events are the ones the local event sources build (SQS, Kinesis, DynamoDB,
SNS, EventBridge, schedules); the runtime is the real bootstrap on a Runtime API.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.functional.runtime_api_server import RuntimeApiServer
from tests.functional.runtime_modules import ECHO, wasm, write_task_root
from tests.functional.runtime_process import BootstrapProcess
from wasmdeploy.local.sources.queue_events import (
    eventbridge_event,
    scheduled_event,
    sns_event,
    sqs_event,
)
from wasmdeploy.local.sources.stream_records import DynamoDbShards, KinesisShards

PARTIAL = '{"batchItemFailures":[{"itemIdentifier":"059f36b4-87a3-44ab-83d2-661975830a7d"}]}'
_ESCAPED = PARTIAL.replace('"', '\\"')
PRINTS_PARTIAL_FAILURE = f"""(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 256) "{_ESCAPED}")
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 256))
    (i32.store (i32.const 4) (i32.const {len(PARTIAL)}))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))
"""
MESSAGE = {
    "MessageId": "059f36b4-87a3-44ab-83d2-661975830a7d",
    "ReceiptHandle": "AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a",
    "Body": "Test message.",
    "Attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": "1545082649183"},
    "MessageAttributes": {"kind": {"DataType": "Binary", "BinaryValue": b"\x00\x01"}},
    "MD5OfBody": "e4e68fb7bd0e697a0ae8f1bb342846b3",
}
ARRIVED = datetime.datetime(2026, 12, 1, 9, 0, tzinfo=datetime.UTC)


def batch_events() -> dict[str, Any]:
    arn = "arn:aws:sqs:us-east-1:123456789012:jobs"
    kinesis = KinesisShards(None, "readings", region="us-east-1", role_arn="arn:aws:iam::1:role/r")
    dynamodb = DynamoDbShards(None, "arn:aws:dynamodb:us-east-1:1:table/t/stream/x", region="x")
    record = {"SequenceNumber": "4959", "Data": b'{"v": 1}', "PartitionKey": "k",
              "ApproximateArrivalTimestamp": ARRIVED}  # fmt: skip
    change = {"eventID": "1", "eventName": "MODIFY",
              "dynamodb": {"Keys": {"id": {"S": "a"}}, "SequenceNumber": "11",
                           "ApproximateCreationDateTime": ARRIVED}}  # fmt: skip
    envelope = {"Message": "hello", "TopicArn": "arn:aws:sns:us-east-1:1:t", "MessageId": "m"}
    return {
        "sqs": sqs_event([MESSAGE, {**MESSAGE, "MessageId": "2"}], queue_arn=arn, region="x"),
        "kinesis": {"Records": [kinesis.event_record(record, "shardId-000000000000")] * 3},
        "dynamodb": {"Records": [dynamodb.event_record(change, "shardId-1")]},
        "sns": sns_event(envelope, subscription_arn="arn:aws:sns:us-east-1:1:t:sub"),
        "eventbridge": eventbridge_event({"source": "a", "detail": {"x": [1, 2]}}, region="x"),
        "schedule": scheduled_event(rule_arn="arn:aws:events:x:1:rule/r", region="x"),
    }


@pytest.fixture(scope="module")
def api() -> Iterator[RuntimeApiServer]:
    server = RuntimeApiServer()
    yield server
    server.close()


@pytest.fixture(scope="module")
def echo(api: RuntimeApiServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    root = tmp_path_factory.mktemp("echo")
    process = BootstrapProcess(api.address, write_task_root(root / "task", ECHO), root / "logs")
    yield
    process.stop()


@pytest.mark.parametrize("source", sorted(batch_events()))
def test_every_event_reaches_the_module_byte_for_byte(
    api: RuntimeApiServer, echo: None, source: str
) -> None:
    payload = json.dumps(batch_events()[source]).encode()
    invocation = api.invoke(payload)
    assert invocation.error is None and invocation.response == payload


def test_a_partial_batch_response_comes_back_as_the_module_wrote_it(tmp_path: Path) -> None:
    server = RuntimeApiServer()
    root = write_task_root(tmp_path / "task", wasm(PRINTS_PARTIAL_FAILURE))
    process = BootstrapProcess(server.address, root, tmp_path / "logs")
    try:
        invocation = server.invoke(json.dumps(batch_events()["sqs"]).encode())
        assert invocation.response == PARTIAL.encode()
    finally:
        process.stop()
        server.close()
