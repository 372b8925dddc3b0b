"""One local sandbox: a runtime process and the Runtime API it talks to.

The session starts the runtime (the layer's `bootstrap`, or any command) with
Lambda's environment, feeds it one invocation at a time, enforces the timeout
(a stuck runtime is killed, as Lambda does), notices a runtime that dies, and
frames each invocation's log lines with Lambda's START / END / REPORT.
A session that timed out or crashed is dead; its owner starts a fresh one.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import select
import signal
import subprocess
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field

from wasmdeploy.errors import UserError
from wasmdeploy.local.invocation import Invocation, error_body
from wasmdeploy.local.lambda_environment import SandboxSettings
from wasmdeploy.local.process_memory import peak_memory_mb, process_tree
from wasmdeploy.local.report_lines import (
    InvocationFigures,
    end_line,
    exit_message,
    report_line,
    start_line,
    timeout_line,
    timeout_message,
)
from wasmdeploy.local.runtime_api import RuntimeApiServer

LogSink = Callable[[str], None]
_live_sessions: weakref.WeakSet[RuntimeSession] = weakref.WeakSet()


@atexit.register
def _kill_live_sessions() -> None:
    """No runtime process outlives wasmdeploy (they run in their own process groups)."""
    for session in list(_live_sessions):
        session._kill()


class SandboxLost(Exception):
    """A warm runtime exited between invocations: the event never reached it, retry elsewhere."""


INIT_TIMEOUT = 10.0  # seconds Lambda allows a runtime's init phase
_DRAIN_LIMIT = 0.5  # seconds to wait for log lines written just before an answer
_TAIL_LIMIT = 1.0  # seconds a runtime may take after its answer before asking for /next


@dataclass
class InvocationOutcome:
    """An invocation after it ran: the answer, Lambda's figures and its log lines."""

    invocation: Invocation
    figures: InvocationFigures
    log_lines: list[str] = field(default_factory=list)

    @property
    def payload(self) -> bytes:
        return self.invocation.result_bytes

    @property
    def function_error(self) -> str | None:
        """X-Amz-Function-Error: "Unhandled" for any failed invocation, else None."""
        return "Unhandled" if self.invocation.is_error else None

    @property
    def log_text(self) -> str:
        return "".join(line + "\n" for line in self.log_lines)


