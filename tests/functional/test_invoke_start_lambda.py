"""boto3's lambda client against the local Lambda Invoke API (`start-lambda`).

Events Lambda refuses are refused as Lambda does: 413 RequestEntityTooLargeException past
6 MB synchronous and 1 MB asynchronous (AWS raised that from 256 KB in 2025), unrun."""

from __future__ import annotations

import base64
import json
import threading
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
from wasmdeploy.local.pool import FunctionPool
from wasmdeploy.manifest.model import Service

HANDLER = """
    from pathlib import Path

    def handler(event, context):
        print("got", event)
        if "mark" in event:
            Path(event["mark"]).write_text(context.aws_request_id)
        if event.get("fail"):
            raise RuntimeError("it broke")
        return {"doubled": event.get("n", 0) * 2}
"""

SLOW_HANDLER = """
    import time
    from pathlib import Path

    def handler(event, context):
        time.sleep(0.3)
        Path(event["mark"]).write_text(context.aws_request_id)
        return {}
"""


def _service_and_pools(
    root: Path, handler: str, name: str, *, concurrency: int
) -> tuple[Service, dict[str, FunctionPool]]:
    """One function running `handler` under awslambdaric, and its pool."""
    write_handler(root, handler)
    service = make_service(root, make_function(root, name))
    pools = create_pools(
        service,
        service.functions,
        aws_endpoint=None,
        concurrency=concurrency,
        sink_for=lambda function: LogCollector(),
        bootstrap=(*AWSLAMBDARIC, "app.handler"),
    )
    return service, pools


@pytest.fixture
def lambda_client(tmp_path: Path) -> Iterator[Any]:
    service, pools = _service_and_pools(tmp_path, HANDLER, "double", concurrency=2)
    server = LambdaInvokeServer(service, pools, port=0)
    server.start()
    client = boto3.client(
        "lambda",
        endpoint_url=server.url,
        region_name="us-east-1",
        config=Config(retries={"max_attempts": 0}),
    )
    yield client
    server.stop()
    for pool in pools.values():
        pool.close()


def test_invoke_returns_the_functions_response(lambda_client: Any) -> None:
    reply = lambda_client.invoke(FunctionName="double", Payload=json.dumps({"n": 21}))
    assert reply["StatusCode"] == 200
    assert "FunctionError" not in reply
    assert json.loads(reply["Payload"].read()) == {"doubled": 42}
    assert reply["ExecutedVersion"] == "$LATEST"


def test_function_error_sets_the_error_flag_and_returns_the_error_json(lambda_client: Any) -> None:
    reply = lambda_client.invoke(FunctionName="double", Payload=json.dumps({"fail": True}))
    assert reply["StatusCode"] == 200
    assert reply["FunctionError"] == "Unhandled"
    error = json.loads(reply["Payload"].read())
    assert error["errorType"] == "RuntimeError" and error["errorMessage"] == "it broke"


def test_log_type_tail_returns_the_invocations_log_in_base64(lambda_client: Any) -> None:
    reply = lambda_client.invoke(FunctionName="double", Payload=b'{"n": 1}', LogType="Tail")
    log = base64.b64decode(reply["LogResult"]).decode()
    assert "got {'n': 1}" in log
    assert "START RequestId: " in log and "\nREPORT RequestId: " in log


def test_deployed_name_and_arn_also_name_the_function(lambda_client: Any) -> None:
    for name in ("svc-dev-double", "arn:aws:lambda:us-east-1:123456789012:function:svc-dev-double"):
        reply = lambda_client.invoke(FunctionName=name, Payload=b'{"n": 2}')
        assert json.loads(reply["Payload"].read()) == {"doubled": 4}


def test_event_invocation_is_accepted_with_202_and_runs(lambda_client: Any, tmp_path: Path) -> None:
    mark = tmp_path / "ran"
    payload = json.dumps({"mark": str(mark)})
    reply = lambda_client.invoke(FunctionName="double", InvocationType="Event", Payload=payload)
    assert reply["StatusCode"] == 202
    # The function runs after the 202, as Lambda's asynchronous invocations do.
    for _ in range(3000):
        if mark.exists():
            break
        threading.Event().wait(0.02)
    assert mark.read_text()


def test_unknown_function_is_resource_not_found(lambda_client: Any) -> None:
    with pytest.raises(lambda_client.exceptions.ResourceNotFoundException):
        lambda_client.invoke(FunctionName="nope", Payload=b"{}")


def test_payload_that_is_not_json_is_refused(lambda_client: Any) -> None:
    with pytest.raises(lambda_client.exceptions.InvalidRequestContentException):
        lambda_client.invoke(FunctionName="double", Payload=b"not json")


MB = 1024 * 1024


def padded_event(size: int, mark: Path) -> bytes:
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
            FunctionName="double", InvocationType=invocation_type, Payload=padded_event(size, mark)
        )
    error = raised.value.response
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 413
    assert error["Error"]["Code"] == "RequestEntityTooLargeException"
    assert message in str(raised.value)
    assert not mark.exists()


def test_events_of_exactly_the_limits_run(lambda_client: Any, tmp_path: Path) -> None:
    mark = tmp_path / "sync"
    reply = lambda_client.invoke(FunctionName="double", Payload=padded_event(6 * MB, mark))
    assert json.loads(reply["Payload"].read()) == {"doubled": 0} and mark.exists()
    reply = lambda_client.invoke(
        FunctionName="double", InvocationType="Event", Payload=padded_event(MB, tmp_path / "async")
    )
    assert reply["StatusCode"] == 202


def test_an_event_invocation_that_cannot_run_is_logged(tmp_path: Path) -> None:
    service, pools = _service_and_pools(tmp_path, HANDLER, "double", concurrency=1)
    pools["double"].close()  # its runtimes are gone: the event cannot run
    lines: list[str] = []
    server = LambdaInvokeServer(service, pools, port=0, notice=lines.append)
    server.start()
    server.run_async(service.functions[0], b"{}")
    server.stop()  # waits for the event's run
    assert [line for line in lines if line.startswith("double (Event) was not run: ")]


def test_event_invocations_still_queued_when_it_stops_are_counted_in_the_log(
    tmp_path: Path,
) -> None:
    service, pools = _service_and_pools(tmp_path, SLOW_HANDLER, "slow", concurrency=1)
    lines: list[str] = []
    server = LambdaInvokeServer(service, pools, port=0, notice=lines.append)
    server.start()
    try:
        for index in range(12):  # 8 taken by the event workers, 4 waiting for one
            server.run_async(
                service.functions[0], json.dumps({"mark": str(tmp_path / f"ran-{index}")}).encode()
            )
        server.stop()  # the ones already taken by a worker finish first
    finally:
        pools["slow"].close()
    ran = len(list(tmp_path.glob("ran-*")))
    [notice] = [line for line in lines if "not run: start-lambda stopped" in line]
    dropped = f"slow (Event): {12 - ran} queued invocations not run"
    assert notice == f"{dropped}: start-lambda stopped before their turn"
    assert 8 <= ran < 12  # every event ran or was counted: none vanished
