"""The local Runtime API and sandboxes, driven by AWS's own Python runtime client."""

from __future__ import annotations

import http.client
import json
import re
import threading
from pathlib import Path

import pytest
from local_emulation_support import (
    LogCollector,
    make_function,
    make_service,
    python_factory,
    write_handler,
)

from wasmdeploy.local.invocation import MAX_PAYLOAD_BYTES, Invocation
from wasmdeploy.local.pool import FunctionPool
from wasmdeploy.local.runtime_api import RuntimeApiServer

HANDLER = """
    import json, os, time

    def handler(event, context):
        print("handling", context.aws_request_id)
        action = event.get("action")
        if action == "fail":
            raise ValueError("bad input")
        if action == "sleep":
            time.sleep(event["seconds"])
        if action == "exit":
            os._exit(3)
        if action == "env":
            return {name: os.environ.get(name) for name in event["names"]}
        if action == "exit_after_answer":
            import threading
            threading.Timer(0.05, os._exit, (0,)).start()
            return {"pid": os.getpid()}
        if action == "context":
            return {
                "function_name": context.function_name,
                "memory": context.memory_limit_in_mb,
                "arn": context.invoked_function_arn,
                "remaining_positive": context.get_remaining_time_in_millis() > 0,
                "log_group": context.log_group_name,
            }
        return {"echo": event}
"""


@pytest.fixture
def pool(tmp_path: Path) -> FunctionPool:
    write_handler(tmp_path, HANDLER)
    function = make_function(tmp_path, timeout=1, environment={"GREETING": "hi"})
    service = make_service(tmp_path, function)
    log = LogCollector()
    pool = FunctionPool(python_factory(service, function), log, max_concurrency=1)
    pool.log = log  # type: ignore[attr-defined]
    yield pool
    pool.close()


def invoke(pool: FunctionPool, event: dict[str, object]):  # type: ignore[no-untyped-def]
    return pool.invoke(json.dumps(event).encode())


def test_awslambdaric_gets_the_event_and_its_response_comes_back(pool: FunctionPool) -> None:
    outcome = invoke(pool, {"hello": "world"})
    assert outcome.function_error is None
    assert json.loads(outcome.payload) == {"echo": {"hello": "world"}}


def test_context_carries_the_function_name_memory_arn_and_deadline(pool: FunctionPool) -> None:
    outcome = invoke(pool, {"action": "context"})
    assert json.loads(outcome.payload) == {
        "function_name": "svc-dev-fn",
        "memory": "256",
        "arn": "arn:aws:lambda:us-east-1:123456789012:function:svc-dev-fn",
        "remaining_positive": True,
        "log_group": "/aws/lambda/svc-dev-fn",
    }


def test_runtime_gets_lambdas_environment_and_the_functions_own(pool: FunctionPool) -> None:
    names = [
        "AWS_LAMBDA_FUNCTION_NAME",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
        "AWS_LAMBDA_FUNCTION_VERSION",
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
        "AWS_LAMBDA_LOG_GROUP_NAME",
        "AWS_LAMBDA_LOG_STREAM_NAME",
        "LAMBDA_TASK_ROOT",
        "_HANDLER",
        "TZ",
        "LANG",
        "GREETING",
        "AWS_LAMBDA_RUNTIME_API",
    ]
    env = json.loads(invoke(pool, {"action": "env", "names": names}).payload)
    assert env["AWS_LAMBDA_FUNCTION_NAME"] == "svc-dev-fn"
    assert env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "256"
    assert env["AWS_LAMBDA_FUNCTION_VERSION"] == "$LATEST"
    assert env["AWS_REGION"] == env["AWS_DEFAULT_REGION"] == "us-east-1"
    assert env["AWS_LAMBDA_LOG_GROUP_NAME"] == "/aws/lambda/svc-dev-fn"
    assert re.fullmatch(
        r"\d{4}/\d\d/\d\d/\[\$LATEST\][0-9a-f]{32}", env["AWS_LAMBDA_LOG_STREAM_NAME"]
    )
    assert env["_HANDLER"] == "handler.wasm"
    assert env["TZ"] == ":UTC" and env["LANG"] == "en_US.UTF-8"
    assert env["GREETING"] == "hi"
    assert re.fullmatch(r"127\.0\.0\.1:\d+", env["AWS_LAMBDA_RUNTIME_API"])


def test_report_has_init_duration_on_the_cold_start_only(pool: FunctionPool) -> None:
    cold = invoke(pool, {})
    warm = invoke(pool, {})
    assert cold.figures.init_duration_ms is not None and cold.figures.init_duration_ms > 0
    assert warm.figures.init_duration_ms is None
    report = cold.log_lines[-1]
    assert report.startswith(f"REPORT RequestId: {cold.invocation.request_id}\tDuration: ")
    assert "\tMemory Size: 256 MB\t" in report and "\tInit Duration: " in report
    assert "Init Duration" not in warm.log_lines[-1]


def test_log_lines_are_framed_by_start_and_end(pool: FunctionPool) -> None:
    outcome = invoke(pool, {})
    request_id = outcome.invocation.request_id
    assert outcome.log_lines[0] == f"START RequestId: {request_id} Version: $LATEST"
    assert outcome.log_lines[1] == f"handling {request_id}"
    assert outcome.log_lines[-2] == f"END RequestId: {request_id}"


