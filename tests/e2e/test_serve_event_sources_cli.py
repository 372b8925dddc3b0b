"""`wasmdeploy serve` with a manifest using every event source: clients nobody here wrote
(boto3, the aws CLI) write to the local AWS, and each write runs its WASM function.

The module copies its event to stderr, so each delivery shows in serve's log
under the function's name, with the marker the client wrote.
"""

from __future__ import annotations

import json
import os
import subprocess
import textwrap
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from tests.functional.runtime_modules import ECHO, wasm
from tests.ports import free_port
from tests.required_tools import console_script
from tests.serve_process import ServeProcess

# The echo module, writing to stderr (fd 2) instead of stdout: the event becomes a log line.
TO_STDERR = ECHO.replace("(call $write (i32.const 1)", "(call $write (i32.const 2)")

MANIFEST = """
service: sources
provider:
  name: aws
  runtime: provided.al2023
functions:
  onQueue:
    handler: log.wasm
    events:
      - sqs:
          queue: jobs
          batchSize: 5
  onStream:
    handler: log.wasm
    events:
      - stream:
          type: kinesis
          name: readings
          startingPosition: TRIM_HORIZON
          maximumRetryAttempts: 2
  onTable:
    handler: log.wasm
    events:
      - stream:
          type: dynamodb
          arn: arn:aws:dynamodb:us-east-1:123456789012:table/accounts/stream/2026-01-01T00:00:00.000
          startingPosition: TRIM_HORIZON
  onTopic:
    handler: log.wasm
    events:
      - sns: alerts
  onBus:
    handler: log.wasm
    events:
      - eventBridge:
          eventBus: shop
          pattern:
            source: [shop.orders]
  onTimer:
    handler: log.wasm
    events:
      - schedule:
          rate: rate(1 hour)
          input: {marker: marker-schedule}
"""


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ServeProcess, str]]:
    root = tmp_path_factory.mktemp("sources")
    (root / "log.wasm").write_bytes(wasm(TO_STDERR))
    (root / "wasmdeploy.yml").write_text(textwrap.dedent(MANIFEST))
    aws_port = free_port()
    args = ("--port", str(free_port()), "--aws-port", str(aws_port), "--run-schedules-now")
    server = ServeProcess(root, *args)
    yield server, f"http://127.0.0.1:{aws_port}"
    server.stop()


def client(service: str, endpoint: str) -> Any:
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="wasmdeploy-local",
        aws_secret_access_key="wasmdeploy-local",
    )


def delivered(server: ServeProcess, function: str, marker: str) -> dict[str, Any]:
    """The event that carried `marker`, from the function's log line."""

    def found() -> bool:
        return any(marker in line for line in server.lines_of(function))

    server.wait_until(found, f"{function} never got {marker}")
    line = next(line for line in server.lines_of(function) if marker in line)
    return json.loads(line[line.index("{") :])


def test_serve_lists_every_resource_and_what_to_export(served: tuple[ServeProcess, str]) -> None:
    server, endpoint = served
    output = server.output()
    assert f"export AWS_ENDPOINT_URL={endpoint}" in output
    assert "export AWS_ACCESS_KEY_ID=wasmdeploy-local" in output
    for name in ("jobs", "jobs-dlq", "readings", "alerts", "shop", "accounts"):
        assert name in output
    assert "retries after 1s, 2s" in output


def test_send_message_runs_the_queue_function(served: tuple[ServeProcess, str]) -> None:
    server, endpoint = served
    sqs = client("sqs", endpoint)
    sqs.send_message(QueueUrl=sqs.get_queue_url(QueueName="jobs")["QueueUrl"], MessageBody="m-sqs")
    record = delivered(server, "onQueue", "m-sqs")["Records"][0]
    assert record["eventSource"] == "aws:sqs" and record["body"] == "m-sqs"


def test_put_record_runs_the_stream_function(served: tuple[ServeProcess, str]) -> None:
    server, endpoint = served
    client("kinesis", endpoint).put_record(StreamName="readings", Data=b"m-kin", PartitionKey="k")
    # base64 of "m-kin"
    record = delivered(server, "onStream", "bS1raW4=")["Records"][0]
    assert record["eventSource"] == "aws:kinesis" and record["kinesis"]["partitionKey"] == "k"


def test_put_item_runs_the_table_stream_function(served: tuple[ServeProcess, str]) -> None:
    server, endpoint = served
    client("dynamodb", endpoint).put_item(TableName="accounts", Item={"id": {"S": "m-ddb"}})
    record = delivered(server, "onTable", "m-ddb")["Records"][0]
    assert record["eventName"] == "INSERT" and record["dynamodb"]["Keys"] == {"id": {"S": "m-ddb"}}


def test_publish_runs_the_topic_function(served: tuple[ServeProcess, str]) -> None:
    server, endpoint = served
    topic = "arn:aws:sns:us-east-1:123456789012:alerts"
    client("sns", endpoint).publish(TopicArn=topic, Message="m-sns")
    record = delivered(server, "onTopic", "m-sns")["Records"][0]
    assert record["EventSource"] == "aws:sns" and record["Sns"]["TopicArn"] == topic


def test_put_events_runs_the_rule_function(served: tuple[ServeProcess, str]) -> None:
    server, endpoint = served
    entry = {"Source": "shop.orders", "DetailType": "Placed", "EventBusName": "shop"}
    client("events", endpoint).put_events(Entries=[{**entry, "Detail": '{"m": "m-events"}'}])
    event = delivered(server, "onBus", "m-events")
    assert event["detail-type"] == "Placed" and event["account"] == "123456789012"


def test_schedule_fires_at_start_with_its_input(served: tuple[ServeProcess, str]) -> None:
    server, _ = served
    assert delivered(server, "onTimer", "marker-schedule") == {"marker": "marker-schedule"}


def test_the_aws_cli_sends_to_the_queue_the_topic_and_the_bus(
    served: tuple[ServeProcess, str],
) -> None:
    server, endpoint = served
    cli = console_script("aws", "pip install awscli (a test dependency)")
    # aws CLI v1 sends `sqs` commands to queue.amazonaws.com whatever AWS_ENDPOINT_URL says;
    # --endpoint-url works for every version and service.
    env = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": "wasmdeploy-local",
        "AWS_SECRET_ACCESS_KEY": "wasmdeploy-local",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    queue_url = f"{endpoint}/123456789012/jobs"
    commands = [
        [cli, "--endpoint-url", endpoint, "sqs", "send-message", "--queue-url", queue_url,
         "--message-body", "m-cli-sqs"],
        [cli, "--endpoint-url", endpoint, "sns", "publish", "--topic-arn",
         "arn:aws:sns:us-east-1:123456789012:alerts", "--message", "m-cli-sns"],
        [cli, "--endpoint-url", endpoint, "events", "put-events", "--entries",
         json.dumps([{"Source": "shop.orders", "DetailType": "Cli", "EventBusName": "shop",
                      "Detail": '{"m": "m-cli-events"}'}])],
    ]  # fmt: skip
    for command in commands:
        result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr
    assert delivered(server, "onQueue", "m-cli-sqs")["Records"][0]["body"] == "m-cli-sqs"
    assert delivered(server, "onTopic", "m-cli-sns")["Records"][0]["Sns"]["Message"] == "m-cli-sns"
    assert delivered(server, "onBus", "m-cli-events")["detail-type"] == "Cli"
