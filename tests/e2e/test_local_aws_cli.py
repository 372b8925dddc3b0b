"""Local emulation never reaches the user's AWS account: `invoke`, `start-lambda` and
`serve` run with real-looking credentials in the environment, and every AWS request the
functions make lands on the local AWS (which says what a client needs to use it)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import boto3
import pytest
from botocore.config import Config

from tests.e2e.test_serve_local import Server, port_open, start, stop
from tests.functional.runtime_modules import ECHO, wasm
from tests.ports import free_port
from wasmdeploy.local.local_aws import LocalAws

MANIFEST = """
service: awstest
provider:
  name: aws
  runtime: provided.al2023
functions:
  copy:
    handler: echo.wasm
    input: object
    output:
      bucket: awstest-out
      key: copies/{stem}.bin
    events:
      - s3:
          bucket: awstest-in
          event: s3:ObjectCreated:*
"""
WASMDEPLOY = (sys.executable, "-m", "wasmdeploy")
# What a user with an AWS account has in the environment; no request may use them.
REAL_LOOKING = {
    "AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE",
    "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "AWS_SESSION_TOKEN": "real-looking-session-token",
}


@pytest.fixture(scope="module")
def service_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("awstest")
    (root / "echo.wasm").write_bytes(wasm(ECHO))
    (root / "wasmdeploy.yml").write_text(textwrap.dedent(MANIFEST))
    return root


def s3_event(bucket: str, key: str) -> bytes:
    record = {
        "eventSource": "aws:s3",
        "eventName": "ObjectCreated:Put",
        "s3": {"bucket": {"name": bucket}, "object": {"key": key, "size": 5}},
    }
    return json.dumps({"Records": [record]}).encode()


def test_invoke_with_an_s3_event_reads_the_local_s3_not_the_account(service_dir: Path) -> None:
    (service_dir / "event.json").write_bytes(s3_event("awstest-in", "uploads/a.dat"))
    result = subprocess.run(
        [*WASMDEPLOY, "invoke", "copy", "-e", "event.json"],
        cwd=service_dir,
        env={**os.environ, **REAL_LOOKING},
        capture_output=True,
        text=True,
        timeout=120,
    )
    # The local S3 was asked, and has no such object: S3's own answer, from the local AWS.
    assert result.returncode == 1
    error = json.loads(result.stdout)
    assert error["errorType"] == "S3ObjectError" and "NoSuchKey" in error["errorMessage"]
    assert re.search(r"Local AWS on http://127\.0\.0\.1:\d+", result.stderr)
    assert "awstest-in" in result.stderr and "--aws" in result.stderr


def test_start_lambda_gives_the_functions_a_local_s3(service_dir: Path) -> None:
    port, aws_port = free_port(), free_port()
    environment = {**os.environ, **REAL_LOOKING}
    log = service_dir / "start-lambda.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [*WASMDEPLOY, "start-lambda", "--port", str(port), "--aws-port", str(aws_port)],
            cwd=service_dir,
            env=environment,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    server = Server(process, log)
    try:
        server.wait_until(lambda: port_open(port), f"nothing listens on {port}")
        endpoint = f"http://127.0.0.1:{aws_port}"
        assert f"AWS_ENDPOINT_URL={endpoint}" in server.output()
        s3 = LocalAws(port=aws_port).client("s3")  # a client of the running local AWS
        s3.put_object(Bucket="awstest-in", Key="uploads/b.dat", Body=b"hello")
        lambda_client = boto3.client(
            "lambda",
            endpoint_url=f"http://127.0.0.1:{port}",
            region_name="us-east-1",
            config=Config(retries={"max_attempts": 0}),
        )
        reply = lambda_client.invoke(
            FunctionName="copy", Payload=s3_event("awstest-in", "uploads/b.dat")
        )
        payload = json.loads(reply["Payload"].read())
        assert "FunctionError" not in reply, payload
        written = s3.get_object(Bucket="awstest-out", Key="copies/b.bin")
        assert written["Body"].read() == b"hello"
    finally:
        stop(server)


def test_serve_prints_the_endpoint_the_dummy_credentials_and_the_buckets(
    service_dir: Path,
) -> None:
    port, aws_port = free_port(), free_port()
    server = start(
        service_dir, "serve", "--port", str(port), "--aws-port", str(aws_port), port=aws_port
    )
    try:
        server.wait_until(lambda: "Press Ctrl+C" in server.output(), "serve never got ready")
        output = server.output()
        services = "(S3, SQS, SNS, Kinesis, DynamoDB, EventBridge)"
        assert f"Local AWS: http://127.0.0.1:{aws_port}  {services}\n" in output  # unwrapped
        assert f"export AWS_ENDPOINT_URL=http://127.0.0.1:{aws_port}" in output
        for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION"):
            assert f"export {name}=" in output
        assert re.search(r"buckets: .*awstest-in.*awstest-out|buckets: .*awstest-out", output)
        assert "WARNING" not in output  # loopback only
    finally:
        stop(server)


def test_s3_port_is_still_accepted_for_the_local_aws(service_dir: Path) -> None:
    port, aws_port = free_port(), free_port()
    server = start(
        service_dir, "serve", "--port", str(port), "--s3-port", str(aws_port), port=aws_port
    )
    try:
        server.wait_until(lambda: "Press Ctrl+C" in server.output(), "serve never got ready")
        assert f"AWS_ENDPOINT_URL=http://127.0.0.1:{aws_port}" in server.output()
    finally:
        stop(server)
