"""The local Lambda Invoke API refuses events Lambda refuses, as Lambda does: 413
RequestEntityTooLargeException past 6 MB synchronous and 1 MB asynchronous (AWS raised the
asynchronous limit from 256 KB to 1 MB in 2025), without running the function."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from local_emulation_support import (
    AWSLAMBDARIC,
    LogCollector,
    make_function,
    make_service,
    write_handler,
)

from wasmdeploy.local.emulator import create_pools
from wasmdeploy.local.lambda_invoke_api import LambdaInvokeServer

MB = 1024 * 1024
HANDLER = """
    from pathlib import Path

    def handler(event, context):
        Path(event["mark"]).write_text(str(len(event.get("pad", ""))))
        return {"ran": True}
"""


@pytest.fixture
def lambda_client(tmp_path: Path) -> Iterator[Any]:
    write_handler(tmp_path, HANDLER)
    service = make_service(tmp_path, make_function(tmp_path, "f"))
    pools = create_pools(
        service,
        service.functions,
        aws_endpoint=None,
        concurrency=1,
        sink_for=lambda function: LogCollector(),
        bootstrap=(*AWSLAMBDARIC, "app.handler"),
    )
    server = LambdaInvokeServer(service, pools, port=0)
    server.start()
    yield boto3.client(
        "lambda",
        endpoint_url=server.url,
        region_name="us-east-1",
        config=Config(retries={"max_attempts": 0}),
    )
    server.stop()
    for pool in pools.values():
        pool.close()


def event(size: int, mark: Path) -> bytes:
    """A JSON event of exactly `size` bytes that makes the handler write `mark`."""
    head = json.dumps({"mark": str(mark), "pad": ""}).encode()[:-2]
    return head + b"x" * (size - len(head) - 2) + b'"}'


@pytest.mark.parametrize(
    ("invocation_type", "size", "message"),
    [
        ("RequestResponse", 6 * MB + 1, "Request must be smaller than 6291456 bytes"),
        ("RequestResponse", 7 * MB, "Request must be smaller than 6291456 bytes"),
        ("Event", MB + 1, f"{MB + 1} byte payload is too large for the Event invocation type"),
        ("Event", 3 * MB, f"{3 * MB} byte payload is too large for the Event invocation type"),
    ],
)
def test_an_event_over_lambdas_limit_is_refused_with_lambdas_error(
    lambda_client: Any, tmp_path: Path, invocation_type: str, size: int, message: str
) -> None:
    mark = tmp_path / "ran"
    with pytest.raises(ClientError) as raised:
        lambda_client.invoke(
            FunctionName="f", InvocationType=invocation_type, Payload=event(size, mark)
        )
    error = raised.value.response
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 413
    assert error["Error"]["Code"] == "RequestEntityTooLargeException"
    assert message in str(raised.value)
    assert not mark.exists()


def test_events_of_exactly_the_limits_run(lambda_client: Any, tmp_path: Path) -> None:
    mark = tmp_path / "sync"
    reply = lambda_client.invoke(FunctionName="f", Payload=event(6 * MB, mark))
    assert json.loads(reply["Payload"].read()) == {"ran": True} and mark.exists()
    reply = lambda_client.invoke(
        FunctionName="f", InvocationType="Event", Payload=event(MB, tmp_path / "async")
    )
    assert reply["StatusCode"] == 202
