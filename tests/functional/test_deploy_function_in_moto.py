"""`deploy function` against moto's Lambda: a function the Pulumi program deployed there
gets its new code and settings, and a change that needs the stack is refused."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import boto3
import pytest
import wasmtime
from moto import mock_aws
from stacks_factories import make_artifacts, make_function, make_service
from stacks_moto_mocks import MotoMocks

from wasmdeploy.build.zips import Artifact, ZipBuilder
from wasmdeploy.errors import UserError
from wasmdeploy.manifest.model import S3Trigger, Service
from wasmdeploy.stacks.function_update import update_function
from wasmdeploy.stacks.mocked_run import run_mocked

REGION = "eu-west-1"
MODULE = '(module (memory (export "memory") 1) (func (export "_start")))'


@pytest.fixture
def deployed(tmp_path: Path) -> Iterator[Service]:
    (tmp_path / "hello.wasm").write_bytes(wasmtime.wat2wasm(MODULE))
    service = make_service(tmp_path, [make_function(tmp_path, "hello", memory_size=128)])
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AWS_DEFAULT_REGION", "us-east-1")
        with mock_aws():
            run_mocked(service, make_artifacts(service, tmp_path / "out"), MotoMocks(REGION))
            yield service


def new_code(tmp_path: Path) -> Artifact:
    builder = ZipBuilder()
    builder.add_bytes("hello.wasm", wasmtime.wat2wasm(MODULE.replace("1)", "2)")))
    builder.add_bytes("wasmdeploy.json", b'{"function": "hello"}')
    return builder.write(tmp_path / "new" / "hello.zip")


def lambda_client() -> boto3.client:
    return boto3.client("lambda", region_name=REGION)


def test_new_code_and_settings_reach_the_deployed_function(
    deployed: Service, tmp_path: Path
) -> None:
    function = replace(
        deployed.functions[0], memory_size=512, timeout=20, environment={"MODE": "fast"}
    )
    artifact = new_code(tmp_path)
    update = update_function(deployed, function, artifact, client=lambda_client())
    configuration = lambda_client().get_function(FunctionName="images-dev-hello")["Configuration"]
    digest = base64.b64encode(hashlib.sha256(artifact.path.read_bytes()).digest()).decode()
    assert configuration["CodeSha256"] == digest == update.code_sha256
    assert (configuration["MemorySize"], configuration["Timeout"]) == (512, 20)
    assert configuration["Environment"]["Variables"] == {"MODE": "fast"}
    assert set(update.changed) == {"MemorySize", "Timeout", "Environment"}
    assert update.version is None


def test_unchanged_settings_are_not_sent_again(deployed: Service, tmp_path: Path) -> None:
    update = update_function(
        deployed, deployed.functions[0], new_code(tmp_path), client=lambda_client()
    )
    assert update.changed == []


def test_a_new_trigger_needs_the_full_stack(deployed: Service, tmp_path: Path) -> None:
    function = replace(deployed.functions[0], s3_triggers=(S3Trigger("new-uploads"),))
    before = lambda_client().get_function(FunctionName="images-dev-hello")["Configuration"]
    with pytest.raises(UserError, match=r"needs the full stack.*triggers changed") as raised:
        update_function(deployed, function, new_code(tmp_path), client=lambda_client())
    assert "wasmdeploy up --stage dev" in (raised.value.hint or "")
    after = lambda_client().get_function(FunctionName="images-dev-hello")["Configuration"]
    assert after["CodeSha256"] == before["CodeSha256"]  # nothing was uploaded


def test_new_permissions_need_the_full_stack(deployed: Service, tmp_path: Path) -> None:
    statement = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::x/*"}
    function = replace(deployed.functions[0], iam_statements=(statement,))
    with pytest.raises(UserError, match="permissions changed"):
        update_function(deployed, function, new_code(tmp_path), client=lambda_client())


def test_a_function_that_is_not_deployed_is_refused(deployed: Service, tmp_path: Path) -> None:
    function = make_function(tmp_path, "other")
    with pytest.raises(UserError, match="images-dev-other is not deployed") as raised:
        update_function(deployed, function, new_code(tmp_path), client=lambda_client())
    assert "wasmdeploy up" in (raised.value.hint or "")
