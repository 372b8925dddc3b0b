"""The running invocation's deadline, as host functions see it.

The watchdog stops guest code at the deadline by bumping the engine's epoch,
but an epoch only interrupts wasm: time spent inside a host function (a WASI
call that sleeps, a key-value request) is invisible to it. Host functions
therefore consult the engine's `Deadline` themselves: `check()` at entry,
`sleep_until()` instead of sleeping, `remaining()` to bound their own waits.
Each raises `HostTimeout`, which fails the invocation with `WasmTimeout` and
the same message as a timeout in guest code.

Invocations on one engine never overlap (the sandbox holds the engine's lock),
so one `Deadline` per engine, set when the watchdog is armed, is the running
invocation's.
"""

from __future__ import annotations

import time


class HostTimeout(Exception):
    """A host function reached the invocation's deadline."""


class Deadline:
    __slots__ = ("at",)

    def __init__(self) -> None:
        self.at: float | None = None  # time.monotonic(); None while nothing runs or unbounded

    def remaining(self) -> float | None:
        """Seconds left (0 when past), None when the invocation has no deadline."""
        at = self.at
        return None if at is None else max(0.0, at - time.monotonic())

    def check(self) -> None:
        """Raise HostTimeout when the deadline has passed."""
        at = self.at
        if at is not None and time.monotonic() >= at:
            raise HostTimeout()

    def sleep_until(self, wake: float) -> None:
        """Sleep until `wake` (time.monotonic()), or raise HostTimeout at the deadline if it
        comes first."""
        at = self.at
        cut = at is not None and at < wake
        end = at if cut and at is not None else wake
        while (left := end - time.monotonic()) > 0:
            time.sleep(left)
        if cut:
            raise HostTimeout()
