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

from wasmdeploy.local.http_bodies import read_body
from wasmdeploy.local.invocation import MAX_PAYLOAD_BYTES, Invocation, error_body
from wasmdeploy.local.local_http import LocalHttpHandler, LocalHttpServer

API_PREFIX = "/2018-06-01"
ERROR_TYPE_HEADER = "Lambda-Runtime-Function-Error-Type"
RESPONSE_TOO_LARGE = "Function.ResponseSizeTooLarge"

InitErrorHandler = Callable[[bytes, str], None]
DispatchHandler = Callable[[Invocation], None]


class RuntimeApiServer(LocalHttpServer):
    """Hands queued invocations to the runtime and records its answers."""

    poll_interval = 0.02  # short: a sandbox's stop (shutdown) waits for one poll

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        super().__init__((host, port), _RuntimeApiHandler)
        self.pending: queue.Queue[Invocation | None] = queue.Queue()
        self.active: dict[str, Invocation] = {}
        self.active_lock = threading.Lock()
        self.on_init_error: InitErrorHandler | None = None
        self.on_dispatch: DispatchHandler | None = None
        self.first_next_at: float | None = None  # when the runtime finished its init

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
        while True:
            invocation = self.pending.get()
            if invocation is None:
                self.pending.put(None)  # keep the shutdown marker for other waiters
                return None
            if not invocation.done.is_set():  # skip events that failed before dispatch
                return invocation

    def find(self, request_id: str) -> Invocation | None:
        with self.active_lock:
            return self.active.get(request_id)


class _Headers(dict[str, str]):
    """Request headers by lower-case name (all the Runtime API reads of them)."""

    def get(self, name: str, default: str | None = None) -> str | None:  # type: ignore[override]
        return super().get(name.lower(), default)


class _RuntimeApiHandler(LocalHttpHandler):
    server: RuntimeApiServer
    raw_requestline: bytes

    def parse_request(self) -> bool:
        """The request line and headers, without the email parser http.server uses.

        Every invocation makes two Runtime API requests; parsing them is most of
        the emulator's own cost per request, and the runtime clients send only
        a handful of simple headers.
        """
        self.requestline = str(self.raw_requestline, "iso-8859-1").rstrip("\r\n")
        words = self.requestline.split()
        if len(words) != 3 or not words[2].startswith("HTTP/"):
            self.send_error(HTTPStatus.BAD_REQUEST, "Bad request line")
            return False
        self.command, self.path, self.request_version = words
        headers = _Headers()
        for _ in range(100):
            line = self.rfile.readline(65537)
            if line in (b"\r\n", b"\n", b""):
                break
            name, _, value = str(line, "iso-8859-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        self.headers = headers  # type: ignore[assignment]
        connection = (headers.get("connection") or "").lower()
        self.close_connection = connection == "close" or (
            self.request_version == "HTTP/1.0" and connection != "keep-alive"
        )
        if (headers.get("expect") or "").lower() == "100-continue":
            self.send_response_only(HTTPStatus.CONTINUE)  # curl-based clients wait for it
            self.end_headers()
        return True

    def do_GET(self) -> None:
        if self.path == f"{API_PREFIX}/runtime/invocation/next":
            self._next()
        else:
            self._send_json(HTTPStatus.NOT_FOUND, _error("NotFound", f"no route {self.path}"))

    def do_POST(self) -> None:
        body = self._read_body()
        parts = self.path.removeprefix(API_PREFIX).strip("/").split("/")
        if parts == ["runtime", "init", "error"]:
            error_type = self.headers.get(ERROR_TYPE_HEADER) or "Runtime.Unknown"
            if self.server.on_init_error is not None:
                self.server.on_init_error(body, error_type)
            self._send_json(HTTPStatus.ACCEPTED, {"status": "OK"})
            return
        if len(parts) == 4 and parts[:2] == ["runtime", "invocation"]:
            request_id, verb = parts[2], parts[3]
            if verb in ("response", "error"):
                self._answer(request_id, verb, body)
                return
        self._send_json(HTTPStatus.NOT_FOUND, _error("NotFound", f"no route {self.path}"))

    def _next(self) -> None:
        invocation = self.server.take_next()
        if invocation is None:
            self._send_json(HTTPStatus.GONE, _error("ServerShutdown", "the sandbox is stopping"))
            return
        invocation.start()
        if self.server.on_dispatch is not None:
            self.server.on_dispatch(invocation)
        headers = {
            "Lambda-Runtime-Aws-Request-Id": invocation.request_id,
            "Lambda-Runtime-Deadline-Ms": str(invocation.deadline_ms),
            "Lambda-Runtime-Invoked-Function-Arn": invocation.function_arn,
            "Lambda-Runtime-Trace-Id": invocation.trace_id,
        }
        if invocation.client_context:
            headers["Lambda-Runtime-Client-Context"] = invocation.client_context
        self._send(HTTPStatus.OK, invocation.payload, "application/json", headers)

    def _answer(self, request_id: str, verb: str, body: bytes) -> None:
        invocation = self.server.find(request_id)
        if invocation is None or invocation.started_at is None:
            message = f"Invalid request ID: {request_id}"
            self._send_json(HTTPStatus.BAD_REQUEST, _error("InvalidRequestID", message))
            return
        if verb == "response" and len(body) > MAX_PAYLOAD_BYTES:
            message = (
                "Response payload size exceeded maximum allowed payload size "
                f"({MAX_PAYLOAD_BYTES} bytes)."
            )
            invocation.fail(error_body(RESPONSE_TOO_LARGE, message), RESPONSE_TOO_LARGE)
            self._send_json(
                HTTPStatus.REQUEST_ENTITY_TOO_LARGE, _error(RESPONSE_TOO_LARGE, message)
            )
            return
        if verb == "response":
            invocation.succeed(body)
        else:
            error_type = self.headers.get(ERROR_TYPE_HEADER) or _error_type_of(body)
            invocation.fail(body, error_type)
        self._send_json(HTTPStatus.ACCEPTED, {"status": "OK"})

    def _read_body(self) -> bytes:
        return read_body(self.rfile, self.headers.get)

    def _send_json(self, status: HTTPStatus, document: dict[str, str]) -> None:
        self._send(status, json.dumps(document).encode(), "application/json", {})

    def _send(
        self, status: HTTPStatus, body: bytes, content_type: str, headers: dict[str, str]
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)


def _error(error_type: str, message: str) -> dict[str, str]:
    return {"errorType": error_type, "errorMessage": message}


def _error_type_of(body: bytes) -> str | None:
    try:
        document = json.loads(body)
    except ValueError:
        return None
    value = document.get("errorType") if isinstance(document, dict) else None
    return value if isinstance(value, str) else None
