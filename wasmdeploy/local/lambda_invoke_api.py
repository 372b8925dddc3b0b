"""A local Lambda Invoke API (`POST /2015-03-31/functions/{name}/invocations`).

boto3's `lambda` client (and the aws CLI, and SDKs) pointed at it with
`endpoint_url` invoke the manifest's functions in local sandboxes:
RequestResponse answers with the payload, `X-Amz-Function-Error` and, with
`LogType: Tail`, `X-Amz-Log-Result` (the last 4 KB of the log, base64);
Event queues the invocation and answers 202 (queued events still waiting when the
server stops are not run, and the log says how many); DryRun answers 204.
"""

from __future__ import annotations

import base64
import json
import threading
import uuid
from collections import Counter
from collections.abc import Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from urllib.parse import unquote

from wasmdeploy.errors import UserError
from wasmdeploy.local.lambda_environment import LOCAL_ACCOUNT_ID, function_arn
from wasmdeploy.local.local_http import HttpRequest, HttpResponse, LocalHttpServer
from wasmdeploy.local.payload_limits import (
    SYNC_REQUEST_BYTES,
    TOO_LARGE_ERROR,
    TOO_LARGE_STATUS,
    too_large_message,
)
from wasmdeploy.local.pool import FunctionPool
from wasmdeploy.local.runtime_session import LogSink
from wasmdeploy.manifest.model import Function, Service

INVOKE_PREFIX = "/2015-03-31/functions/"
LOG_TAIL_BYTES = 4096


class LambdaInvokeServer(LocalHttpServer):
    max_body_bytes = SYNC_REQUEST_BYTES
    refuse_other_sites = True

    def __init__(
        self,
        service: Service,
        pools: Mapping[str, FunctionPool],
        *,
        host: str = "127.0.0.1",
        port: int = 3001,
        notice: LogSink = lambda line: None,
    ) -> None:
        self.service = service
        self.pools = pools
        self.notice = notice
        self._names: dict[str, Function] = {}
        for function in service.functions:
            for name in (function.name, function.deployed_name, function_arn(service, function)):
                self._names[name] = function
        self._async = ThreadPoolExecutor(max_workers=8, thread_name_prefix="lambda-event")
        self._queued: dict[Future[None], str] = {}  # Event invocations not finished yet
        self._queued_lock = threading.Lock()
        super().__init__((host, port))

    def stop(self) -> None:
        """Stop answering; the Event invocations already running finish, the queued ones
        are dropped and counted in the log."""
        super().stop()
        with self._queued_lock:
            queued = list(self._queued.items())
        # cancel() runs the done callback, which takes the lock: outside it.
        dropped = Counter(name for future, name in queued if future.cancel())
        self._async.shutdown(wait=True)
        for name, count in sorted(dropped.items()):
            self.notice(
                f"{name} (Event): {count} queued invocation{'s' if count > 1 else ''} "
                "not run: start-lambda stopped before their turn"
            )

    def find(self, name: str) -> Function | None:
        # FunctionName may carry a qualifier: name:$LATEST or arn...:function:name:$LATEST
        if name in self._names:
            return self._names[name]
        base, _, qualifier = name.rpartition(":")
        if qualifier in ("$LATEST", "") and base in self._names:
            return self._names[base]
        return None

    def run_async(self, function: Function, payload: bytes) -> None:
        def run() -> None:
            try:
                outcome = self.pools[function.name].invoke(payload)
            except UserError as error:
                self.notice(f"{function.name}: {error.message}")
                return
            except Exception as error:  # every runtime exited, or the pool is closing
                self.notice(f"{function.name} (Event) was not run: {error}")
                return
            if outcome.function_error:
                self.notice(
                    f"{function.name} (Event) failed: {outcome.payload.decode(errors='replace')}"
                )

        future = self._async.submit(run)
        with self._queued_lock:
            self._queued[future] = function.name
        future.add_done_callback(self._finished)

    def _finished(self, future: Future[None]) -> None:
        with self._queued_lock:
            self._queued.pop(future, None)

    def refusal(self, status: int, reason: str, head: object) -> HttpResponse:
        if status == TOO_LARGE_STATUS:
            message = too_large_message(SYNC_REQUEST_BYTES + 1) or ""
            return _error(TOO_LARGE_STATUS, TOO_LARGE_ERROR, message)
        return _error(
            status,
            "InvalidRequestContentException" if status == 400 else "AccessDeniedException",
            reason,
        )

    def respond_to(self, request: HttpRequest) -> HttpResponse:
        path = request.target.split("?", 1)[0]
        if request.method != "POST" or not (
            path.startswith(INVOKE_PREFIX) and path.endswith("/invocations")
        ):
            return _error(
                404, "UnknownOperationException", f"no operation at {request.method} {path}"
            )
        name = unquote(path[len(INVOKE_PREFIX) : -len("/invocations")])
        function = self.find(name)
        if function is None or function.name not in self.pools:
            arn = f"arn:aws:lambda:{self.service.region}:{LOCAL_ACCOUNT_ID}:function:{name}"
            return _error(404, "ResourceNotFoundException", f"Function not found: {arn}")
        payload = request.body
        if payload:
            try:
                json.loads(payload)
            except ValueError:
                message = "Could not parse request body into json: the payload is not JSON"
                return _error(400, "InvalidRequestContentException", message)
        else:
            payload = b"{}"
        invocation_type = request.header("X-Amz-Invocation-Type") or "RequestResponse"
        if invocation_type == "DryRun":
            return _reply(204, b"", {})
        if invocation_type == "Event":
            too_large = too_large_message(len(payload), "Event")
            if too_large:
                return _error(TOO_LARGE_STATUS, TOO_LARGE_ERROR, too_large)
            self.run_async(function, payload)
            return _reply(202, b"", {})
        if invocation_type == "RequestResponse":
            return self._invoke(function, payload, request)
        return _error(
            400, "InvalidParameterValueException", f"bad InvocationType {invocation_type}"
        )

    def _invoke(self, function: Function, payload: bytes, request: HttpRequest) -> HttpResponse:
        client_context = request.header("X-Amz-Client-Context")
        if client_context:
            client_context = base64.b64decode(client_context).decode(errors="replace")
        try:
            outcome = self.pools[function.name].invoke(payload, client_context=client_context)
        except UserError as error:
            return _error(502, "ServiceException", error.message)
        headers = {
            "X-Amz-Executed-Version": "$LATEST",
            "x-amzn-RequestId": outcome.invocation.request_id,
        }
        if outcome.function_error:
            headers["X-Amz-Function-Error"] = outcome.function_error
        if request.header("X-Amz-Log-Type") == "Tail":
            tail = outcome.log_text.encode()[-LOG_TAIL_BYTES:]
            headers["X-Amz-Log-Result"] = base64.b64encode(tail).decode()
        return _reply(200, outcome.payload, headers)


def _error(status: int, error_type: str, message: str) -> HttpResponse:
    body = json.dumps({"Type": "User", "message": message}).encode()
    return _reply(status, body, {"x-amzn-ErrorType": error_type})


def _reply(status: int, body: bytes, headers: dict[str, str]) -> HttpResponse:
    headers.setdefault("x-amzn-RequestId", str(uuid.uuid4()))
    return HttpResponse(status, body, [("Content-Type", "application/json"), *headers.items()])
