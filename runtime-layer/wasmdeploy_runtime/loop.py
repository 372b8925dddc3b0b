"""The custom runtime: the Lambda Runtime API loop around one `WasmFunction`.

Init failures (no module, invalid WASM, forbidden import, missing export, bad
config) are posted to `init/error` and the process exits non-zero, as Lambda
expects of a runtime. After init, nothing a guest does ends the loop: every
failure becomes a Lambda-style error for that one invocation.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping

from wasmdeploy_runtime.errors import WASM_OUTPUT_TOO_LARGE, FunctionError, InitError
from wasmdeploy_runtime.function import Result, WasmFunction, write_stderr
from wasmdeploy_runtime.runtime_api import (
    NextInvocation,
    RuntimeApiClient,
    RuntimeApiRejected,
    RuntimeApiUnavailable,
)
from wasmdeploy_runtime.sandbox import MAX_RESPONSE_BYTES

RUNTIME_ERROR = "Runtime.Unknown"
PAYLOAD_TOO_LARGE = 413


def main(environ: Mapping[str, str] | None = None) -> int:
    environ = os.environ if environ is None else environ
    address = environ.get("AWS_LAMBDA_RUNTIME_API")
    if not address:
        print("wasmdeploy runtime: AWS_LAMBDA_RUNTIME_API is not set", file=sys.stderr)
        return 2
    client = RuntimeApiClient(address)
    try:
        function = initialise(client, environ)
        if function is None:
            return 1
        serve(client, function)
    except RuntimeApiUnavailable as error:
        print(f"wasmdeploy runtime: the Runtime API is unavailable: {error}", file=sys.stderr)
        return 1
    except RuntimeApiRejected as error:
        print(f"wasmdeploy runtime: the Runtime API refused /next: {error}", file=sys.stderr)
        return 1
    finally:
        client.close()
    return 0


def initialise(client: RuntimeApiClient, environ: Mapping[str, str]) -> WasmFunction | None:
    """The prepared function, or None after reporting why it cannot start to `init/error`."""
    try:
        function = WasmFunction.from_environment(environ)
    except InitError as error:
        report = error
    except Exception as error:  # a bug in the runtime: still tell Lambda why init failed
        _print_traceback()
        report = InitError(RUNTIME_ERROR, f"{type(error).__name__}: {error}")
    else:
        problem = function.sandbox.prepared.loaded.cwasm_problem
        if problem:
            write_stderr(f"[WARN] ignored the .cwasm ({problem}); compiled the .wasm\n".encode())
        return function
    write_stderr(f"[ERROR] {report.error_type}: {report.message}\n".encode())
    client.init_error(report.error_type, report.to_json())
    return None


def serve(
    client: RuntimeApiClient, function: WasmFunction, *, max_invocations: int | None = None
) -> None:
    """Answer invocations until the Runtime API goes away (or `max_invocations`)."""
    served = 0
    _after_response(function)  # the first instance is made during init
    while max_invocations is None or served < max_invocations:
        invocation = client.next()
        if invocation.trace_id:
            os.environ["_X_AMZN_TRACE_ID"] = invocation.trace_id
        result = _invoke(function, invocation)
        # The metrics line, the spent store's teardown and the next instance are done while
        # the Runtime API takes the answer, not after /next: Lambda may freeze the process
        # as soon as it asks for the next event.
        _answer(client, invocation.request_id, result, lambda: _after_response(function))
        served += 1


def _after_response(function: WasmFunction) -> None:
    try:
        function.after_response()
    except Exception:  # housekeeping must never stop the loop
        _print_traceback()


def _invoke(function: WasmFunction, invocation: NextInvocation) -> Result:
    try:
        return function.invoke(
            invocation.payload,
            request_id=invocation.request_id,
            deadline=invocation.monotonic_deadline(),
        )
    except Exception as error:  # a runtime bug fails this invocation, not the process
        _print_traceback()
        return Result(None, FunctionError(RUNTIME_ERROR, f"{type(error).__name__}: {error}"))


def _answer(
    client: RuntimeApiClient, request_id: str, result: Result, while_waiting: Callable[[], None]
) -> None:
    try:
        if result.error is None:
            assert result.body is not None
            client.respond(request_id, result.body, while_waiting=while_waiting)
        else:
            error = result.error
            client.fail(request_id, error.error_type, error.to_json(), while_waiting=while_waiting)
    except RuntimeApiRejected as rejected:
        if result.error is None and rejected.status == PAYLOAD_TOO_LARGE:
            too_large = FunctionError(
                WASM_OUTPUT_TOO_LARGE,
                f"the response ({len(result.body or b'')} bytes) is over Lambda's limit "
                f"({MAX_RESPONSE_BYTES} bytes)",
            )
            client.fail(request_id, too_large.error_type, too_large.to_json())
            return
        write_stderr(f"[ERROR] the Runtime API refused the answer: {rejected}\n".encode())


def _print_traceback() -> None:
    import traceback  # only on a runtime bug: not worth its import at every cold start

    traceback.print_exc()
