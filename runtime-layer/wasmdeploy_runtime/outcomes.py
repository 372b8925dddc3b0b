"""Turning what went wrong inside the guest into Lambda's errorType and message."""

from __future__ import annotations

import wasmtime

from wasmdeploy_runtime.deadline import HostTimeout
from wasmdeploy_runtime.errors import (
    WASM_EXIT,
    WASM_FUEL_EXHAUSTED,
    WASM_MEMORY_LIMIT,
    WASM_STACK_OVERFLOW,
    WASM_TIMEOUT,
    WASM_TRAP,
    FunctionError,
)
from wasmdeploy_runtime.units import format_size

WASM_PAGE = 65536
_GROWTH_STEP = 1024 * 1024
# What allocators print when memory.grow is refused (Rust, Zig, AssemblyScript).
_OUT_OF_MEMORY_MARKERS = (b"memory allocation of", b"OutOfMemory", b"out of memory")


class GuestAbort(Exception):
    """AssemblyScript's `env.abort(message, file, line, column)` was called."""


class FailureContext:
    """What the runtime knew when the guest failed."""

    __slots__ = (
        "deadline_is_max_time",
        "fuel",
        "interrupted",
        "largest_memory",
        "logs",
        "memory_cap",
        "memory_limit",
        "module_name",
        "peak_memory",
        "stack_limit",
        "time_limit",
    )

    def __init__(
        self,
        interrupted: str | None,
        deadline_is_max_time: bool,
        time_limit: float | None,
        memory_limit: int,
        peak_memory: int,
        stack_limit: int,
        fuel: int | None,
        logs: bytes,
        module_name: str = "module",
        memory_cap: int | None = None,
        largest_memory: int = 0,
    ) -> None:
        self.interrupted = interrupted  # the watchdog's reason: "deadline", or None
        # the deadline came from sandbox.maxTime, not Lambda's
        self.deadline_is_max_time = deadline_is_max_time
        self.time_limit = time_limit  # seconds
        self.memory_limit = memory_limit
        self.peak_memory = peak_memory
        self.stack_limit = stack_limit
        self.fuel = fuel
        self.logs = logs
        self.module_name = module_name
        # each memory's share of the limit when the module has several, and the largest
        self.memory_cap = memory_cap
        self.largest_memory = largest_memory


def classify(error: BaseException, context: FailureContext) -> FunctionError:
    """The FunctionError for an exception raised by instantiating or calling the guest."""
    if isinstance(error, GuestAbort):
        return FunctionError(WASM_TRAP, f"abort: {error}")
    if isinstance(error, HostTimeout):  # the deadline came while a host function waited
        return FunctionError(WASM_TIMEOUT, _timeout_message(context))
    if isinstance(error, wasmtime.ExitTrap):
        return FunctionError(WASM_EXIT, f"the module exited with status {error.code}")
    frames = stack_trace(error, context.module_name)
    if isinstance(error, wasmtime.Trap):
        code = error.trap_code
        if code == wasmtime.TrapCode.INTERRUPT:
            return FunctionError(WASM_TIMEOUT, _timeout_message(context), frames)
        if code == wasmtime.TrapCode.STACK_OVERFLOW:
            message = f"call stack exhausted (stackLimit {format_size(context.stack_limit)})"
            return FunctionError(WASM_STACK_OVERFLOW, message, frames)
        if code == wasmtime.TrapCode.OUT_OF_FUEL:
            return FunctionError(
                WASM_FUEL_EXHAUSTED, f"the module used all of its fuel ({context.fuel})", frames
            )
    message = _first_line(error)
    if _hit_memory_limit(error, context):
        limit = format_size(context.memory_limit)
        in_use = format_size(context.peak_memory - context.peak_memory % WASM_PAGE)
        return FunctionError(
            WASM_MEMORY_LIMIT,
            f"the module ran out of memory under memoryLimit {limit} ({in_use} in use): {message}",
            frames,
        )
    return FunctionError(WASM_TRAP, message, frames)


def _timeout_message(context: FailureContext) -> str:
    if context.deadline_is_max_time and context.time_limit is not None:
        return f"the module ran past sandbox.maxTime ({context.time_limit:g}s) and was stopped"
    if context.time_limit is not None and context.time_limit > 0:
        return (
            f"the module ran past the Lambda deadline ({context.time_limit:.3g}s after it "
            "started) and was stopped"
        )
    return "the module ran past the Lambda deadline and was stopped"


def _hit_memory_limit(error: BaseException, context: FailureContext) -> bool:
    """Whether the failure is the memory limit's doing.

    A refused `memory.grow` returns -1 to the guest, which then traps or exits;
    wasmtime does not tell the host that a grow was refused. The failure is
    counted as the limit's when instantiation needed more than the limit, when
    the guest said it ran out of memory, or when the memory in use was within
    one typical allocator growth step (a quarter of the limit, at least 1 MB)
    of the limit, or one memory was within such a step of its share of the limit
    (several memories share it).
    """
    text = str(error)
    if "exceeds memory limits" in text or "memory minimum size" in text:
        return True
    if any(marker in context.logs for marker in _OUT_OF_MEMORY_MARKERS):
        return True
    step = max(context.memory_limit // 4, _GROWTH_STEP)
    if context.peak_memory > 0 and context.peak_memory + step > context.memory_limit:
        return True
    cap = context.memory_cap
    if cap is None or cap >= context.memory_limit:
        return False
    return context.largest_memory > 0 and context.largest_memory + max(cap // 4, WASM_PAGE) > cap


def stack_trace(error: BaseException, module_name: str = "module") -> list[str]:
    """The wasm frames of a trap, innermost first: 'at handle (mod.wasm[3]:0x4a)'."""
    if not isinstance(error, wasmtime.Trap):
        return []
    lines = []
    for frame in error.frames:
        name = frame.func_name or f"<wasm function {frame.func_index}>"
        where = f"{frame.module_name or module_name}[{frame.func_index}]"
        offset = frame.module_offset
        if 0 <= offset < 0xFFFFFFFF:
            where += f":0x{offset:x}"
        lines.append(f"at {name} ({where})")
    return lines


def _first_line(error: BaseException) -> str:
    """wasmtime's message without its backtrace: the cause when there is one."""
    text = str(error).strip()
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if "Caused by:" in lines:
        cause = lines[lines.index("Caused by:") + 1 :]
        cause = [line.split(": ", 1)[1] if line[:1].isdigit() else line for line in cause]
        if cause:
            return "; ".join(cause)
    return lines[0] if lines else type(error).__name__
