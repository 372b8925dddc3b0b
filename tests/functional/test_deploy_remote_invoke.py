"""`invoke_remote`: Lambda Invoke with LogType=Tail through boto3.

moto without Docker cannot run a function: its simple Lambda backend echoes
the payload and sends no log tail. So the wiring is tested in two halves:
against moto (the deployed name, the region, the payload round trip, a
missing function), and against a loopback HTTP endpoint speaking Lambda's
Invoke protocol (the LogType header, the log tail and the function error that
a real Lambda returns), reached by a real boto3 client.
"""

from __future__ import annotations

import base64
import io
import json
import threading
import zipfile
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws
from stacks_factories import hello_and_edge_service

from wasmdeploy.errors import UserError
from wasmdeploy.stacks.remote import invoke_remote

ROLE_POLICY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "lambda.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
)


def deploy_in_moto(name: str, region: str) -> None:
    role = boto3.client("iam").create_role(
        RoleName=f"{name}-role", AssumeRolePolicyDocument=ROLE_POLICY
    )
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("hello.wasm", b"\0asm\1\0\0\0")
    boto3.client("lambda", region_name=region).create_function(
        FunctionName=name,
        Runtime="provided.al2023",
        Role=role["Role"]["Arn"],
        Handler="hello.wasm",
        Code={"ZipFile": archive.getvalue()},
    )


@mock_aws(config={"lambda": {"use_docker": False}})
def test_invokes_the_deployed_name_in_the_services_region(tmp_path: Path) -> None:
    deploy_in_moto("images-dev-hello", "eu-west-1")
    result = invoke_remote(hello_and_edge_service(tmp_path), "hello", b'{"name": "wasm"}')
    assert result.payload == b'{"name": "wasm"}'  # moto's simple backend echoes the payload
    assert result.function_error is None
    assert result.status_code == 200


@mock_aws(config={"lambda": {"use_docker": False}})
def test_edge_function_is_invoked_in_us_east_1(tmp_path: Path) -> None:
    deploy_in_moto("images-dev-rewrite", "us-east-1")
    result = invoke_remote(hello_and_edge_service(tmp_path), "rewrite", b"{}")
    assert result.payload == b"{}"


def test_function_not_deployed_says_to_run_up(tmp_path: Path, fake_lambda: str) -> None:
    # moto's simple backend answers for any name, so the 404 comes from the fake endpoint.
    FakeLambda.deployed = set()
    client = boto3.client("lambda", region_name="eu-west-1", endpoint_url=fake_lambda)
    with pytest.raises(UserError) as raised:
        invoke_remote(hello_and_edge_service(tmp_path), "hello", b"{}", client=client)
    assert "images-dev-hello is not deployed in eu-west-1" in raised.value.message
    assert raised.value.hint and "wasmdeploy up --stage dev" in raised.value.hint


def test_unknown_function_lists_the_known_ones(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="functions: hello, rewrite"):
        invoke_remote(hello_and_edge_service(tmp_path), "nope", b"{}")


class FakeLambda(BaseHTTPRequestHandler):
    """Answers Invoke as Lambda does for a function that failed and logged."""

    requests: list[dict[str, Any]] = []
    deployed: set[str] = set()
    log = "START RequestId: 1 Version: $LATEST\nwasm trap: unreachable\nEND RequestId: 1\n"

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        FakeLambda.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
        name = self.path.split("/")[3]
        if name not in FakeLambda.deployed:
            self.send_error_response(name)
            return
        answer = json.dumps({"errorType": "WasmTrap", "errorMessage": "unreachable"}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("X-Amz-Function-Error", "Unhandled")
        self.send_header("X-Amz-Executed-Version", "$LATEST")
        self.send_header("X-Amz-Log-Result", base64.b64encode(self.log.encode()).decode())
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def send_error_response(self, name: str) -> None:
        answer = json.dumps({"Type": "User", "message": f"Function not found: {name}"}).encode()
        self.send_response(404)
        self.send_header("Content-Type", "application/json")
        self.send_header("x-amzn-ErrorType", "ResourceNotFoundException")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def fake_lambda() -> Iterator[str]:
    FakeLambda.requests = []
    FakeLambda.deployed = {"images-dev-hello"}
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeLambda)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_log_tail_and_function_error_are_decoded(tmp_path: Path, fake_lambda: str) -> None:
    client = boto3.client("lambda", region_name="eu-west-1", endpoint_url=fake_lambda)
    result = invoke_remote(hello_and_edge_service(tmp_path), "hello", b'{"x": 1}', client=client)
    assert result.function_error == "Unhandled"
    assert json.loads(result.payload)["errorType"] == "WasmTrap"
    assert result.log_tail == FakeLambda.log
    assert result.executed_version == "$LATEST"
    [request] = FakeLambda.requests
    assert request["path"] == "/2015-03-31/functions/images-dev-hello/invocations"
    assert request["headers"]["X-Amz-Log-Type"] == "Tail"
    assert request["headers"]["X-Amz-Invocation-Type"] == "RequestResponse"
    assert request["body"] == b'{"x": 1}'
    assert "/eu-west-1/lambda/aws4_request" in request["headers"]["Authorization"]
