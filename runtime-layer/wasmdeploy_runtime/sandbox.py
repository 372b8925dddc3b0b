"""One invocation of a prepared module: a fresh store and instance, limits, the ABI call.

Every invocation gets a new `Store` (so no state survives between requests)
with the memory limit (shared by all of the module's memories and tables, see
`memory_budget`), the fuel, and an epoch deadline of one tick that the
watchdog triggers at `maxTime` or the Lambda deadline, whichever comes first;
host functions see the same deadline (`deadline`). The next invocation's
instance is made ahead of time, except for a module with a start function:
instantiating it runs guest code, which runs within the invocation's deadline
like the call. Spent stores are closed by the next `prewarm` or `run`, and all
of them at exit: a store left for the garbage collector may outlive the
interpreter and abort it.
"""

from __future__ import annotations

import atexit
import time
import weakref

import wasmtime

from wasmdeploy_runtime.abi_calls import (
    Instance,
    OutputTooLarge,
    call_export,
    call_wasi_start,
    new_instance,
)
from wasmdeploy_runtime.config import FunctionConfig
from wasmdeploy_runtime.errors import WASM_OUTPUT_TOO_LARGE, FunctionError
from wasmdeploy_runtime.memory_budget import store_caps
from wasmdeploy_runtime.modules import PreparedModule, prepare_module
from wasmdeploy_runtime.outcomes import FailureContext, classify
from wasmdeploy_runtime.stdio import MAX_LOG_BYTES, GuestStdio, OutputLimitExceeded
from wasmdeploy_runtime.units import format_size
from wasmdeploy_runtime.watchdog import watchdog_for

# Lambda's synchronous response limit (6 MB as AWS counts it).
MAX_RESPONSE_BYTES = 6_291_556
# stdout written to S3 (`output:`) lives in memory until it is uploaded.
MAX_OBJECT_OUTPUT_BYTES = 256 * 1024 * 1024

_live: weakref.WeakSet[Sandbox] = weakref.WeakSet()


@atexit.register
def _close_all() -> None:
    """Stores still open at interpreter exit can abort it: close them first."""
    for sandbox in list(_live):
        sandbox.close()


class Outcome:
    __slots__ = (
        "error",
        "fuel_used",
        "instantiate_time",
        "logs",
        "output",
        "peak_memory",
    )

    def __init__(
        self,
        output: bytes | None,
        error: FunctionError | None,
        logs: bytes,
        instantiate_time: float,
        peak_memory: int,
        fuel_used: int | None,
    ) -> None:
        self.output = output  # stdout (wasi) or handle()'s bytes (exports); None on error
        self.error = error
        self.logs = logs  # the guest's stderr (first MAX_LOG_BYTES)
        self.instantiate_time = instantiate_time  # seconds
        self.peak_memory = peak_memory  # bytes of linear memory at the end
        self.fuel_used = fuel_used


