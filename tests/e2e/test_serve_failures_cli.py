"""Under `wasmdeploy serve`, with a real WASM function, a failure loses nothing: an SQS
batch's bad message alone comes back and ends in the dead-letter queue after its receives,
and a failing asynchronous invocation ends in its onFailure queue with Lambda's record.

The function is the stream-stats example's window-stats module: it names SQS messages
without a valid reading in `batchItemFailures`, and traps on an SNS window without one.
"""

from __future__ import annotations

import json
import shutil
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from tests.ports import free_port
from tests.serve_process import ServeProcess

REPO = Path(__file__).resolve().parents[2]
MODULE = REPO / "examples" / "stream-stats" / "window-stats.wasm"
MANIFEST = """
service: failures
provider:
  name: aws
  runtime: provided.al2023
  sandbox: {allowedImports: []}
functions:
  fromQueue:
    handler: window-stats.wasm#handle
    timeout: 1  # a visibility timeout of 2 s must cover it (AWS refuses one shorter)
    events:
      - sqs:
          queue: {name: failing-readings, visibilityTimeout: 2, maxReceiveCount: 2}
          batchSize: 10
          maximumBatchingWindow: 1
          functionResponseType: ReportBatchItemFailures
  fromTopic:
    handler: window-stats.wasm#handle
    maximumRetryAttempts: 1
    events:
      - sns: failing-windows
"""


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ServeProcess, Any]]:
    root = tmp_path_factory.mktemp("failures")
    shutil.copy(MODULE, root / MODULE.name)
    (root / "wasmdeploy.yml").write_text(textwrap.dedent(MANIFEST))
    aws_port = free_port()
    server = ServeProcess(root, "--port", str(free_port()), "--aws-port", str(aws_port))
    sqs = boto3.client(
        "sqs", endpoint_url=f"http://127.0.0.1:{aws_port}", region_name="us-east-1",
        aws_access_key_id="wasmdeploy-local", aws_secret_access_key="wasmdeploy-local",
    )  # fmt: skip
    yield server, sqs
    server.stop()


def receive_all(sqs: Any, queue: str, want: int, rounds: int = 30) -> list[dict[str, Any]]:
    url = sqs.get_queue_url(QueueName=queue)["QueueUrl"]
    messages: list[dict[str, Any]] = []
    for _ in range(rounds):
        reply = sqs.receive_message(
            QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1, AttributeNames=["All"]
        )
        messages += reply.get("Messages", [])
        if len(messages) >= want:
            break
    return messages


def test_bad_message_alone_is_redelivered_then_dead_lettered(
    served: tuple[ServeProcess, Any],
) -> None:
    server, sqs = served
    url = sqs.get_queue_url(QueueName="failing-readings")["QueueUrl"]
    bodies = ['{"sensor": "a", "value": 1}', "not a reading", '{"sensor": "a", "value": 3}']
    sqs.send_message_batch(
        QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": b} for i, b in enumerate(bodies)]
    )
    dead = receive_all(sqs, "failing-readings-dlq", want=1)
    assert [message["Body"] for message in dead] == ["not a reading"]
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert attributes["ApproximateNumberOfMessages"] == "0"
    assert attributes["ApproximateNumberOfMessagesNotVisible"] == "0"
    # Two runs: the batch of three, then the bad message alone on its second receive.
    reports = [line for line in server.lines_of("fromQueue") if "REPORT RequestId" in line]
    assert len(reports) == 2


def test_failing_async_invocation_lands_in_on_failure_with_lambdas_record(
    served: tuple[ServeProcess, Any],
) -> None:
    server, sqs = served
    sns = boto3.client(
        "sns", endpoint_url=sqs.meta.endpoint_url, region_name="us-east-1",
        aws_access_key_id="wasmdeploy-local", aws_secret_access_key="wasmdeploy-local",
    )  # fmt: skip
    topic = "arn:aws:sns:us-east-1:123456789012:failing-windows"
    sns.publish(TopicArn=topic, Message='{"sensor": "a", "readings": ["no", "numbers"]}')
    failures = receive_all(sqs, "failures-dev-fromTopic-async-dlq", want=1)
    assert len(failures) == 1, server.output()
    record = json.loads(failures[0]["Body"])
    assert record["requestContext"]["condition"] == "RetriesExhausted"
    assert record["requestContext"]["approximateInvokeCount"] == 2  # maximumRetryAttempts: 1
    assert record["requestPayload"]["Records"][0]["Sns"]["TopicArn"] == topic
    assert record["responseContext"]["functionError"] == "Unhandled"
    assert record["responsePayload"]["errorType"] == "WasmTrap"
