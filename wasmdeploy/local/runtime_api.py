"""A local Lambda Runtime API (2018-06-01) for one runtime process.

Endpoints, headers and status codes follow AWS's Runtime API, so AWS's own
runtime clients (awslambdaric, the Rust and Go runtimes) work against it
unchanged. One server serves one runtime process, which is how Lambda pairs
them: the address in `AWS_LAMBDA_RUNTIME_API` identifies the sandbox.
"""

from __future__ import annotations

import json
import queue
import threading
import time
from collections.abc import Callable
from http import HTTPStatus

import h11

from wasmdeploy.local.invocation import MAX_PAYLOAD_BYTES, Invocation, error_body
from wasmdeploy.local.local_http import HttpRequest, HttpResponse, LocalHttpServer

API_PREFIX = "/2018-06-01"
ERROR_TYPE_HEADER = "Lambda-Runtime-Function-Error-Type"
RESPONSE_TOO_LARGE = "Function.ResponseSizeTooLarge"

InitErrorHandler = Callable[[bytes, str], None]
DispatchHandler = Callable[[Invocation], None]


class RuntimeApiServer(LocalHttpServer):
    """Hands queued invocations to the runtime and records its answers."""

    poll_interval = 0.02  # short: a sandbox's stop (shutdown) waits for one poll
    max_body_bytes = MAX_PAYLOAD_BYTES
    idle_timeout = None  # the runtime's connection waits as long as the sandbox lives
    refuse_other_sites = True

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        super().__init__((host, port))
        self.pending: queue.Queue[Invocation | None] = queue.Queue()
        self.active: dict[str, Invocation] = {}
        self.active_lock = threading.Lock()
        self.on_init_error: InitErrorHandler | None = None
        self.on_dispatch: DispatchHandler | None = None
        self.first_next_at: float | None = None  # when the runtime finished its init
        self._polls = 0  # `GET /next` requests so far
        self._polled = threading.Condition()

    @property
    def address(self) -> str:
        """host:port, the value of AWS_LAMBDA_RUNTIME_API."""
        host, port = self.server_address[:2]
        return f"{host!s}:{port}"

    def stop(self) -> None:
        self.pending.put(None)  # wakes a runtime blocked on /next so its thread ends
        super().stop()

    def submit(self, invocation: Invocation) -> None:
        with self.active_lock:
            self.active[invocation.request_id] = invocation
        self.pending.put(invocation)

    def forget(self, invocation: Invocation) -> None:
        with self.active_lock:
            self.active.pop(invocation.request_id, None)

    def take_next(self) -> Invocation | None:
        if self.first_next_at is None:
            self.first_next_at = time.monotonic()
        with self._polled:
            self._polls += 1
            poll = self._polls
            self._polled.notify_all()
        while True:
            invocation = self.pending.get()
            if invocation is None:
                self.pending.put(None)  # keep the shutdown marker for other waiters
                return None
            if not invocation.done.is_set():  # skip events that failed before dispatch
                invocation.poll = poll
                return invocation

    def wait_for_next_poll(self, invocation: Invocation, timeout: float) -> bool:
        """Wait until the runtime asks for its next event after `invocation`: as in Lambda,
        that ends the invocation, and what it logged until then belongs to it."""
        with self._polled:
            return self._polled.wait_for(lambda: self._polls > invocation.poll, timeout)

    def find(self, request_id: str) -> Invocation | None:
        with self.active_lock:
            return self.active.get(request_id)

    def respond_to(self, request: HttpRequest) -> HttpResponse:
        return _Routes(self, request).answer()

    def refusal(self, status: int, reason: str, head: h11.Request | None) -> HttpResponse:
        """A response over the limit fails its invocation, as Lambda's Runtime API does."""
        parts = head.target.decode("iso-8859-1").split("/") if head is not None else []
        if status == 413 and len(parts) == 6 and parts[3:6:2] == ["invocation", "response"]:
            invocation = self.find(parts[4])
            if invocation is not None and invocation.started_at is not None:
                return _too_large(invocation)
        return _json(HTTPStatus(status), _error("InvalidRequest", reason))