class Sandbox:
    """Runs one function's module, one invocation at a time per engine."""

    def __init__(self, config: FunctionConfig, *, output_limit: int = MAX_RESPONSE_BYTES) -> None:
        self.config = config
        self.output_limit = output_limit
        self.prepared: PreparedModule = prepare_module(config)
        self._watchdog = watchdog_for(self.prepared.engine)
        # Epochs are per engine: invocations sharing an engine must not overlap.
        self._lock = self._watchdog.lock
        self._caps = store_caps(config.sandbox.memory_limit, self.prepared.layout)
        self._stdio = (
            GuestStdio(
                [config.function_name],
                sorted(config.environment.items()),
                stdout_cap=output_limit,
                stdout_is_log=config.export is not None,
            )
            if self.prepared.uses_wasi
            else None
        )
        self._ready: Instance | None = None
        self._spent: list[wasmtime.Store] = []
        _live.add(self)

    def run(self, payload: bytes, *, deadline: float | None = None) -> Outcome:
        """Run the guest on `payload`. `deadline` is Lambda's, in time.monotonic() seconds."""
        max_time = self.config.sandbox.max_time
        started = time.monotonic()
        limit, is_max_time = deadline, False
        if max_time is not None and (deadline is None or started + max_time <= deadline):
            limit, is_max_time = started + max_time, True
        with self._lock:
            return self._run_locked(payload, started, limit, is_max_time)

    def prewarm(self) -> None:
        """Close finished invocations' stores, empty the output files and make the next
        invocation's store and instance now, before the event arrives. A never-used
        instance is as fresh as one made on arrival; the WASI context (which holds stdin)
        is added then. A module with a start function is instantiated on arrival, within
        the invocation's deadline."""
        with self._lock:
            self._release()
            if self._ready is None and not self.prepared.has_start:
                try:
                    self._ready = self._new_instance()
                except Exception:
                    self._ready = None  # the invocation meets the failure and reports it

    def close(self) -> None:
        with self._lock:
            self._release()
            if self._ready is not None:
                self._ready.store.close()
                self._ready = None

    def _release(self) -> None:
        while self._spent:
            self._spent.pop().close()
        if self._stdio is not None:
            self._stdio.prepare()

    def _new_store(self) -> wasmtime.Store:
        sandbox = self.config.sandbox
        store = wasmtime.Store(self.prepared.engine)
        caps = self._caps
        store.set_limits(
            memory_size=caps.memory_size,
            table_elements=caps.table_elements,
            memories=caps.memories,
            tables=caps.tables,
        )
        if sandbox.fuel is not None:
            store.set_fuel(sandbox.fuel)
        store.set_epoch_deadline(1)
        return store

    def _new_instance(self) -> Instance:
        store = self._new_store()
        try:
            return new_instance(store, self.prepared, self.config.export)
        except BaseException:
            store.close()
            raise

    def _run_locked(
        self, payload: bytes, started: float, deadline: float | None, is_max_time: bool
    ) -> Outcome:
        self._release()
        sandbox = self.config.sandbox
        ready, self._ready = self._ready, None
        store = self._new_store() if ready is None else ready.store
        # Closed by the next prewarm() or run(): closing costs tens of microseconds that
        # need not delay the response.
        self._spent.append(store)
        output: bytes | None = None
        failure: BaseException | None = None
        stdio = self._stdio
        if stdio is not None:
            stdio.attach(store, payload if self.config.export is None else b"")
        self.prepared.wasi.stdio = stdio
        # The deadline goes on the store before the watchdog is armed: a tick that came
        # first would set the epoch past a deadline set after it, and be lost.
        store.set_epoch_deadline(1)
        self._watchdog.arm(deadline)
        try:
            if ready is None:
                ready = new_instance(store, self.prepared, self.config.export)
            if self.config.export is None:
                output = call_wasi_start(ready, stdio)
            else:
                output = call_export(ready, payload, self.config.export, self.output_limit)
        except Exception as raised:
            failure = raised
        finally:
            interrupted = self._watchdog.disarm()
            self.prepared.wasi.stdio = None
        sizes = [memory.data_len(store) for memory in ready.memories] if ready else []
        peak = sum(sizes)
        instantiate_time = ready.instantiate_time if ready else 0.0
        fuel_used = sandbox.fuel - store.get_fuel() if sandbox.fuel is not None else None
        logs = stdio.stderr.read(MAX_LOG_BYTES) if stdio is not None else b""
        if self.config.export is not None and stdio is not None:
            logs = stdio.stdout.read(MAX_LOG_BYTES) + logs
        error = self._failure(
            failure, interrupted, output, sizes, logs, started, deadline, is_max_time
        )
        if error is not None:
            output = None
        return Outcome(
            output=output,
            error=error,
            logs=logs,
            instantiate_time=instantiate_time,
            peak_memory=peak,
            fuel_used=fuel_used,
        )

    def _failure(
        self,
        failure: BaseException | None,
        interrupted: str | None,
        output: bytes | None,
        sizes: list[int],
        logs: bytes,
        started: float,
        deadline: float | None,
        is_max_time: bool,
    ) -> FunctionError | None:
        if isinstance(failure, OutputLimitExceeded) and failure.stream.name == "stderr":
            cap = failure.stream.cap
            return FunctionError(
                WASM_OUTPUT_TOO_LARGE,
                f"the module wrote more than {format_size(cap)} ({cap} bytes) to stderr, "
                "the most one invocation may log",
            )
        too_large = isinstance(failure, OutputLimitExceeded | OutputTooLarge)
        if too_large or (output is not None and len(output) > self.output_limit):
            return FunctionError(
                WASM_OUTPUT_TOO_LARGE,
                f"the module's output exceeded {format_size(self.output_limit)} "
                f"({self.output_limit} bytes), the most "
                + ("an S3 output may hold" if self.config.output else "a Lambda response may hold"),
            )
        if failure is None:
            return None
        if isinstance(failure, FunctionError):
            return failure
        sandbox = self.config.sandbox
        context = FailureContext(
            interrupted=interrupted,
            deadline_is_max_time=is_max_time,
            time_limit=None if deadline is None else deadline - started,
            memory_limit=sandbox.memory_limit,
            peak_memory=sum(sizes),
            memory_cap=self._caps.memory_size,
            largest_memory=max(sizes, default=0),
            stack_limit=sandbox.stack_limit,
            fuel=sandbox.fuel,
            logs=logs,
            module_name=self.config.module_path.name,
        )
        return classify(failure, context)
