"""Warm sandboxes for one function, as Lambda keeps them: reused, up to a concurrency limit.

A request takes an idle sandbox or starts one (a cold start) while fewer than
`max_concurrency` exist, and otherwise waits for one to come free. A sandbox
that timed out or crashed is thrown away. When the function's `.wasm` changes
on disk, the module is staged again and sandboxes running the old one are
retired as they come free, so a rebuild shows up on the next request; the same
happens when `serve` reloads a changed function's configuration (`use_factory`).
"""

from __future__ import annotations

import threading

from wasmdeploy.local.lambda_environment import SandboxSettings
from wasmdeploy.local.runtime_session import (
    InvocationOutcome,
    LogSink,
    RuntimeSession,
    SandboxLost,
)
from wasmdeploy.local.sandbox_factory import ModuleStamp, SandboxFactory

DEFAULT_CONCURRENCY = 10


class FunctionPool:
    def __init__(
        self,
        factory: SandboxFactory,
        emit: LogSink,
        *,
        max_concurrency: int = DEFAULT_CONCURRENCY,
    ) -> None:
        self.factory = factory
        self.max_concurrency = max_concurrency
        self._emit = emit
        self._lock = threading.Condition()
        self._idle: list[RuntimeSession] = []
        self._count = 0  # sandboxes alive: idle or busy
        self._generation = 0
        self._settings: SandboxSettings | None = None
        self._stamp: ModuleStamp | None = None
        self._closed = False
        self._replaced: list[SandboxFactory] = []  # their staged files go at close

    @property
    def function_name(self) -> str:
        return self.factory.function.name

    @property
    def busy(self) -> int:
        """Sandboxes running an invocation now."""
        with self._lock:
            return self._count - len(self._idle)

    def invoke(self, payload: bytes, *, client_context: str | None = None) -> InvocationOutcome:
        for _ in range(self.max_concurrency + 1):
            session = self._acquire()
            try:
                return session.invoke(payload, client_context=client_context)
            except SandboxLost:
                continue  # that runtime exited while idle; the event goes to another one
            finally:
                self._release(session)
        raise RuntimeError(f"{self.function_name}: every warm runtime exited before the event")

    def warm(self) -> None:
        """Stage the module now, so the first request does not pay for it."""
        with self._lock:
            self._current_settings()

    def use_factory(self, factory: SandboxFactory) -> None:
        """Run new sandboxes from `factory` (the function's configuration changed): requests
        already running finish on their sandboxes, which are then retired; idle ones go now."""
        with self._lock:
            self._replaced.append(self.factory)
            self.factory = factory
            self._settings = None
            self._generation += 1
            idle, self._idle = self._idle, []
            self._count -= len(idle)
            self._lock.notify_all()
        for session in idle:
            session.close()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
            self._lock.notify_all()
        for session in idle:
            session.close()
        for factory in (*self._replaced, self.factory):
            factory.cleanup()

    def _acquire(self) -> RuntimeSession:
        with self._lock:
            settings = self._current_settings()
            while True:
                if self._closed:
                    raise RuntimeError("the function pool is closed")
                while self._idle:
                    session = self._idle.pop()
                    if session.alive and session.generation == self._generation:
                        return session
                    self._count -= 1
                    threading.Thread(target=session.close, daemon=True).start()
                if self._count < self.max_concurrency:
                    self._count += 1
                    break
                self._lock.wait()
        session = RuntimeSession(settings, self._emit)
        session.generation = self._generation
        try:
            session.start()
        except BaseException:
            self._release(session)
            raise
        return session

    def _release(self, session: RuntimeSession) -> None:
        with self._lock:
            keep = session.alive and session.generation == self._generation and not self._closed
            if keep:
                self._idle.append(session)
            else:
                self._count -= 1
            self._lock.notify()
        if not keep:
            session.close()

    def _current_settings(self) -> SandboxSettings:
        """The staged module's settings; staged again if the .wasm changed (lock held)."""
        stamp = self.factory.module_stamp()
        if self._settings is None or stamp != self._stamp:
            if self._settings is not None:
                module = self.factory.function.module_relpath
                self._emit(f"{module} changed: new sandboxes will run the new module")
            self._settings = self.factory.settings()
            self._stamp = stamp
            self._generation += 1
        return self._settings
