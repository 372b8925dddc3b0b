"""A client for the Lambda Runtime API, over one persistent HTTP/1.1 connection.

Transient failures (connection refused or reset, the server closing an idle
connection, 5xx answers) are retried with exponential backoff on a fresh
connection. Only the HTTP request is repeated, never the invocation: the loop
runs the guest once and then retries delivering its answer. A 4xx answer to a
delivery after a retry means an earlier attempt got through.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from wasmdeploy_runtime.http_connection import HttpConnection

API_VERSION = "2018-06-01"
ERROR_TYPE_HEADER = "Lambda-Runtime-Function-Error-Type"
_JSON = {"Content-Type": "application/json"}


class RuntimeApiUnavailable(Exception):
    """The Runtime API kept failing after every retry."""


class RuntimeApiRejected(Exception):
    """The Runtime API answered 4xx (e.g. 413 for a response over the payload limit)."""

    def __init__(self, status: int, body: bytes) -> None:
        super().__init__(f"HTTP {status}: {body[:200].decode('utf-8', 'replace')}")
        self.status = status
        self.body = body


class RetryPolicy:
    __slots__ = ("attempts", "first_delay", "max_delay")

    def __init__(
        self,
        first_delay: float = 0.01,
        max_delay: float = 1.0,
        attempts: int = 20,
    ) -> None:
        self.first_delay = first_delay
        self.max_delay = max_delay
        self.attempts = attempts  # about 13 s of backoff in all

    def delays(self) -> list[float]:
        return [min(self.first_delay * 2**n, self.max_delay) for n in range(self.attempts - 1)]


class NextInvocation:
    __slots__ = (
        "client_context",
        "cognito_identity",
        "deadline_ms",
        "function_arn",
        "payload",
        "request_id",
        "trace_id",
    )

    def __init__(
        self,
        request_id: str,
        payload: bytes,
        deadline_ms: int,
        function_arn: str,
        trace_id: str | None,
        client_context: str | None,
        cognito_identity: str | None,
    ) -> None:
        self.request_id = request_id
        self.payload = payload
        self.deadline_ms = deadline_ms  # Unix epoch milliseconds; 0 when the API sent none
        self.function_arn = function_arn
        self.trace_id = trace_id
        self.client_context = client_context
        self.cognito_identity = cognito_identity

    def monotonic_deadline(self) -> float | None:
        """The deadline on the time.monotonic() clock, which the sandbox uses."""
        if not self.deadline_ms:
            return None
        return time.monotonic() + (self.deadline_ms / 1000.0 - time.time())


class RuntimeApiClient:
    def __init__(
        self,
        address: str,
        *,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        host, _, port = address.rpartition(":")
        if not host or not port.isdigit():
            raise ValueError(f"AWS_LAMBDA_RUNTIME_API must be host:port, not {address!r}")
        self._host = host.strip("[]")
        self._port = int(port)
        self._base = f"/{API_VERSION}/runtime"
        self._retry = retry or RetryPolicy()
        self._sleep = sleep
        self._connection = HttpConnection(self._host, self._port)
        self._retried = False  # the last request needed more than one attempt

    def next(self) -> NextInvocation:
        """The next event (blocks until there is one)."""
        status, headers, body = self._request("GET", f"{self._base}/invocation/next", None, {})
        if status != 200:
            raise RuntimeApiRejected(status, body)
        deadline = headers.get("lambda-runtime-deadline-ms") or "0"
        return NextInvocation(
            request_id=headers.get("lambda-runtime-aws-request-id") or "",
            payload=body,
            deadline_ms=int(deadline) if deadline.isdigit() else 0,
            function_arn=headers.get("lambda-runtime-invoked-function-arn") or "",
            trace_id=headers.get("lambda-runtime-trace-id"),
            client_context=headers.get("lambda-runtime-client-context"),
            cognito_identity=headers.get("lambda-runtime-cognito-identity"),
        )

    def respond(
        self, request_id: str, body: bytes, *, while_waiting: Callable[[], None] | None = None
    ) -> None:
        """Deliver the response. `while_waiting` runs once, after the request is sent and
        before its answer is read, so its work overlaps the server's."""
        path = f"{self._base}/invocation/{request_id}/response"
        self._deliver(path, body, {}, while_waiting)

    def fail(
        self,
        request_id: str,
        error_type: str,
        error_body: bytes,
        *,
        while_waiting: Callable[[], None] | None = None,
    ) -> None:
        headers = {**_JSON, ERROR_TYPE_HEADER: error_type}
        path = f"{self._base}/invocation/{request_id}/error"
        self._deliver(path, error_body, headers, while_waiting)

    def init_error(self, error_type: str, error_body: bytes) -> None:
        headers = {**_JSON, ERROR_TYPE_HEADER: error_type}
        self._deliver(f"{self._base}/init/error", error_body, headers, None)

    def close(self) -> None:
        self._connection.close()

    def _deliver(
        self,
        path: str,
        body: bytes,
        headers: dict[str, str],
        while_waiting: Callable[[], None] | None,
    ) -> None:
        status, _, answer = self._request("POST", path, body, headers, while_waiting)
        if status >= 400 and not self._retried:
            raise RuntimeApiRejected(status, answer)

    def _request(
        self,
        method: str,
        path: str,
        body: bytes | None,
        headers: dict[str, str],
        while_waiting: Callable[[], None] | None = None,
    ) -> tuple[int, dict[str, str], bytes]:
        self._retried = False
        delays: list[float] | None = None
        while True:
            try:
                status, answer_headers, answer = self._send(
                    method, path, body, headers, while_waiting
                )
                if status < 500:
                    return status, answer_headers, answer
                problem = f"HTTP {status}"
            except ConnectionError as error:
                problem = f"{type(error).__name__}: {error}"
            finally:
                while_waiting = None  # it ran with the first attempt
            if delays is None:
                delays = self._retry.delays()
            if not delays:
                raise RuntimeApiUnavailable(
                    f"{method} {path} failed after {self._retry.attempts} attempts: {problem}"
                )
            self._sleep(delays.pop(0))
            self._retried = True

    def _send(
        self,
        method: str,
        path: str,
        body: bytes | None,
        headers: dict[str, str],
        while_waiting: Callable[[], None] | None,
    ) -> tuple[int, dict[str, str], bytes]:
        connection = self._connection
        if while_waiting is None:
            response = connection.request(method, path, body, headers)
        else:
            try:
                connection.send_request(method, path, body, headers)
            finally:
                while_waiting()  # runs even when sending failed, before the retries
            response = connection.read_response(method)
        return response.status, response.headers, response.body
