"""The two ABIs' calls on a fresh instance: WASI's `_start`, and the exports ABI's
`alloc` + handler (+ its initializer), with the pointers the guest returns checked
against its memory before anything is read or written.

`new_instance` makes the instance from the module's `InstancePre` and looks up,
once, every export the call will need.
"""

from __future__ import annotations

import time

import wasmtime

from wasmdeploy_runtime.errors import WASM_TRAP, FunctionError
from wasmdeploy_runtime.guest_calls import (
    call,
    get_func,
    get_memory,
    instantiate,
    read_memory,
    write_memory,
)
from wasmdeploy_runtime.modules import PreparedModule
from wasmdeploy_runtime.stdio import GuestStdio

_U32 = 0xFFFFFFFF


class Instance:
    """A fresh instance and the exports the ABI calls on it."""

    __slots__ = (
        "alloc",
        "entry",
        "initializer",
        "instantiate_time",
        "memories",
        "memory",
        "store",
    )

    def __init__(
        self,
        store: wasmtime.Store,
        instantiate_time: float,
        *,
        memory: wasmtime.Memory | None,
        memories: list[wasmtime.Memory],
        entry: wasmtime.Func,
        alloc: wasmtime.Func | None,
        initializer: wasmtime.Func | None,
    ) -> None:
        self.store = store
        self.instantiate_time = instantiate_time  # seconds
        self.memory = memory  # the export "memory", which the exports ABI uses
        self.memories = memories  # every exported memory, for the memory in use
        self.entry = entry  # _start (wasi) or the handler's export (exports)
        self.alloc = alloc
        self.initializer = initializer


class OutputTooLarge(Exception):
    """The exports ABI handler returned more bytes than the response may hold."""


def new_instance(store: wasmtime.Store, prepared: PreparedModule, export: str | None) -> Instance:
    """A new instance in `store`, with the exports the ABI calls already looked up."""
    started = time.monotonic()
    instance = instantiate(store, prepared.instance_pre)
    elapsed = time.monotonic() - started
    initializer = prepared.initializer
    memories = [get_memory(store, instance, name) for name in prepared.memory_exports]
    return Instance(
        store,
        elapsed,
        memory=get_memory(store, instance),
        memories=[memory for memory in memories if memory is not None],
        entry=get_func(store, instance, export or "_start"),
        alloc=get_func(store, instance, "alloc") if export else None,
        initializer=get_func(store, instance, initializer) if initializer else None,
    )


def call_wasi_start(ready: Instance, stdio: GuestStdio | None) -> bytes:
    """Run `_start`; its stdout. Exit code 0 is success, any other a trap."""
    try:
        call(ready.store, ready.entry)
    except wasmtime.ExitTrap as exit_trap:
        if exit_trap.code != 0:
            raise
    if stdio is None:
        return b""  # a module without WASI has no stdout
    return stdio.stdout.read()


def call_export(ready: Instance, payload: bytes, export: str, output_limit: int) -> bytes:
    """`alloc(len)`, the payload copied there, `export(ptr, len)`; the bytes its packed
    (pointer << 32 | length) result names."""
    store, memory = ready.store, ready.memory
    assert memory is not None and ready.alloc is not None  # checked when prepared
    if ready.initializer is not None:
        call(store, ready.initializer)
    pointer = call(store, ready.alloc, (len(payload),), i32_args=1, results=1) & _U32
    if payload:
        if pointer + len(payload) > memory.data_len(store):
            raise FunctionError(
                WASM_TRAP,
                f"alloc({len(payload)}) returned {pointer}, outside the module's memory",
            )
        write_memory(store, memory, pointer, payload)
    packed = call(store, ready.entry, (pointer, len(payload)), i32_args=2, results=1)
    out_pointer, out_length = (packed >> 32) & _U32, packed & _U32
    if out_length > output_limit:
        raise OutputTooLarge()
    if out_pointer + out_length > memory.data_len(store):
        raise FunctionError(
            WASM_TRAP,
            f"{export} returned {out_length} bytes at {out_pointer}, outside the module's memory",
        )
    return read_memory(store, memory, out_pointer, out_length)
