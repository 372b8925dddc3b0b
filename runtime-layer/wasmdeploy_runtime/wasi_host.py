"""The WASI calls the runtime answers itself, so that no host call outlives the deadline
or an output cap.

wasmtime's WASI runs inside host code, where the epoch that stops a guest at
its deadline is not seen: `poll_oneoff` with a 20 s clock sleeps 20 s, and one
`fd_write` can copy the whole of a guest's memory into its stream. These are
defined over wasmtime's (the linker allows shadowing):

- `fd_write` to stdout or stderr appends to the invocation's `GuestOutput`,
  refusing (the guest traps) a write that would take the stream past its cap;
  any other descriptor is `EBADF` (the runtime gives the guest no files);
- `poll_oneoff` answers descriptor subscriptions at once (stdin is in memory,
  the outputs never block) and sleeps for clock subscriptions only until the
  deadline, where the invocation ends with `WasmTimeout`;
- `random_get` fills large buffers in chunks, checking the deadline between them.

Every one of them checks the deadline on entry. Every other WASI call either
returns at once or works on at most the event's bytes.
"""

from __future__ import annotations

import os
import struct
import time

import wasmtime

from wasmdeploy_runtime.deadline import Deadline
from wasmdeploy_runtime.host_funcs import GuestMemory, MemoryFault, define_raw
from wasmdeploy_runtime.stdio import GuestStdio, OutputLimitExceeded

WASI_MODULE = "wasi_snapshot_preview1"
SUCCESS, EBADF, EFAULT, EINVAL = 0, 8, 21, 28
IOV_MAX = 1024  # as POSIX writev: more iovecs in one call is EINVAL
MAX_SUBSCRIPTIONS = 4096
CLOCK_REALTIME, CLOCK_MONOTONIC = 0, 1
EVENT_CLOCK, EVENT_FD_READ, EVENT_FD_WRITE = 0, 1, 2
ABSTIME = 0x1
SUBSCRIPTION_SIZE, EVENT_SIZE = 48, 32
RANDOM_CHUNK = 1024 * 1024
_IOVEC = struct.Struct("<II")  # buffer, length
_U32 = struct.Struct("<I")
_SUBSCRIPTION = struct.Struct("<QB7xIxxxxQQH6x")  # userdata, tag, clock id / fd, timeout, ...
_EVENT = struct.Struct("<QHB5xQH6x")  # userdata, error, type, nbytes, flags


class WasiHost:
    """The runtime's WASI calls for one engine, bound to its running invocation."""

    def __init__(self, deadline: Deadline) -> None:
        self.deadline = deadline
        self.stdio: GuestStdio | None = None  # the running invocation's

    def define(self, linker: wasmtime.Linker) -> None:
        """Define the calls in `linker`, over WASI's own (define WASI first)."""
        linker.allow_shadowing = True
        define_raw(linker, WASI_MODULE, "fd_write", "iiii->i", self.fd_write)
        define_raw(linker, WASI_MODULE, "poll_oneoff", "iiii->i", self.poll_oneoff)
        define_raw(linker, WASI_MODULE, "random_get", "ii->i", self.random_get)
        linker.allow_shadowing = False

    def fd_write(self, memory: GuestMemory, fd: int, iovs: int, count: int, written: int) -> int:
        self.deadline.check()
        stdio = self.stdio
        if stdio is None or fd not in (1, 2):
            return EBADF
        if count > IOV_MAX:
            return EINVAL
        stream = stdio.stdout if fd == 1 else stdio.stderr
        try:
            memory.check(iovs, 8 * count)
            memory.check(written, 4)
            data = memory.contents()
            vectors = [_IOVEC.unpack_from(data, iovs + 8 * i) for i in range(count)]
            total = 0
            for pointer, length in vectors:
                memory.check(pointer, length)
                total += length
        except MemoryFault:
            return EFAULT
        if not stream.fits(total):
            raise OutputLimitExceeded(stream)
        for pointer, length in vectors:
            if length:
                stream.write(data[pointer : pointer + length])
        _U32.pack_into(data, written, total)
        return SUCCESS

    def poll_oneoff(
        self, memory: GuestMemory, subscriptions: int, events: int, count: int, written: int
    ) -> int:
        self.deadline.check()
        if count == 0 or count > MAX_SUBSCRIPTIONS:
            return EINVAL
        try:
            raw = memory.read(subscriptions, SUBSCRIPTION_SIZE * count)
            memory.check(events, EVENT_SIZE * count)
            memory.check(written, 4)
        except MemoryFault:
            return EFAULT
        ready: list[bytes] = []
        clocks: list[tuple[float, int]] = []
        now = time.monotonic()
        for userdata, tag, target, timeout, _precision, flags in _SUBSCRIPTION.iter_unpack(raw):
            if tag == EVENT_CLOCK:
                wake = self._wake_time(target, timeout, flags, now)
                if wake is None:
                    ready.append(_EVENT.pack(userdata, EINVAL, tag, 0, 0))
                else:
                    clocks.append((wake, userdata))
            elif tag in (EVENT_FD_READ, EVENT_FD_WRITE):
                usable = (target == 0) if tag == EVENT_FD_READ else target in (1, 2)
                ready.append(_EVENT.pack(userdata, SUCCESS if usable else EBADF, tag, 0, 0))
            else:
                return EINVAL
        if not ready and clocks:
            first = min(wake for wake, _ in clocks)
            self.deadline.sleep_until(first)
            now = time.monotonic()
            ready = [
                _EVENT.pack(userdata, SUCCESS, EVENT_CLOCK, 0, 0)
                for wake, userdata in clocks
                if wake <= now
            ]
        memory.write(events, b"".join(ready))
        memory.write(written, len(ready).to_bytes(4, "little"))
        return SUCCESS

    def random_get(self, memory: GuestMemory, buffer: int, length: int) -> int:
        self.deadline.check()
        try:
            memory.check(buffer, length)
        except MemoryFault:
            return EFAULT
        for offset in range(0, length, RANDOM_CHUNK):
            self.deadline.check()
            memory.write(buffer + offset, os.urandom(min(RANDOM_CHUNK, length - offset)))
        return SUCCESS

    def _wake_time(self, clock: int, timeout: int, flags: int, now: float) -> float | None:
        """When a clock subscription fires, in time.monotonic(); None for an unknown clock."""
        seconds = timeout / 1e9
        if not flags & ABSTIME:
            return now + seconds if clock in (CLOCK_REALTIME, CLOCK_MONOTONIC) else None
        if clock == CLOCK_REALTIME:
            return now + (seconds - time.time())
        if clock == CLOCK_MONOTONIC:  # WASI's monotonic clock starts with the context
            attached = self.stdio.attached_at if self.stdio is not None else now
            return attached + seconds
        return None
