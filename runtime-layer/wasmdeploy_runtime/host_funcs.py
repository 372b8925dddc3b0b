"""Host functions at the cost of a C call: integer arguments and the guest's memory.

wasmtime-py's `Linker.define_func` wraps every argument in a `Val` and the
caller in a `Caller` object, about 8 us per call; a WASI call such as
`fd_write` happens once per line a guest prints. `define_raw` registers a
Python function through wasmtime's unchecked C callback instead: it receives
the guest's exported `memory` (as a `GuestMemory`) and its integer arguments,
and returns one integer, at about a third of the cost. An exception raised by
the function traps the guest and propagates from the call as itself, as
wasmtime-py does.
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable

import wasmtime
import wasmtime._func as wasmtime_func
from wasmtime import _ffi as ffi

_MEMORY_NAME = b"memory"
_MEMORY_KIND = ffi.WASMTIME_EXTERN_MEMORY.value
_U32 = 0xFFFFFFFF


class MemoryFault(Exception):
    """A pointer and length from the guest that leave its memory."""


class GuestMemory:
    """The calling guest's exported memory during one host call (no memory: size 0)."""

    __slots__ = ("base", "size")

    def __init__(self, caller: ctypes._Pointer[ffi.wasmtime_caller_t]) -> None:
        item = ffi.wasmtime_extern_t()
        found = ffi.wasmtime_caller_export_get(
            caller, _MEMORY_NAME, len(_MEMORY_NAME), ctypes.byref(item)
        )
        if found and item.kind == _MEMORY_KIND:
            context = ffi.wasmtime_caller_context(caller)
            memory = ctypes.byref(item.of.memory)
            self.base = ctypes.addressof(ffi.wasmtime_memory_data(context, memory).contents)
            self.size = int(ffi.wasmtime_memory_data_size(context, memory))
        else:
            self.base, self.size = 0, 0

    def check(self, pointer: int, length: int) -> None:
        if pointer + length > self.size:
            raise MemoryFault(f"{length} bytes at {pointer} leave the guest's memory")

    def contents(self) -> memoryview:
        """The whole memory in place (no copy); valid until the guest runs again."""
        self.check(0, 0)
        return memoryview((ctypes.c_char * self.size).from_address(self.base)).cast("B")

    def read(self, pointer: int, length: int) -> bytes:
        self.check(pointer, length)
        return ctypes.string_at(self.base + pointer, length)

    def write(self, pointer: int, data: bytes) -> None:
        self.check(pointer, len(data))
        ctypes.memmove(self.base + pointer, data, len(data))


RawHostFunc = Callable[..., int]
_I32 = wasmtime.ValType.i32()
_I64 = wasmtime.ValType.i64()
_SIGNATURE_TYPES = {"i": _I32, "I": _I64}
_FINALIZE = ctypes.CFUNCTYPE(None, ctypes.c_void_p)(lambda _: None)
# The callbacks live as long as the process: InstancePres made from a linker keep them.
_callbacks: list[object] = []


def define_raw(
    linker: wasmtime.Linker, module: str, name: str, signature: str, func: RawHostFunc
) -> None:
    """Define `module.name` as `func(memory, *args) -> int`. `signature` spells the types:
    'iiii->i' is (i32, i32, i32, i32) -> i32 ('I' for i64; nothing after '->' for none)."""
    params, _, results = signature.partition("->")
    func_type = wasmtime.FuncType(
        [_SIGNATURE_TYPES[c] for c in params], [_SIGNATURE_TYPES[c] for c in results]
    )
    unsigned = tuple(c == "i" for c in params)
    has_result = bool(results)
    result_is_i32 = results == "i"

    def arguments(raw: ctypes.Array[ffi.wasmtime_val_raw_t]) -> list[int]:
        return [raw[i].i32 & _U32 if is_i32 else raw[i].i64 for i, is_i32 in enumerate(unsigned)]

    if params == "iiii":  # fd_write, poll_oneoff and the like, on the path of every line

        def arguments(raw: ctypes.Array[ffi.wasmtime_val_raw_t]) -> list[int]:
            return [raw[0].i32 & _U32, raw[1].i32 & _U32, raw[2].i32 & _U32, raw[3].i32 & _U32]

    def callback(
        _env: object,
        caller: ctypes._Pointer[ffi.wasmtime_caller_t],
        raw: ctypes.Array[ffi.wasmtime_val_raw_t],
        _count: int,
    ) -> int:
        try:
            result = func(GuestMemory(caller), *arguments(raw))
            if has_result:
                if result_is_i32:
                    raw[0].i32 = result
                else:
                    raw[0].i64 = result
            return 0
        except BaseException as error:  # the guest traps; the call re-raises `error`
            wasmtime_func.LAST_EXCEPTION = error  # type: ignore[assignment]
            trap = wasmtime.Trap("host function failed")._consume()
            return ctypes.cast(trap, ctypes.c_void_p).value or 0

    c_callback = ffi.wasmtime_func_unchecked_callback_t(callback)
    _callbacks.append(c_callback)
    encoded_module, encoded_name = module.encode(), name.encode()
    error = ffi.wasmtime_linker_define_func_unchecked(
        linker.ptr(),
        encoded_module,
        len(encoded_module),
        encoded_name,
        len(encoded_name),
        func_type.ptr(),
        c_callback,
        None,
        _FINALIZE,
    )
    if error:
        raise wasmtime.WasmtimeError._from_ptr(error)
