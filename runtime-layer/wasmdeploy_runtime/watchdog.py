"""Stops a running guest at its deadline by bumping the engine's epoch.

One daemon thread per engine sleeps until the armed deadline (or the next
check of the guest's output size) and then increments the epoch; the store of
the running invocation has an epoch deadline of one tick, so the guest traps
with `Interrupt` at its next loop back-edge or function entry. wasmtime
releases the GIL while wasm runs, so the thread wakes on time.

Arming and disarming happen under one lock, and the thread only acts for the
invocation armed at that moment: a tick meant for one invocation can never
land in the next one. Arming wakes the thread only when it must wake earlier
than it already planned to, so back-to-back short invocations cost no thread
switches.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

import wasmtime

# While armed with a check, the guest's output size is checked this often.
CHECK_INTERVAL = 0.05


class Watchdog:
    def __init__(self, engine: wasmtime.Engine) -> None:
        self._engine = engine
        self._condition = threading.Condition()
        self._armed = False
        self._deadline: float | None = None
        self._check: Callable[[], str | None] | None = None
        self._reason: str | None = None
        self._sleeping_until = math.inf
        self._thread: threading.Thread | None = None

    def arm(self, deadline: float | None, check: Callable[[], str | None] | None = None) -> None:
        """Interrupt the guest at `deadline` (time.monotonic()), or when `check()` returns a
        reason. Set the store's epoch deadline (one tick) first."""
        with self._condition:
            self._armed = True
            self._deadline = deadline
            self._check = check
            self._reason = None
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="wasmdeploy-watchdog", daemon=True
                )
                self._thread.start()
            if self._next_wake(time.monotonic()) < self._sleeping_until:
                self._condition.notify()

    def disarm(self) -> str | None:
        """Stop watching; the reason the guest was interrupted ("deadline", or what `check`
        said), None when it was not."""
        with self._condition:
            self._armed = False
            self._deadline = None
            self._check = None
            reason, self._reason = self._reason, None
            return reason

    def _next_wake(self, now: float) -> float:
        if not self._armed or self._reason is not None:
            return math.inf
        wake = self._deadline if self._deadline is not None else math.inf
        if self._check is not None:
            wake = min(wake, now + CHECK_INTERVAL)
        return wake

    def _run(self) -> None:
        with self._condition:
            while True:
                now = time.monotonic()
                if self._armed and self._reason is None:
                    reason = self._due(now)
                    if reason is not None:
                        self._reason = reason
                        self._engine.increment_epoch()
                wake = self._next_wake(now)
                self._sleeping_until = wake
                self._condition.wait(None if wake == math.inf else max(0.0, wake - now))
                self._sleeping_until = -math.inf  # awake: arm() need not notify

    def _due(self, now: float) -> str | None:
        if self._deadline is not None and now >= self._deadline:
            return "deadline"
        if self._check is not None:
            return self._check()
        return None