class _Routes:
    """The Runtime API's endpoints, answering one parsed request."""

    def __init__(self, server: RuntimeApiServer, request: HttpRequest) -> None:
        self.server = server
        self.request = request

    def answer(self) -> HttpResponse:
        path, method = self.request.target, self.request.method
        if method == "GET" and path == f"{API_PREFIX}/runtime/invocation/next":
            return self._next()
        parts = path.removeprefix(API_PREFIX).strip("/").split("/")
        if method == "POST" and parts == ["runtime", "init", "error"]:
            error_type = self.request.header(ERROR_TYPE_HEADER) or "Runtime.Unknown"
            if self.server.on_init_error is not None:
                self.server.on_init_error(self.request.body, error_type)
            return _json(HTTPStatus.ACCEPTED, {"status": "OK"})
        if method == "POST" and len(parts) == 4 and parts[:2] == ["runtime", "invocation"]:
            request_id, verb = parts[2], parts[3]
            if verb in ("response", "error"):
                return self._answer(request_id, verb, self.request.body)
        return _json(HTTPStatus.NOT_FOUND, _error("NotFound", f"no route {path}"))

    def _next(self) -> HttpResponse:
        invocation = self.server.take_next()
        if invocation is None:
            return _json(HTTPStatus.GONE, _error("ServerShutdown", "the sandbox is stopping"))
        invocation.start()
        if self.server.on_dispatch is not None:
            self.server.on_dispatch(invocation)
        headers = [
            ("Content-Type", "application/json"),
            ("Lambda-Runtime-Aws-Request-Id", invocation.request_id),
            ("Lambda-Runtime-Deadline-Ms", str(invocation.deadline_ms)),
            ("Lambda-Runtime-Invoked-Function-Arn", invocation.function_arn),
            ("Lambda-Runtime-Trace-Id", invocation.trace_id),
        ]
        if invocation.client_context:
            headers.append(("Lambda-Runtime-Client-Context", invocation.client_context))
        return HttpResponse(HTTPStatus.OK, invocation.payload, headers)

    def _answer(self, request_id: str, verb: str, body: bytes) -> HttpResponse:
        invocation = self.server.find(request_id)
        if invocation is None or invocation.started_at is None:
            message = f"Invalid request ID: {request_id}"
            return _json(HTTPStatus.BAD_REQUEST, _error("InvalidRequestID", message))
        if verb == "response" and len(body) > MAX_PAYLOAD_BYTES:
            return _too_large(invocation)
        if verb == "response":
            invocation.succeed(body)
        else:
            error_type = self.request.header(ERROR_TYPE_HEADER) or _error_type_of(body)
            invocation.fail(body, error_type)
        return _json(HTTPStatus.ACCEPTED, {"status": "OK"})


def _too_large(invocation: Invocation) -> HttpResponse:
    message = (
        f"Response payload size exceeded maximum allowed payload size ({MAX_PAYLOAD_BYTES} bytes)."
    )
    invocation.fail(error_body(RESPONSE_TOO_LARGE, message), RESPONSE_TOO_LARGE)
    return _json(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, _error(RESPONSE_TOO_LARGE, message))


def _json(status: HTTPStatus, document: dict[str, str]) -> HttpResponse:
    return HttpResponse(
        status, json.dumps(document).encode(), [("Content-Type", "application/json")]
    )


def _error(error_type: str, message: str) -> dict[str, str]:
    return {"errorType": error_type, "errorMessage": message}


def _error_type_of(body: bytes) -> str | None:
    try:
        document = json.loads(body)
    except ValueError:
        return None
    value = document.get("errorType") if isinstance(document, dict) else None
    return value if isinstance(value, str) else None
