"""`wasmdeploy serve` keeps the local AWS's data between runs, per stage (`--fresh` starts empty),
and says what it does for a service of edge functions only."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import boto3
from botocore.exceptions import ClientError

from tests.e2e.test_serve_local import Server, start, stop
from tests.functional.runtime_modules import ECHO, wasm
from tests.ports import free_port
from tests.processes import stop as stop_process

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

MANIFEST = """
service: keeps
provider:
  name: aws
functions:
  copy:
    handler: echo.wasm
    events:
      - sqs:
          queue: keeps-jobs
          batchSize: 1
"""


def serve(root: Path, *extra: str) -> tuple[Server, str]:
    port, aws_port = free_port(), free_port()
    server = start(
        root, "serve", "--port", str(port), "--aws-port", str(aws_port), *extra, port=aws_port
    )
    server.wait_until(lambda: "Press Ctrl+C" in server.output(), "serve never got ready")
    return server, f"http://127.0.0.1:{aws_port}"


def client(endpoint: str, name: str = "s3") -> Any:
    return boto3.client(
        name,
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="any",
        aws_secret_access_key="any",
    )


def test_objects_items_and_queued_messages_survive_a_restart_and_fresh_empties_them(
    tmp_path: Path,
) -> None:
    (tmp_path / "echo.wasm").write_bytes(wasm(ECHO))
    (tmp_path / "wasmdeploy.yml").write_text(textwrap.dedent(MANIFEST))
    server, endpoint = serve(tmp_path)
    try:
        s3 = client(endpoint)
        s3.create_bucket(Bucket="keeps-uploads")
        s3.put_object(Bucket="keeps-uploads", Key="a.bin", Body=b"\x00kept")
        sqs = client(endpoint, "sqs")  # a queue nothing consumes: its message waits
        url = sqs.create_queue(QueueName="keeps-parked")["QueueUrl"]
        sqs.send_message(QueueUrl=url, MessageBody="still here")
        dynamodb = client(endpoint, "dynamodb")
        dynamodb.create_table(
            TableName="keeps-table",
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        dynamodb.put_item(TableName="keeps-table", Item={"id": {"S": "1"}, "n": {"N": "5"}})
    finally:
        stop_process(server.process, signal.SIGHUP, grace=20)  # its terminal was closed
    assert "Kept 1 object, 1 item, 1 queued message" in server.output()
    assert (tmp_path / ".wasmdeploy" / "local" / "aws-dev" / "state.json").is_file()

    server, endpoint = serve(tmp_path)
    try:
        assert "Restored 1 object, 1 item from" in server.output()
        assert "Sent again the 1 message still queued" in server.output()
        body = client(endpoint).get_object(Bucket="keeps-uploads", Key="a.bin")["Body"].read()
        assert body == b"\x00kept"
        sqs = client(endpoint, "sqs")
        url = sqs.get_queue_url(QueueName="keeps-parked")["QueueUrl"]
        messages = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=2).get("Messages", [])
        assert [message["Body"] for message in messages] == ["still here"]
        item = client(endpoint, "dynamodb").get_item(
            TableName="keeps-table", Key={"id": {"S": "1"}}
        )["Item"]
        assert item == {"id": {"S": "1"}, "n": {"N": "5"}}
    finally:
        stop(server)

    server, endpoint = serve(tmp_path, "--fresh", "--no-reload")
    try:
        assert "--fresh: removed" in server.output()
        assert "Watching the manifest" not in server.output()
        try:
            client(endpoint).head_bucket(Bucket="keeps-uploads")
            raise AssertionError("--fresh kept the bucket")
        except ClientError as error:
            assert error.response["Error"]["Code"] in ("404", "NoSuchBucket")
    finally:
        stop(server)


def test_an_edge_only_service_prints_the_command_that_runs_each_edge_function(
    tmp_path: Path,
) -> None:
    root = tmp_path / "edge"
    shutil.copytree(EXAMPLES / "edge-rewrite", root, ignore=shutil.ignore_patterns(".wasmdeploy"))
    server, _ = serve(root, "--no-reload")
    try:
        output = server.output()
    finally:
        stop(server)
    assert "Trigger" not in output  # no empty table
    command = next(line.strip() for line in output.splitlines() if "| wasmdeploy invoke" in line)
    assert command.startswith("wasmdeploy events cloudfront origin-request --uri / |")
    # The command works as printed (with this interpreter's wasmdeploy).
    runnable = command.replace("wasmdeploy ", f"{sys.executable} -m wasmdeploy ")
    result = subprocess.run(
        runnable, shell=True, cwd=root, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["uri"] == "/index.html"  # the function rewrote it
