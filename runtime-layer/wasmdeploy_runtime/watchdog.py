"""Stops a running guest at its deadline by bumping the engine's epoch.

One daemon thread per engine sleeps until the armed deadline and then
increments the epoch; the store of
the running invocation has an epoch deadline of one tick, so the guest traps
with `Interrupt` at its next loop back-edge or function entry. wasmtime
releases the GIL while wasm runs, so the thread wakes on time. Host functions
do not see the epoch: they read the same deadline from `Watchdog.deadline`.

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

import wasmtime

from wasmdeploy_runtime.deadline import Deadline


class Watchdog:
    def __init__(self, engine: wasmtime.Engine) -> None:
        self._engine = engine
        # Held for a whole invocation: epochs are per engine, so invocations sharing an
        # engine must not overlap.
        self.lock = threading.Lock()
        self.deadline = Deadline()
        self._condition = threading.Condition()
        self._armed = False
        self._reason: str | None = None
        self._sleeping_until = math.inf
        self._thread: threading.Thread | None = None

    def arm(self, deadline: float | None) -> None:
        """Interrupt the guest at `deadline` (time.monotonic()). Set the store's epoch
        deadline (one tick) first."""
        with self._condition:
            self._armed = True
            self.deadline.at = deadline
            self._reason = None
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="wasmdeploy-watchdog", daemon=True
                )
                self._thread.start()
            if self._next_wake() < self._sleeping_until:
                self._condition.notify()

    def disarm(self) -> str | None:
        """Stop watching; "deadline" when the guest was interrupted, else None."""
        with self._condition:
            self._armed = False
            self.deadline.at = None
            reason, self._reason = self._reason, None
            return reason

    def _next_wake(self) -> float:
        at = self.deadline.at
        if not self._armed or self._reason is not None or at is None:
            return math.inf
        return at

    def _run(self) -> None:
        with self._condition:
            while True:
                now = time.monotonic()
                wake = self._next_wake()
                if now >= wake:
                    self._reason = "deadline"
                    self._engine.increment_epoch()
                    wake = math.inf
                self._sleeping_until = wake
                self._condition.wait(None if wake == math.inf else max(0.0, wake - now))
                self._sleeping_until = -math.inf  # awake: arm() need not notify


_watchdogs: dict[int, Watchdog] = {}


def watchdog_for(engine: wasmtime.Engine) -> Watchdog:
    """The engine's one watchdog (engines live as long as the process)."""
    watchdog = _watchdogs.get(id(engine))
    if watchdog is None:
        watchdog = _watchdogs[id(engine)] = Watchdog(engine)
    return watchdog
