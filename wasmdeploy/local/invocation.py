"""One invocation's life: queued, handed to the runtime, answered (or not).

The Runtime API server and the runtime session share these objects: the
session queues one, the server hands it out on `/next` and completes it on
`/response` or `/error`, and the session waits for it to be done.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Literal

Status = Literal["success", "error", "timeout", "crash"]

# Lambda's synchronous payload limit, request and response (6 MB as AWS counts it).
MAX_PAYLOAD_BYTES = 6_291_556


def new_request_id() -> str:
    return str(uuid.uuid4())


def new_trace_id() -> str:
    epoch = f"{int(time.time()):08x}"
    return f"Root=1-{epoch}-{uuid.uuid4().hex[:24]};Parent={uuid.uuid4().hex[:16]};Sampled=0"


def error_body(error_type: str, message: str) -> bytes:
    """A Lambda error payload, as the Invoke API returns it."""
    return json.dumps({"errorType": error_type, "errorMessage": message}).encode()


@dataclass
class Invocation:
    """An event on its way through a runtime, and what came back."""

    payload: bytes
    timeout: float  # seconds, the function's configured timeout
    function_arn: str
    request_id: str = field(default_factory=new_request_id)
    trace_id: str = field(default_factory=new_trace_id)
    client_context: str | None = None
    # Set when the runtime takes the event (`GET /next`).
    started_at: float | None = None
    poll: int = 0  # which `GET /next` of its runtime took it (the next one ends its tail)
    deadline_ms: int = 0
    # Set when the runtime answers.
    finished_at: float | None = None
    response: bytes | None = None
    error: bytes | None = None
    error_type: str | None = None
    status: Status = "success"
    dispatched: threading.Event = field(default_factory=threading.Event)
    done: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> None:
        self.started_at = time.monotonic()
        self.deadline_ms = int((time.time() + self.timeout) * 1000)
        self.dispatched.set()

    def succeed(self, body: bytes) -> bool:
        return self._finish(response=body, status="success")

    def fail(self, body: bytes, error_type: str | None, status: Status = "error") -> bool:
        return self._finish(error=body, error_type=error_type, status=status)

    def _finish(
        self,
        *,
        status: Status,
        response: bytes | None = None,
        error: bytes | None = None,
        error_type: str | None = None,
    ) -> bool:
        """Complete once; a late answer (after a timeout or a crash) is ignored."""
        with self._lock:
            if self.done.is_set():
                return False
            self.finished_at = time.monotonic()
            self.response, self.error, self.error_type = response, error, error_type
            self.status = status
            self.done.set()
            return True

    @property
    def duration_ms(self) -> float:
        if self.started_at is None or self.finished_at is None:
            return 0.0
        return (self.finished_at - self.started_at) * 1000

    @property
    def is_error(self) -> bool:
        return self.status != "success"

    @property
    def result_bytes(self) -> bytes:
        """What the Invoke API returns: the response, or the error JSON."""
        if self.status == "success":
            return self.response or b""
        return self.error or b""