def test_max_memory_used_is_measured_from_the_process(pool: FunctionPool) -> None:
    outcome = invoke(pool, {})
    # A Python interpreter with awslambdaric loaded holds well over 5 MB resident.
    assert outcome.figures.max_memory_used_mb > 5
    assert f"Max Memory Used: {outcome.figures.max_memory_used_mb} MB" in outcome.log_lines[-1]


def test_handler_exception_is_a_function_error_with_lambdas_error_json(pool: FunctionPool) -> None:
    outcome = invoke(pool, {"action": "fail"})
    assert outcome.function_error == "Unhandled"
    error = json.loads(outcome.payload)
    assert error["errorType"] == "ValueError" and error["errorMessage"] == "bad input"


def test_timeout_kills_the_runtime_and_the_next_request_gets_a_fresh_one(
    pool: FunctionPool,
) -> None:
    first = invoke(pool, {})
    stuck = invoke(pool, {"action": "sleep", "seconds": 30})
    assert stuck.function_error == "Unhandled"
    assert stuck.invocation.status == "timeout"
    error = json.loads(stuck.payload)
    assert error["errorType"] == "Sandbox.Timedout"
    assert error["errorMessage"].endswith("Task timed out after 1.00 seconds")
    assert any(line.endswith("Task timed out after 1.00 seconds") for line in stuck.log_lines)
    assert stuck.log_lines[-1].endswith("\tStatus: timeout")
    after = invoke(pool, {"n": 2})
    assert json.loads(after.payload) == {"echo": {"n": 2}}
    assert after.figures.init_duration_ms is not None  # a new sandbox: a cold start
    assert first.invocation.status == "success"


def test_crashed_runtime_reports_exit_error_and_does_not_take_the_next_request_down(
    pool: FunctionPool,
) -> None:
    crashed = invoke(pool, {"action": "exit"})
    assert crashed.function_error == "Unhandled"
    error = json.loads(crashed.payload)
    assert error["errorType"] == "Runtime.ExitError"
    assert error["errorMessage"].endswith("Runtime exited with error: exit status 3")
    after = invoke(pool, {"n": 3})
    assert json.loads(after.payload) == {"echo": {"n": 3}}


def test_runtime_that_exits_while_idle_is_replaced_without_failing_the_next_event(
    pool: FunctionPool,
) -> None:
    pid = json.loads(invoke(pool, {"action": "exit_after_answer"}).payload)["pid"]
    for _ in range(3000):  # until the runtime has exited on its own
        if not Path(f"/proc/{pid}").exists() or "zombie" in _state(pid):
            break
        threading.Event().wait(0.02)
    after = invoke(pool, {"n": 4})
    assert after.function_error is None
    assert json.loads(after.payload) == {"echo": {"n": 4}}


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/status").read_text().split("State:")[1].split("\n")[0]
    except (OSError, IndexError):
        return "zombie"


def test_init_error_is_returned_as_the_invocations_error(tmp_path: Path) -> None:
    function = make_function(tmp_path)
    service = make_service(tmp_path, function)
    pool = FunctionPool(python_factory(service, function, "missing.handler"), LogCollector())
    try:
        outcome = pool.invoke(b"{}")
        assert outcome.function_error == "Unhandled"
        assert json.loads(outcome.payload)["errorType"] == "Runtime.ImportModuleError"
    finally:
        pool.close()


@pytest.fixture
def api() -> RuntimeApiServer:
    server = RuntimeApiServer()
    server.start()
    yield server
    server.stop()


def _request(
    api: RuntimeApiServer, method: str, path: str, body: bytes = b""
) -> tuple[int, dict[str, str], bytes]:
    host, port = api.address.split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    connection.request(method, f"/2018-06-01{path}", body=body)
    response = connection.getresponse()
    data = response.read()
    connection.close()
    return response.status, dict(response.getheaders()), data


def test_next_hands_out_the_event_with_lambdas_headers(api: RuntimeApiServer) -> None:
    invocation = Invocation(payload=b'{"a": 1}', timeout=3, function_arn="arn:fn")
    api.submit(invocation)
    status, headers, body = _request(api, "GET", "/runtime/invocation/next")
    assert status == 200 and body == b'{"a": 1}'
    assert headers["Lambda-Runtime-Aws-Request-Id"] == invocation.request_id
    assert headers["Lambda-Runtime-Invoked-Function-Arn"] == "arn:fn"
    assert int(headers["Lambda-Runtime-Deadline-Ms"]) > 0
    assert headers["Lambda-Runtime-Trace-Id"].startswith("Root=1-")
    status, _, body = _request(
        api, "POST", f"/runtime/invocation/{invocation.request_id}/response", b'"ok"'
    )
    assert status == 202 and json.loads(body) == {"status": "OK"}
    assert invocation.done.is_set() and invocation.response == b'"ok"'


def test_answer_for_an_unknown_request_id_is_refused(api: RuntimeApiServer) -> None:
    status, _, body = _request(api, "POST", "/runtime/invocation/nope/response", b"{}")
    assert status == 400 and json.loads(body)["errorType"] == "InvalidRequestID"


def test_response_over_six_megabytes_fails_the_invocation(api: RuntimeApiServer) -> None:
    invocation = Invocation(payload=b"{}", timeout=3, function_arn="arn:fn")
    api.submit(invocation)
    _request(api, "GET", "/runtime/invocation/next")
    big = b'"' + b"x" * MAX_PAYLOAD_BYTES + b'"'
    status, _, _ = _request(
        api, "POST", f"/runtime/invocation/{invocation.request_id}/response", big
    )
    assert status == 413
    assert invocation.error_type == "Function.ResponseSizeTooLarge"
