"""`wasmdeploy invoke --remote` as a user runs it, against moto's server as Lambda.

moto runs no function without Docker; its simple backend answers Invoke with
a result queued through its API, which is enough to prove the CLI reaches
the deployed name in the right region and prints what Lambda returned.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest

from tests.moto_control import moto_api

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
DEPLOYED = "wasm-function-service-dev-processImage"


@pytest.fixture
def lambda_endpoint(moto_endpoint: str) -> Iterator[str]:
    """moto as Lambda without Docker: Invoke answers with results queued through its API."""
    moto_api(moto_endpoint, "config", {"lambda": {"use_docker": False}})
    yield moto_endpoint
    moto_api(moto_endpoint, "config", {"lambda": {"use_docker": True}})


def deploy_stand_in(endpoint: str) -> None:
    iam = boto3.client("iam", region_name="us-east-1", endpoint_url=endpoint)
    role = iam.create_role(
        RoleName="runner",
        AssumeRolePolicyDocument=json.dumps(
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
        ),
    )
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("wasm-handler.wasm", b"\0asm\1\0\0\0")
    boto3.client("lambda", region_name="us-east-1", endpoint_url=endpoint).create_function(
        FunctionName=DEPLOYED,
        Runtime="provided.al2023",
        Role=role["Role"]["Arn"],
        Handler="wasm-handler",
        Code={"ZipFile": archive.getvalue()},
    )


def invoke_remote(cwd: Path, endpoint: str, event: bytes) -> subprocess.CompletedProcess[bytes]:
    env = dict(os.environ)
    env.update(
        AWS_ENDPOINT_URL=endpoint,
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_MAX_ATTEMPTS="1",  # no retries: the unreachable case fails at once
    )
    return subprocess.run(
        [sys.executable, "-m", "wasmdeploy", "invoke", "processImage", "--remote", "-e", "-"],
        cwd=cwd,
        env=env,
        input=event,
        capture_output=True,
        timeout=60,
    )


def test_invoke_remote_prints_what_the_deployed_function_returned(
    tmp_path: Path, lambda_endpoint: str
) -> None:
    service = tmp_path / "service"
    shutil.copytree(EXAMPLES / "s3-event-log", service, ignore=shutil.ignore_patterns("build"))
    deploy_stand_in(lambda_endpoint)
    answer = '{"logged": "uploads/cat.png"}'
    moto_api(
        lambda_endpoint,
        "static/lambda-simple/response",
        {"results": [answer], "region": "us-east-1"},
    )
    result = invoke_remote(service, lambda_endpoint, b'{"Records": []}')
    assert result.returncode == 0, result.stderr.decode()
    assert result.stdout.decode().strip() == answer


def test_unreachable_lambda_endpoint_is_a_clean_error(tmp_path: Path) -> None:
    service = tmp_path / "service"
    shutil.copytree(EXAMPLES / "s3-event-log", service, ignore=shutil.ignore_patterns("build"))
    result = invoke_remote(service, "http://127.0.0.1:9", b"{}")  # nothing listens there
    assert result.returncode == 1
    stderr = result.stderr.decode()
    assert stderr.startswith(f"Error: Lambda Invoke of {DEPLOYED} in us-east-1 failed")
    assert "Traceback" not in stderr
