"""A local Lambda Invoke API (`POST /2015-03-31/functions/{name}/invocations`).

boto3's `lambda` client (and the aws CLI, and SDKs) pointed at it with
`endpoint_url` invoke the manifest's functions in local sandboxes:
RequestResponse answers with the payload, `X-Amz-Function-Error` and, with
`LogType: Tail`, `X-Amz-Log-Result` (the last 4 KB of the log, base64);
Event queues the invocation and answers 202; DryRun answers 204.
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import unquote

from wasmdeploy.errors import UserError
from wasmdeploy.local.http_bodies import read_body
from wasmdeploy.local.invocation import MAX_PAYLOAD_BYTES
from wasmdeploy.local.lambda_environment import LOCAL_ACCOUNT_ID, function_arn
from wasmdeploy.local.local_http import LocalHttpHandler, LocalHttpServer
from wasmdeploy.local.pool import FunctionPool
from wasmdeploy.local.runtime_session import LogSink
from wasmdeploy.manifest.model import Function, Service

INVOKE_PREFIX = "/2015-03-31/functions/"
LOG_TAIL_BYTES = 4096


class LambdaInvokeServer(LocalHttpServer):
    request_queue_size = 128

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
        super().__init__((host, port), _InvokeHandler)

    def stop(self) -> None:
        super().stop()
        self._async.shutdown(wait=True, cancel_futures=True)

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
            if outcome.function_error:
                self.notice(
                    f"{function.name} (Event) failed: {outcome.payload.decode(errors='replace')}"
                )

        self._async.submit(run)


class _InvokeHandler(LocalHttpHandler):
    server: LambdaInvokeServer

    def do_POST(self) -> None:
        payload = read_body(self.rfile, self.headers.get)
        path = self.path.split("?", 1)[0]
        if not (path.startswith(INVOKE_PREFIX) and path.endswith("/invocations")):
            self._error(404, "UnknownOperationException", f"no operation at {path}")
            return
        name = unquote(path[len(INVOKE_PREFIX) : -len("/invocations")])
        function = self.server.find(name)
        if function is None or function.name not in self.server.pools:
            region = self.server.service.region
            arn = f"arn:aws:lambda:{region}:{LOCAL_ACCOUNT_ID}:function:{name}"
            self._error(404, "ResourceNotFoundException", f"Function not found: {arn}")
            return
        if len(payload) > MAX_PAYLOAD_BYTES:
            message = (
                f"{len(payload)} byte payload is too large for the RequestResponse invocation type"
            )
            self._error(413, "RequestTooLargeException", message)
            return
        if payload:
            try:
                json.loads(payload)
            except ValueError:
                message = "Could not parse request body into json: the payload is not JSON"
                self._error(400, "InvalidRequestContentException", message)
                return
        else:
            payload = b"{}"
        invocation_type = self.headers.get("X-Amz-Invocation-Type", "RequestResponse")
        if invocation_type == "DryRun":
            self._send(204, b"", {})
        elif invocation_type == "Event":
            self.server.run_async(function, payload)
            self._send(202, b"", {})
        elif invocation_type == "RequestResponse":
            self._invoke(function, payload)
        else:
            self._error(
                400, "InvalidParameterValueException", f"bad InvocationType {invocation_type}"
            )

    def _invoke(self, function: Function, payload: bytes) -> None:
        client_context = self.headers.get("X-Amz-Client-Context")
        if client_context:
            client_context = base64.b64decode(client_context).decode(errors="replace")
        try:
            outcome = self.server.pools[function.name].invoke(
                payload, client_context=client_context
            )
        except UserError as error:
            self._error(502, "ServiceException", error.message)
            return
        headers = {
            "X-Amz-Executed-Version": "$LATEST",
            "x-amzn-RequestId": outcome.invocation.request_id,
        }
        if outcome.function_error:
            headers["X-Amz-Function-Error"] = outcome.function_error
        if self.headers.get("X-Amz-Log-Type") == "Tail":
            tail = outcome.log_text.encode()[-LOG_TAIL_BYTES:]
            headers["X-Amz-Log-Result"] = base64.b64encode(tail).decode()
        self._send(200, outcome.payload, headers)

    def _error(self, status: int, error_type: str, message: str) -> None:
        body = json.dumps({"Type": "User", "message": message}).encode()
        self._send(status, body, {"x-amzn-ErrorType": error_type})

    def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        headers.setdefault("x-amzn-RequestId", str(uuid.uuid4()))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)
