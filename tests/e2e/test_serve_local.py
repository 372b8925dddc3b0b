"""`wasmdeploy serve` and `start-lambda` as a user runs them, with the real runtime."""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config

from tests.functional.runtime_modules import ECHO, wasm
from tests.ports import free_port
from tests.serve_process import Server, spawn

MANIFEST = """
service: servetest
provider:
  name: aws
  runtime: provided.al2023
functions:
  api:
    handler: echo.wasm
    events:
      - httpApi: 'GET /items/{id}'
      - http: 'POST /v1/items'
  copy:
    handler: echo.wasm
    input: object
    output:
      bucket: servetest-out
      key: copies/{stem}.bin
    events:
      - s3:
          bucket: servetest-in
          event: s3:ObjectCreated:*
          rules:
            - prefix: uploads/
            - suffix: .dat
"""


def port_open(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture(scope="module")
def service_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("serve")
    (root / "echo.wasm").write_bytes(wasm(ECHO))
    (root / "wasmdeploy.yml").write_text(textwrap.dedent(MANIFEST))
    return root


def start(root: Path, *args: str, port: int) -> Server:
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
    log = root / f"{args[0]}-{port}.log"
    server = Server(spawn(root, args, log, env), log)
    server.wait_until(lambda: port_open(port), f"nothing listens on {port}")
    return server


def lambda_client(port: int) -> Any:
    """boto3's lambda client for a start-lambda on `port`, without retries."""
    return boto3.client(
        "lambda",
        endpoint_url=f"http://127.0.0.1:{port}",
        region_name="us-east-1",
        config=Config(retries={"max_attempts": 0}),
    )


def stop(server: Server) -> None:
    server.stop()


@pytest.fixture(scope="module")
def serve(service_dir: Path) -> Iterator[tuple[int, int]]:
    port, s3_port = free_port(), free_port()
    server = start(service_dir, "serve", "--port", str(port), "--s3-port", str(s3_port), port=port)
    # serve says "Press Ctrl+C to stop." once its buckets and S3 triggers are in place.
    server.wait_until(lambda: "Press Ctrl+C" in server.output(), "serve never got ready")
    yield port, s3_port
    stop(server)


def get(port: int, method: str, path: str, body: bytes | None = None) -> tuple[int, Any]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request(method, path, body=body)
    response = connection.getresponse()
    data = response.read()
    connection.close()
    return response.status, json.loads(data) if data else None


def test_http_api_route_runs_the_wasm_function(serve: tuple[int, int]) -> None:
    status, event = get(serve[0], "GET", "/items/42?full=1")
    assert status == 200  # payload 2.0: JSON without statusCode is the body
    assert event["pathParameters"] == {"id": "42"} and event["rawQueryString"] == "full=1"


def test_rest_route_needs_a_statuscode_answer_so_the_echo_is_a_502(serve: tuple[int, int]) -> None:
    status, body = get(serve[0], "POST", "/v1/items", b"{}")
    assert status == 502 and body == {"message": "Internal server error"}


def test_upload_to_the_local_s3_produces_the_output_object(serve: tuple[int, int]) -> None:
    s3 = boto3.client(
        "s3",
        endpoint_url=f"http://127.0.0.1:{serve[1]}",
        region_name="us-east-1",
        aws_access_key_id="any",
        aws_secret_access_key="any",
    )
    s3.put_object(Bucket="servetest-in", Key="uploads/blob.dat", Body=b"\x01\x02payload")
    give_up = time.monotonic() + 60
    while True:
        try:
            data = s3.get_object(Bucket="servetest-out", Key="copies/blob.bin")["Body"].read()
            break
        except s3.exceptions.NoSuchKey:
            assert time.monotonic() < give_up, "the output object never appeared"
            time.sleep(0.05)
    assert data == b"\x01\x02payload"


def test_boto3_invokes_the_wasm_function_through_start_lambda(service_dir: Path) -> None:
    port = free_port()
    server = start(service_dir, "start-lambda", "--port", str(port), port=port)
    try:
        client = lambda_client(port)
        reply = client.invoke(FunctionName="api", Payload=b'{"ping": true}', LogType="Tail")
        assert json.loads(reply["Payload"].read()) == {"ping": True}
        assert "FunctionError" not in reply and reply["LogResult"]
    finally:
        stop(server)


def test_invoke_remote_prints_like_a_local_invoke(service_dir: Path) -> None:
    # `invoke --remote` speaks the Lambda Invoke API; start-lambda stands in for AWS here.
    port = free_port()
    server = start(service_dir, "start-lambda", "--port", str(port), port=port)
    try:
        env = {
            **os.environ,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_ENDPOINT_URL_LAMBDA": f"http://127.0.0.1:{port}",
        }
        result = subprocess.run(
            [sys.executable, "-m", "wasmdeploy", "invoke", "api", "--remote", "--event", "-"],
            cwd=service_dir,
            input=b'{"remote": 1}',
            capture_output=True,
            env=env,
            timeout=120,
        )
    finally:
        stop(server)
    assert result.returncode == 0, result.stderr.decode()
    assert json.loads(result.stdout) == {"remote": 1}
    assert "REPORT RequestId: " in result.stderr.decode()


def test_fifty_concurrent_requests_through_the_wasm_runtime_all_answer(
    serve: tuple[int, int],
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    def one(index: int) -> tuple[int, Any]:
        status, event = get(serve[0], "GET", f"/items/{index}")
        return status, event["pathParameters"]

    with ThreadPoolExecutor(max_workers=50) as executor:
        results = list(executor.map(one, range(50)))
    assert results == [(200, {"id": str(index)}) for index in range(50)]


@pytest.mark.parametrize(
    ("command", "option", "value"),
    [
        ("serve", "--port", "99999"),
        ("serve", "--port", "0"),
        ("serve", "--s3-port", "-1"),
        ("serve", "--aws-port", "65536"),
        ("serve", "-p", "http"),
        ("start-lambda", "--port", "99999"),
        ("start-lambda", "--port", "-5"),
        ("start-lambda", "--aws-port", "100000"),
    ],
)
def test_a_port_no_server_can_listen_on_is_a_usage_error(
    service_dir: Path, command: str, option: str, value: str
) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "wasmdeploy", command, option, value],
        cwd=service_dir,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2, result.stderr
    assert "Error: Invalid value for '" in result.stderr and option in result.stderr
    assert value in result.stderr
    assert "Traceback" not in result.stderr and "Usage: wasmdeploy" in result.stderr


@pytest.mark.parametrize("verbose", [False, True], ids=["summary", "verbose"])
@pytest.mark.parametrize("command", ["serve", "start-lambda"])
def test_the_runtimes_metric_records_are_summarised_unless_verbose(
    service_dir: Path, command: str, verbose: bool
) -> None:
    port = free_port()
    args = [command, "--port", str(port), *(["--s3-port", str(free_port())] * (command == "serve"))]
    server = start(service_dir, *args, *(["--verbose"] if verbose else []), port=port)
    try:
        if command == "serve":
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            connection.request("GET", "/items/7")
            assert connection.getresponse().status == 200
        else:
            lambda_client(port).invoke(FunctionName="api", Payload=b"{}")
        wanted = '{"_aws"' if verbose else "[api] Metrics: Duration "
        server.wait_until(lambda: wanted in server.output(), f"no {wanted!r} line")
    finally:
        stop(server)
    lines = server.output().splitlines()
    records = [line for line in lines if '{"_aws"' in line]
    summaries = [line for line in lines if "] Metrics: " in line]
    if verbose:
        assert records and not summaries
        assert json.loads(records[0].split("] ", 1)[1])["FunctionName"] == "servetest-dev-api"
    else:
        assert summaries and not records
        assert all(len(line) < 200 for line in summaries)
