"""A minimal Lambda Runtime API for driving a runtime process in tests and benchmarks.

`http.server` on 127.0.0.1 (port 0), HTTP/1.1 keep-alive. `invoke()` queues an
event and waits for the runtime's answer; `GET /next` blocks until an event is
queued. Faults can be injected into the next requests (a 500 answer, or a
connection closed without an answer) to exercise the runtime's retries.
"""

from __future__ import annotations

import json
import queue
import select
import socket
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Literal

PREFIX = "/2018-06-01/runtime"
Fault = Literal["500", "close"]


@dataclass
class Invocation:
    payload: bytes
    timeout: float
    request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    deadline_ms: int = 0
    response: bytes | None = None
    error: bytes | None = None
    error_type: str | None = None
    answers: int = 0  # how many times the runtime answered (must end at 1)
    handed_out_at: int = 0  # the GET /next request (by count) that received it
    done: threading.Event = field(default_factory=threading.Event)

    @property
    def error_json(self) -> dict[str, object]:
        assert self.error is not None, f"no error; response was {self.response!r}"
        data = json.loads(self.error)
        assert isinstance(data, dict)
        return data


class _ReusableServer(ThreadingHTTPServer):
    allow_reuse_address = True  # a test may bring the API back on the same port

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a runtime stopped mid-request resets its connection: not news


class RuntimeApiServer:
    def __init__(
        self,
        *,
        port: int = 0,
        function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:f",
    ) -> None:
        self.function_arn = function_arn
        self.pending: queue.Queue[Invocation | None] = queue.Queue()
        self.by_id: dict[str, Invocation] = {}
        self.init_errors: list[tuple[str | None, bytes]] = []
        self.init_error_posted = threading.Event()
        self.next_calls = 0  # events handed out
        self.next_requests = 0  # GET /next requests received
        self._faults: list[Fault] = []
        self._lock = threading.Lock()
        self._server = _ReusableServer(("127.0.0.1", port), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def address(self) -> str:
        port = self._server.server_address[1]
        return f"127.0.0.1:{port}"

    def inject(self, *faults: Fault) -> None:
        """The next requests (any endpoint) get these faults, in order."""
        with self._lock:
            self._faults.extend(faults)

    def submit(self, payload: bytes, *, timeout: float = 30.0) -> Invocation:
        invocation = Invocation(payload=payload, timeout=timeout)
        self.by_id[invocation.request_id] = invocation
        self.pending.put(invocation)
        return invocation

    def invoke(self, payload: bytes, *, timeout: float = 30.0, wait: float = 60.0) -> Invocation:
        """Queue an event and wait (at most `wait` seconds) for the runtime's answer."""
        invocation = self.submit(payload, timeout=timeout)
        if not invocation.done.wait(wait):
            raise TimeoutError(f"the runtime did not answer {payload[:40]!r} in {wait}s")
        return invocation

    def close(self) -> None:
        self.pending.put(None)
        self._server.shutdown()
        self._server.server_close()

    def _take_fault(self) -> Fault | None:
        with self._lock:
            return self._faults.pop(0) if self._faults else None

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body go out in separate writes: without this, Nagle's algorithm
            # and the client's delayed ACK hold every small response back ~40 ms.
            disable_nagle_algorithm = True

            def log_message(self, format: str, *args: object) -> None:
                pass

            def _body(self) -> bytes:
                length = int(self.headers.get("Content-Length") or 0)
                return self.rfile.read(length) if length else b""

            def _send(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None):
                self.send_response(status)
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                try:
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:
                    self.close_connection = True  # the runtime went away

            def _fault(self) -> bool:
                fault = api._take_fault()
                if fault == "close":
                    self.close_connection = True
                    self.connection.close()
                    return True
                if fault == "500":
                    self._send(500, b'{"errorMessage":"injected"}')
                    return True
                return False

            def _wait_for_invocation(self) -> Invocation | Literal[False] | None:
                """The next queued event, or False once the runtime has closed the connection
                (so a stopped runtime's pending /next never takes a later event)."""
                while True:
                    invocation: Invocation | Literal[False] | None
                    try:
                        invocation = api.pending.get(timeout=0.05)
                    except queue.Empty:
                        invocation = False
                    if self._client_gone():
                        if invocation is not False:
                            api.pending.put(invocation)  # for a runtime still listening
                        self.close_connection = True
                        return False
                    if invocation is not False:
                        return invocation

            def _client_gone(self) -> bool:
                readable, _, _ = select.select([self.connection], [], [], 0)
                return bool(readable) and not self.connection.recv(1, socket.MSG_PEEK)

            def do_GET(self) -> None:
                if self.path != f"{PREFIX}/invocation/next":
                    self._send(404)
                    return
                api.next_requests += 1
                if self._fault():
                    return
                invocation = self._wait_for_invocation()
                if invocation is False:
                    return  # the runtime hung up while waiting (it was stopped)
                if invocation is None:
                    api.pending.put(None)
                    self._send(503, b"shutting down")
                    return
                api.next_calls += 1
                invocation.handed_out_at = api.next_requests
                invocation.deadline_ms = int((time.time() + invocation.timeout) * 1000)
                self._send(
                    200,
                    invocation.payload,
                    {
                        "Lambda-Runtime-Aws-Request-Id": invocation.request_id,
                        "Lambda-Runtime-Deadline-Ms": str(invocation.deadline_ms),
                        "Lambda-Runtime-Invoked-Function-Arn": api.function_arn,
                        "Lambda-Runtime-Trace-Id": "Root=1-00000000-000000000000000000000000",
                        "Content-Type": "application/json",
                    },
                )

            def do_POST(self) -> None:
                body = self._body()
                if self._fault():
                    return
                if self.path == f"{PREFIX}/init/error":
                    api.init_errors.append(
                        (self.headers.get("Lambda-Runtime-Function-Error-Type"), body)
                    )
                    api.init_error_posted.set()
                    self._send(202, b'{"status":"OK"}')
                    return
                parts = self.path[len(PREFIX) :].split("/")
                invocation = api.by_id.get(parts[2]) if len(parts) == 4 else None
                if invocation is None or parts[3] not in ("response", "error"):
                    self._send(404, b'{"errorMessage":"unknown request"}')
                    return
                if invocation.answers:
                    invocation.answers += 1
                    self._send(400, b'{"errorMessage":"already answered"}')
                    return
                invocation.answers += 1
                if parts[3] == "response":
                    invocation.response = body
                else:
                    invocation.error = body
                    invocation.error_type = self.headers.get("Lambda-Runtime-Function-Error-Type")
                self._send(202, b'{"status":"OK"}')
                invocation.done.set()

        return Handler