class RuntimeSession:
    """A runtime process behind its own Runtime API; one invocation at a time."""

    def __init__(self, settings: SandboxSettings, emit: LogSink) -> None:
        self.settings = settings
        self._emit = emit
        self._api = RuntimeApiServer()
        self._api.on_init_error = self._on_init_error
        self._api.on_dispatch = self._emit_start
        self._process: subprocess.Popen[bytes] | None = None
        self._spawned_at = 0.0
        self._cold = True
        self._dead = threading.Event()
        self._current: Invocation | None = None
        self._current_lines: list[str] | None = None
        self._log_lock = threading.Lock()
        self._log_eof = False
        self._partial = b""
        self._started_line_for: str | None = None
        self._lost = False  # the process exited while idle, after serving invocations
        self._peak_mb = 0  # remembered before a kill, when /proc no longer has it
        self._tree: list[int] | None = None  # the runtime's process tree, walked once
        self.generation = 0  # the module version this session runs (set by its pool)

    @property
    def alive(self) -> bool:
        return self._process is not None and not self._dead.is_set()

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    def start(self) -> None:
        self._api.start()
        environment = dict(self.settings.environment)
        environment["AWS_LAMBDA_RUNTIME_API"] = self._api.address
        self._spawned_at = time.monotonic()
        try:
            self._process = subprocess.Popen(
                self.settings.command,
                env=environment,
                cwd=self.settings.task_root,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # so a timeout kills the whole tree
            )
        except OSError as error:
            self._api.stop()
            command = " ".join(self.settings.command)
            raise UserError(f"cannot start the runtime `{command}`: {error}") from error
        _live_sessions.add(self)
        threading.Thread(target=self._read_logs, daemon=True).start()
        threading.Thread(target=self._watch_exit, daemon=True).start()

    def invoke(self, payload: bytes, *, client_context: str | None = None) -> InvocationOutcome:
        if self._process is None:
            self.start()
        invocation = Invocation(
            payload=payload,
            timeout=self.settings.timeout,
            function_arn=self.settings.function_arn,
            client_context=client_context,
        )
        lines: list[str] = []
        with self._log_lock:
            self._current, self._current_lines = invocation, lines
        if self._dead.is_set():
            self._fail_exited(invocation)
        else:
            self._api.submit(invocation)
        try:
            self._wait(invocation)
        finally:
            self._api.forget(invocation)
        if self._lost and invocation.started_at is None:
            with self._log_lock:
                self._current, self._current_lines = None, None
            raise SandboxLost(self.settings.function_name)
        return self._finish(invocation, lines)

    def close(self) -> None:
        self._dead.set()
        self._kill()
        self._api.stop()
        if self._process is not None:
            self._process.wait()  # the log reader closes the pipe when it reads its end

    # -- invocation lifecycle -------------------------------------------------

    def _wait(self, invocation: Invocation) -> None:
        init_limit = max(INIT_TIMEOUT, self.settings.timeout)
        if not invocation.dispatched.wait(init_limit) and not invocation.done.is_set():
            message = f"RequestId: {invocation.request_id} Error: Runtime init timed out"
            invocation.fail(error_body("Sandbox.Timedout", message), "Sandbox.Timedout", "timeout")
            self._kill()
            return
        if invocation.done.wait(self.settings.timeout):
            return
        body = error_body(
            "Sandbox.Timedout", timeout_message(invocation.request_id, invocation.timeout)
        )
        if invocation.fail(body, "Sandbox.Timedout", "timeout"):
            self._line(timeout_line(invocation.request_id, invocation.timeout))
            self._kill()

    def _finish(self, invocation: Invocation, lines: list[str]) -> InvocationOutcome:
        if invocation.status in ("success", "error") and not self._dead.is_set():
            # The runtime's work after its answer (its metric line, for one) is part of the
            # invocation until it asks for the next event.
            self._api.wait_for_next_poll(invocation, _TAIL_LIMIT)
        self._drain_logs()
        init_ms: float | None = None
        if self._cold and self._api.first_next_at is not None:
            init_ms = (self._api.first_next_at - self._spawned_at) * 1000
        self._cold = False
        self._emit_start(invocation)  # no-op unless it was never dispatched
        figures = InvocationFigures(
            request_id=invocation.request_id,
            duration_ms=invocation.duration_ms,
            memory_size_mb=self.settings.memory_size,
            max_memory_used_mb=self._measure_peak(),
            init_duration_ms=init_ms,
            status=invocation.status,
            error_type=invocation.error_type,
        )
        with self._log_lock:
            self._current, self._current_lines = None, None
        for line in (end_line(invocation.request_id), report_line(figures)):
            lines.append(line)
            self._emit(line)
        return InvocationOutcome(invocation=invocation, figures=figures, log_lines=lines)

    def _emit_start(self, invocation: Invocation) -> None:
        if self._started_line_for == invocation.request_id:
            return
        self._started_line_for = invocation.request_id
        self._line(start_line(invocation.request_id, self.settings.version))

    def _on_init_error(self, body: bytes, error_type: str) -> None:
        with self._log_lock:
            current = self._current
        if current is not None:
            self._emit_start(current)
            current.fail(body, error_type)
            current.dispatched.set()
        self._kill()

    def _fail_exited(self, invocation: Invocation) -> None:
        if invocation.started_at is None and not self._cold:
            self._lost = True
            invocation.fail(b"", "Runtime.ExitError", "crash")
            invocation.dispatched.set()
            return
        returncode = self._process.returncode if self._process else None
        body = error_body("Runtime.ExitError", exit_message(invocation.request_id, returncode))
        self._emit_start(invocation)
        if invocation.fail(body, "Runtime.ExitError", "crash"):
            self._line(exit_message(invocation.request_id, returncode))
            self._line("Runtime.ExitError")
        invocation.dispatched.set()

    def _watch_exit(self) -> None:
        assert self._process is not None
        self._process.wait()
        self._dead.set()
        self._drain_logs()
        with self._log_lock:
            current = self._current
        if current is not None and not current.done.is_set():
            self._fail_exited(current)

    def _measure_peak(self) -> int:
        if self._process is not None and self._process.poll() is None:
            if self._tree is None:  # walked once, after init, when the runtime has its children
                self._tree = process_tree(self._process.pid)
            self._peak_mb = max(self._peak_mb, peak_memory_mb(self._process.pid, self._tree))
        return self._peak_mb

    def _kill(self) -> None:
        self._dead.set()
        self._measure_peak()
        if self._process is not None and self._process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self._process.pid, signal.SIGKILL)

    # -- log lines ------------------------------------------------------------

    def _line(self, text: str) -> None:
        with self._log_lock:
            if self._current_lines is not None:
                self._current_lines.append(text)
        self._emit(text)

    def _read_logs(self) -> None:
        assert self._process is not None and self._process.stdout is not None
        descriptor = self._process.stdout.fileno()
        while True:
            select.select([descriptor], [], [])
            with self._log_lock:
                try:
                    chunk = os.read(descriptor, 65536)
                except OSError:
                    chunk = b""
                if not chunk:
                    self._log_eof = True
                    self._flush_partial()
                    self._process.stdout.close()
                    return
                *complete, self._partial = (self._partial + chunk).split(b"\n")
                for raw in complete:
                    self._record(raw)

    def _drain_logs(self) -> None:
        """Wait until the log pipe is empty, so lines printed before an answer stay with it."""
        if self._process is None or self._process.stdout is None:
            return
        give_up = time.monotonic() + _DRAIN_LIMIT
        while time.monotonic() < give_up:
            with self._log_lock:
                if self._log_eof:  # the reader closed the pipe (under this lock)
                    return
                try:
                    readable, _, _ = select.select([self._process.stdout.fileno()], [], [], 0)
                except (OSError, ValueError):
                    return
                if not readable:
                    self._flush_partial()
                    return
            time.sleep(0.0005)

    def _flush_partial(self) -> None:
        if self._partial:
            self._record(self._partial)
            self._partial = b""

    def _record(self, raw: bytes) -> None:
        # Called with _log_lock held.
        text = raw.decode("utf-8", errors="replace").rstrip("\r")
        if self._current_lines is not None:
            self._current_lines.append(text)
        self._emit(text)
