"""The handler for Lambda's managed Python runtimes (python3.12 / python3.13) and Lambda@Edge.

`wasmdeploy_runtime.managed.handler` is the function's handler. Configuration
comes only from `wasmdeploy.json`: beside this package (where a function zip
puts both, and the only place Lambda@Edge, which has no environment variables,
can read it), else in `LAMBDA_TASK_ROOT`. `_HANDLER` names this handler here,
so it never overrides the module.

The event goes to the module as JSON. A CloudFront event's answer must be a
request or response object: the module prints one, or prints nothing to pass
the request (origin-request) or response (origin-response) through unchanged.
Other events get the module's output as JSON when it parses, else as text.
A failed invocation raises an exception whose class name is the errorType, so
Lambda reports `{"errorType": "WasmTrap", ...}` as the custom runtime does.
"""

from __future__ import annotations

import base64
import json
import os
import time
from pathlib import Path
from typing import Any, NoReturn

from wasmdeploy_runtime.config import CONFIG_FILE, load_config
from wasmdeploy_runtime.errors import INVALID_EVENT, FunctionError
from wasmdeploy_runtime.function import WasmFunction

INVALID_EDGE_RESPONSE = "InvalidEdgeResponse"

_function: WasmFunction | None = None
_error_classes: dict[str, type[WasmFunctionError]] = {}


class WasmFunctionError(Exception):
    """Base of the per-errorType exceptions the handler raises."""

    def __init__(self, error: FunctionError) -> None:
        super().__init__(error.message)
        self.error_type = error.error_type
        self.stack_trace = error.stack_trace


def error_class(error_type: str) -> type[WasmFunctionError]:
    """An exception class named `error_type` (Lambda reports the class name as errorType)."""
    cls = _error_classes.get(error_type)
    if cls is None:
        name = error_type if error_type.isidentifier() else "WasmFunctionError"
        cls = _error_classes[error_type] = type(name, (WasmFunctionError,), {})
    return cls


def raise_as_exception(error: FunctionError) -> NoReturn:
    raise error_class(error.error_type)(error)


def task_root() -> Path:
    """Where `wasmdeploy.json` is: beside this package, else LAMBDA_TASK_ROOT."""
    beside_package = Path(__file__).resolve().parent.parent
    if (beside_package / CONFIG_FILE).is_file():
        return beside_package
    return Path(os.environ.get("LAMBDA_TASK_ROOT") or beside_package)


def _get_function() -> WasmFunction:
    global _function
    if _function is None:
        root = task_root()
        try:
            _function = WasmFunction(
                load_config(root, {}, honour_handler_variable=False),
                metric_name=os.environ.get("AWS_LAMBDA_FUNCTION_NAME"),
            )
        except FunctionError as error:
            raise_as_exception(error)
    assert _function is not None
    return _function


def handler(event: Any, context: Any) -> Any:
    function = _get_function()
    payload = json.dumps(event, separators=(",", ":")).encode()
    deadline = None
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    if callable(remaining):
        deadline = time.monotonic() + remaining() / 1000.0
    request_id = str(getattr(context, "aws_request_id", ""))
    result = function.invoke(payload, request_id=request_id, deadline=deadline)
    function.after_response()
    if result.error is not None:
        raise_as_exception(result.error)
    assert result.body is not None
    cloudfront = cloudfront_record(event)
    if cloudfront is not None:
        return edge_answer(cloudfront, result.body)
    return plain_answer(result.body)


def cloudfront_record(event: Any) -> dict[str, Any] | None:
    """The `cf` part of a Lambda@Edge event, None for other events."""
    try:
        record = event["Records"][0]["cf"]
    except (KeyError, IndexError, TypeError):
        return None
    return record if isinstance(record, dict) else None


def edge_answer(record: dict[str, Any], body: bytes) -> dict[str, Any]:
    config = record.get("config", {})
    if not isinstance(config, dict):
        message = "Records[0].cf.config is not an object: the event is not a CloudFront event"
        raise_as_exception(FunctionError(INVALID_EVENT, message))
    event_type = str(config.get("eventType", "origin-request"))
    passthrough = record.get("response") if event_type.endswith("response") else None
    if passthrough is None:
        passthrough = record.get("request")
    if not body.strip():
        if isinstance(passthrough, dict):
            return passthrough
        raise_as_exception(FunctionError(INVALID_EDGE_RESPONSE, "the module printed nothing"))
    try:
        answer = json.loads(body)
    except ValueError as error:
        raise_as_exception(
            FunctionError(
                INVALID_EDGE_RESPONSE,
                f"the {event_type} function must print a CloudFront request or response "
                f"object as JSON: {error}",
            )
        )
    if not isinstance(answer, dict):
        raise_as_exception(
            FunctionError(INVALID_EDGE_RESPONSE, f"the module printed {type(answer).__name__}")
        )
    return answer


def plain_answer(body: bytes) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        pass
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return base64.b64encode(body).decode("ascii")
