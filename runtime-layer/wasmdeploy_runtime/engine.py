"""The one place that configures wasmtime's `Engine`, and `.cwasm` precompilation.

A precompiled module only loads into an engine of the same wasmtime version
with the same compilation settings (epoch interruption, fuel, guard sizes), so
the build's precompile and the runtime both come through here. Epoch
interruption is always on (it is how `maxTime` is enforced); fuel metering is
on only for functions that set `fuel`, because it slows every loop. The wasm
stack limit is a per-engine setting that does not change compiled code.

The runtime's engines allocate instances from a pool (wasmtime's pooling
allocator): every invocation makes and drops a whole instance, and taking a
pre-reserved slot back costs half as much as mapping and unmapping its memory
each time. The pool only reserves address space; it does not change compiled
code, so `.cwasm` files are the same either way.

wasmtime refuses a wasm stack limit larger than its async stack size (2 MiB
by default) even though the runtime makes no async calls, so the async stack
size is raised with the limit; `stackLimit` itself is capped by the config
(`MAX_STACK_LIMIT`). An engine wasmtime refuses is an init error, never a crash.

A `.cwasm` written by `precompile` ends with a trailer naming the SHA-256 of the
`.wasm` it came from, so a stale `.cwasm` beside a rebuilt `.wasm` is ignored.
"""

from __future__ import annotations

from pathlib import Path

import wasmtime
from wasmtime import _ffi as ffi

from wasmdeploy_runtime.config import MAX_STACK_LIMIT
from wasmdeploy_runtime.errors import (
    WASM_INVALID_CONFIG,
    WASM_INVALID_MODULE,
    WASM_MODULE_NOT_FOUND,
    InitError,
    one_line,
)

_TRAILER_MAGIC = b"wasmdeploy-cwasm-v1:"
_TRAILER_SIZE = len(_TRAILER_MAGIC) + 32
MIN_STACK_LIMIT = 64 * 1024

# Instances, memories and tables one engine can hold at once. A runtime process holds
# two or three instances (the running one, the next one, the one being closed).
POOL_SLOTS = 64
# Per instance: enough for multi-memory modules and large tables.
_POOL_LIMITS = {
    "total_core_instances": POOL_SLOTS,
    "total_memories": POOL_SLOTS,
    "total_tables": POOL_SLOTS,
    "total_gc_heaps": POOL_SLOTS,
    "total_component_instances": 0,
    "total_stacks": 0,  # stacks are pooled only for async calls, which the runtime never makes
    "max_memories_per_module": 8,
    "max_tables_per_module": 8,
    "max_memory_size": 4 * 1024 * 1024 * 1024,  # all of wasm32's; the store limit is lower
    "table_elements": 1_000_000,
}

_engines: dict[tuple[bool, int], wasmtime.Engine] = {}


def _config(*, fuel: bool, stack_limit: int | None) -> wasmtime.Config:
    config = wasmtime.Config()
    config.epoch_interruption = True
    config.consume_fuel = fuel
    if stack_limit is not None:
        stack = max(MIN_STACK_LIMIT, min(stack_limit, MAX_STACK_LIMIT))
        config.max_wasm_stack = stack
        ffi.wasmtime_config_async_stack_size_set(config.ptr(), max(stack, 2 * 1024 * 1024))
    return config


def _use_instance_pool(config: wasmtime.Config) -> None:
    """Switch `config` to the pooling allocator (wasmtime-py has it only in its `_ffi`)."""
    pool = ffi.wasmtime_pooling_allocation_config_new()
    try:
        for name, value in _POOL_LIMITS.items():
            getattr(ffi, f"wasmtime_pooling_allocation_config_{name}_set")(pool, value)
        ffi.wasmtime_pooling_allocation_strategy_set(config.ptr(), pool)
    finally:
        ffi.wasmtime_pooling_allocation_config_delete(pool)


def content_digest(data: bytes) -> bytes:
    """SHA-256 of `data`. CPython's built-in SHA-2 module is used when it can be, because
    importing hashlib loads OpenSSL, which costs milliseconds of every cold start."""
    try:
        from _sha2 import sha256  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        try:
            from _sha256 import sha256  # type: ignore[import-not-found,no-redef,unused-ignore]
        except ImportError:
            from hashlib import sha256
    return bytes(sha256(data).digest())


