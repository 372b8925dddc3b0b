"""`wasmdeploy deploy function -f NAME` as a user runs it, with moto's server as AWS."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import boto3
import wasmtime

from wasmdeploy.manifest.load import load_service
from wasmdeploy.stacks.function_shape import shape_tags

MODULE = '(module (memory (export "memory") 1) (func (export "_start")))'
TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "lambda.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}


def write_service(root: Path, memory: int, events: str = "") -> Path:
    (root / "hello.wasm").write_bytes(wasmtime.wat2wasm(MODULE))
    (root / "wasmdeploy.yml").write_text(
        textwrap.dedent(f"""\
            service: quick
            provider:
              name: aws
              region: us-east-1
            functions:
              hello:
                handler: hello.wasm
                memorySize: {memory}
            """)
        + events
    )
    return root / "wasmdeploy.yml"


def deploy_as_up_would(endpoint: str, manifest: Path) -> None:
    """The function as the stack leaves it: tagged with its triggers' and permissions' digests."""
    function = load_service(manifest).function("hello")
    iam = boto3.client("iam", region_name="us-east-1", endpoint_url=endpoint)
    role = iam.create_role(RoleName="quick-hello", AssumeRolePolicyDocument=json.dumps(TRUST))
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("hello.wasm", b"\0asm\1\0\0\0")
    boto3.client("lambda", region_name="us-east-1", endpoint_url=endpoint).create_function(
        FunctionName="quick-dev-hello",
        Runtime="provided.al2023",
        Role=role["Role"]["Arn"],
        Handler="hello.wasm",
        MemorySize=128,
        Code={"ZipFile": archive.getvalue()},
        Tags=shape_tags(function),
    )


def deploy_function(root: Path, endpoint: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "AWS_ENDPOINT_URL": endpoint, "AWS_MAX_ATTEMPTS": "1"}
    return subprocess.run(
        [sys.executable, "-m", "wasmdeploy", "deploy", "function", "-f", "hello"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_deploy_function_uploads_the_packaged_module_and_settings(
    tmp_path: Path, moto_endpoint: str
) -> None:
    deploy_as_up_would(moto_endpoint, write_service(tmp_path, 128))
    write_service(tmp_path, 256)
    result = deploy_function(tmp_path, moto_endpoint)
    assert result.returncode == 0, result.stderr
    assert "Updated quick-dev-hello in us-east-1" in result.stdout
    assert "configuration: MemorySize" in result.stdout and "next `wasmdeploy up`" in result.stdout
    lambda_ = boto3.client("lambda", region_name="us-east-1", endpoint_url=moto_endpoint)
    deployed = lambda_.get_function(FunctionName="quick-dev-hello")
    assert deployed["Configuration"]["MemorySize"] == 256
    code = lambda_.get_function(FunctionName="quick-dev-hello")["Code"]
    assert code  # moto keeps the zip; its digest is the package's
    zipped = (tmp_path / ".wasmdeploy" / "build" / "dev" / "functions" / "hello.zip").read_bytes()
    with zipfile.ZipFile(io.BytesIO(zipped)) as archive:
        assert archive.read("hello.wasm") == wasmtime.wat2wasm(MODULE)


def test_deploy_function_refuses_a_new_trigger_and_says_to_run_up(
    tmp_path: Path, moto_endpoint: str
) -> None:
    deploy_as_up_would(moto_endpoint, write_service(tmp_path, 128))
    write_service(tmp_path, 128, "    events:\n      - httpApi: 'GET /hello'\n")
    result = deploy_function(tmp_path, moto_endpoint)
    assert result.returncode == 1
    assert "needs the full stack (its triggers changed since the last `up`)" in result.stderr
    assert "wasmdeploy up --stage dev" in result.stderr and "Traceback" not in result.stderr
