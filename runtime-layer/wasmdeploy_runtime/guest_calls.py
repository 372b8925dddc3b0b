"""Instantiating a guest, looking up its exports and calling them, at the cost the
runtime can afford.

The runtime calls a handful of exports whose signatures it checked when the
module was prepared (`_start() -> ()`, `alloc(i32) -> i32`,
`handle(i32, i32) -> i64`). wasmtime-py's public `Func.__call__` re-reads and
compares the function's type on every call, and `Instance.exports()` wraps
every export of each new instance; together they cost more than the guest's
work for small requests, and `InstancePre.instantiate` enters a generator-based context
manager per call. These helpers go straight to wasmtime's C API through
wasmtime-py's `_ffi` (the version is pinned), with the same error semantics:
a trap raises `wasmtime.Trap`, `proc_exit` raises `wasmtime.ExitTrap`, and an
exception raised by a host function propagates as itself.
"""

from __future__ import annotations

import ctypes

import wasmtime
from wasmtime import _ffi as ffi
from wasmtime._extern import wrap_extern
from wasmtime._func import maybe_raise_last_exn

_I32 = ffi.WASMTIME_I32.value
_I64 = ffi.WASMTIME_I64.value
_FUNC = ffi.WASMTIME_EXTERN_FUNC.value
_MEMORY = ffi.WASMTIME_EXTERN_MEMORY.value


def instantiate(store: wasmtime.Store, instance_pre: wasmtime.InstancePre) -> wasmtime.Instance:
    """A new instance of the pre-linked module in `store` (its start function runs now)."""
    instance = ffi.wasmtime_instance_t()
    trap = ctypes.POINTER(ffi.wasm_trap_t)()
    error = ffi.wasmtime_instance_pre_instantiate(
        instance_pre.ptr(), store._context(), ctypes.byref(instance), ctypes.byref(trap)
    )
    _raise_failure(trap, error)
    return wasmtime.Instance._from_raw(instance)


def get_export(store: wasmtime.Store, instance: wasmtime.Instance, name: str) -> object | None:
    """The export `name` of `instance`, or None."""
    item = ffi.wasmtime_extern_t()
    encoded = name.encode()
    found = ffi.wasmtime_instance_export_get(
        store._context(),
        ctypes.byref(instance._instance),
        encoded,
        len(encoded),
        ctypes.byref(item),
    )
    if not found:
        return None
    # The two kinds the runtime asks for, wrapped without wrap_extern's per-call imports.
    if item.kind == _FUNC:
        return wasmtime.Func._from_raw(item.of.func)
    if item.kind == _MEMORY:
        return wasmtime.Memory._from_raw(item.of.memory)
    return wrap_extern(item)


def get_func(store: wasmtime.Store, instance: wasmtime.Instance, name: str) -> wasmtime.Func:
    func = get_export(store, instance, name)
    if not isinstance(func, wasmtime.Func):
        raise LookupError(f"the module has no function export {name!r}")
    return func


def get_memory(
    store: wasmtime.Store, instance: wasmtime.Instance, name: str = "memory"
) -> wasmtime.Memory | None:
    memory = get_export(store, instance, name)
    return memory if isinstance(memory, wasmtime.Memory) else None


def call(
    store: wasmtime.Store,
    func: wasmtime.Func,
    args: tuple[int, ...] = (),
    *,
    i32_args: int = 0,
    results: int = 0,
) -> int:
    """Call `func`, whose signature the caller checked: integer arguments (the first
    `i32_args` are i32, the rest i64) and at most one integer result (0 when none)."""
    params = (ffi.wasmtime_val_t * max(len(args), 1))()
    for index, value in enumerate(args):
        param = params[index]
        if index < i32_args:
            param.kind = _I32  # type: ignore[assignment]
            param.of.i32 = value
        else:
            param.kind = _I64  # type: ignore[assignment]
            param.of.i64 = value
    returned = (ffi.wasmtime_val_t * 1)()
    trap = ctypes.POINTER(ffi.wasm_trap_t)()
    error = ffi.wasmtime_func_call(
        store._context(),
        ctypes.byref(func._func),
        params,
        len(args),
        returned,
        results,
        ctypes.byref(trap),
    )
    _raise_failure(trap, error)
    if not results:
        return 0
    result = returned[0]
    return int(result.of.i32 if result.kind == _I32 else result.of.i64)


def _raise_failure(
    trap: ctypes._Pointer[ffi.wasm_trap_t], error: ctypes._Pointer[ffi.wasmtime_error_t]
) -> None:
    """Raise what a failed call or instantiation left, as wasmtime-py would."""
    if trap:
        trap_object = wasmtime.Trap._from_ptr(trap)
        maybe_raise_last_exn()
        raise trap_object
    if error:
        maybe_raise_last_exn()
        raise wasmtime.WasmtimeError._from_ptr(error)


def write_memory(store: wasmtime.Store, memory: wasmtime.Memory, offset: int, data: bytes) -> None:
    """Copy `data` into linear memory at `offset` (the caller checked the bounds)."""
    base = ctypes.addressof(memory.data_ptr(store).contents)
    ctypes.memmove(base + offset, data, len(data))


def read_memory(store: wasmtime.Store, memory: wasmtime.Memory, offset: int, size: int) -> bytes:
    """`size` bytes of linear memory at `offset` (the caller checked the bounds)."""
    base = ctypes.addressof(memory.data_ptr(store).contents)
    return ctypes.string_at(base + offset, size)