def engine_for(*, fuel: bool, stack_limit: int) -> wasmtime.Engine:
    """The process's engine for these settings (engines are shared: creating one is costly)."""
    key = (fuel, stack_limit)
    engine = _engines.get(key)
    if engine is None:
        engine = _engines[key] = _new_engine(fuel=fuel, stack_limit=stack_limit)
    return engine


def _new_engine(*, fuel: bool, stack_limit: int) -> wasmtime.Engine:
    pooled = _config(fuel=fuel, stack_limit=stack_limit)
    _use_instance_pool(pooled)
    try:
        return wasmtime.Engine(pooled)
    except wasmtime.WasmtimeError:  # the pool's address space could not be reserved
        pass
    try:
        return wasmtime.Engine(_config(fuel=fuel, stack_limit=stack_limit))
    except wasmtime.WasmtimeError as error:
        raise InitError(
            WASM_INVALID_CONFIG, f"wasmtime refuses these sandbox settings: {one_line(error)}"
        ) from None


def precompile(wasm: bytes, *, fuel: bool) -> bytes:
    """The `.cwasm` bytes for `wasm`, loadable by the runtime's engine on this architecture."""
    engine = wasmtime.Engine(_config(fuel=fuel, stack_limit=None))
    serialized = bytes(wasmtime.Module(engine, wasm).serialize())
    return serialized + _TRAILER_MAGIC + content_digest(wasm)


class LoadedModule:
    __slots__ = ("cwasm_problem", "digest", "from_cwasm", "module")

    def __init__(
        self,
        module: wasmtime.Module,
        digest: str,
        from_cwasm: bool,
        cwasm_problem: str | None = None,
    ) -> None:
        self.module = module
        self.digest = digest  # SHA-256 of the .wasm, hex
        self.from_cwasm = from_cwasm
        self.cwasm_problem = cwasm_problem  # why a .cwasm present was not used


def read_module_bytes(wasm_path: Path) -> bytes:
    try:
        return wasm_path.read_bytes()
    except FileNotFoundError:
        raise InitError(
            WASM_MODULE_NOT_FOUND,
            f"module {wasm_path} does not exist; check the function's handler",
        ) from None
    except OSError as error:
        raise InitError(WASM_MODULE_NOT_FOUND, f"cannot read module {wasm_path}: {error}") from None


def load_module(
    engine: wasmtime.Engine, wasm_path: Path, wasm: bytes, digest: bytes
) -> LoadedModule:
    """Deserialize the `.cwasm` beside `wasm_path` when it is this module's and fits `engine`,
    else compile `wasm`."""
    cwasm_path = wasm_path.with_suffix(".cwasm")
    problem: str | None = None
    if cwasm_path.is_file():
        problem = _cwasm_mismatch(cwasm_path, digest)
        if problem is None:
            try:
                module = wasmtime.Module.deserialize_file(engine, str(cwasm_path))
                return LoadedModule(module, digest.hex(), from_cwasm=True)
            except wasmtime.WasmtimeError as error:
                problem = str(error).splitlines()[0]
    try:
        module = wasmtime.Module(engine, wasm)
    except wasmtime.WasmtimeError as error:
        raise InitError(
            WASM_INVALID_MODULE,
            f"{wasm_path.name} is not a valid WebAssembly module: {one_line(error)}",
        ) from None
    return LoadedModule(module, digest.hex(), from_cwasm=False, cwasm_problem=problem)


def _cwasm_mismatch(cwasm_path: Path, digest: bytes) -> str | None:
    try:
        with cwasm_path.open("rb") as handle:
            size = handle.seek(0, 2)
            if size < _TRAILER_SIZE:
                return "too short to be a precompiled module"
            handle.seek(size - _TRAILER_SIZE)
            trailer = handle.read(_TRAILER_SIZE)
    except OSError as error:
        return f"unreadable: {error}"
    if not trailer.startswith(_TRAILER_MAGIC):
        return "not written by wasmdeploy's precompile"
    if trailer[len(_TRAILER_MAGIC) :] != digest:
        return "precompiled from a different .wasm (stale)"
    return None
