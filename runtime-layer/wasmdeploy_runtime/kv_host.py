"""The `wasmdeploy_kv` host imports: the guest's view of its key-value stores.

Pointers and lengths are i32 into the guest's exported `memory`; a range
outside it traps. Negative results are errors the guest handles:
-1 no such key (get), -2 the store is not granted to this function, -3 an
invalid key (1-1024 bytes of UTF-8), -4 a value over 393,216 bytes, -5 the
store is unavailable, -6 `increment` on a value that is not an integer.

Every call is counted and timed for the invocation's metric line, and runs
within the invocation's deadline: a call that would outlive it stops the guest
with `WasmTimeout`.
"""

from __future__ import annotations

import struct
import time
from collections.abc import Callable, Mapping

import wasmtime

from wasmdeploy_runtime.deadline import Deadline
from wasmdeploy_runtime.errors import WASM_FORBIDDEN_IMPORT, WASM_TRAP, FunctionError, InitError
from wasmdeploy_runtime.host_funcs import GuestMemory, MemoryFault, define_raw
from wasmdeploy_runtime.kv_store import (
    KV_MODULE,
    MAX_KEY_BYTES,
    MAX_VALUE_BYTES,
    KvBackend,
    KvGrant,
    NotAnInteger,
    StoreUnavailable,
    backend_spec,
    open_backend,
)

NO_KEY = -1
NOT_GRANTED = -2
INVALID_KEY = -3
VALUE_TOO_LARGE = -4
UNAVAILABLE = -5
NOT_AN_INTEGER = -6
ABSENT = 0xFFFFFFFF  # old_len -1 (as the u32 the raw call hands over): "only if absent"

# (i32 = 'i', i64 = 'I') -> result, as `define_raw` spells them.
SIGNATURES = {
    "get": "iiiiii->I",
    "set": "iiiiii->i",
    "delete": "iiii->i",
    "exists": "iiii->i",
    "increment": "iiiiIi->i",
    "compare_and_swap": "iiiiiiii->i",
    "list_keys": "iiiiiiii->I",
}


class _Refused(Exception):
    """A call the guest made wrongly: answered with the error code, not a trap."""

    def __init__(self, code: int) -> None:
        self.code = code


class KvHost:
    """The stores one function may use, and the count of calls made to them."""

    def __init__(self, grants: Mapping[str, KvGrant], deadline: Deadline | None = None) -> None:
        self.grants = dict(grants)
        self._by_name = {name.encode(): grant for name, grant in grants.items()}
        self._deadline = deadline if deadline is not None else Deadline()
        self._spec: str | None = None
        self._backend: KvBackend | None = None
        self.calls = 0  # store calls since the process started
        self.time = 0.0  # seconds spent in them

    @property
    def backend(self) -> KvBackend:
        if self._backend is None:
            self._spec = self._spec or backend_spec()
            self._backend = open_backend(self._spec)
        return self._backend

    def start_invocation(self) -> None:
        """Follow `WASMDEPLOY_KV` if it changed since the last invocation."""
        spec = backend_spec()
        if spec != self._spec:
            self.close()
            self._spec = spec

    def define(self, linker: wasmtime.Linker) -> None:
        for name, signature in SIGNATURES.items():
            handler = getattr(self, f"_{name}")
            define_raw(linker, KV_MODULE, name, signature, self._guarded(handler))

    def close(self) -> None:
        if self._backend is not None:
            self._backend.close()
            self._backend = None

    def _guarded(self, handler: Callable[..., int]) -> Callable[..., int]:
        deadline = self._deadline

        def call(memory: GuestMemory, *args: int) -> int:
            started = time.monotonic()
            deadline.check()
            try:
                return handler(memory, *args)
            except _Refused as refused:
                return refused.code
            except StoreUnavailable:
                deadline.check()
                return UNAVAILABLE
            except NotAnInteger:
                return NOT_AN_INTEGER
            except MemoryFault as fault:
                raise FunctionError(
                    WASM_TRAP, f"{KV_MODULE}.{handler.__name__[1:]}: {fault}"
                ) from None
            finally:
                self.calls += 1
                self.time += time.monotonic() - started

        return call

    @property
    def deadline(self) -> float | None:
        return self._deadline.at

    def _grant(self, memory: GuestMemory, pointer: int, length: int) -> KvGrant:
        grant = self._by_name.get(memory.read(pointer, length))
        if grant is None:
            raise _Refused(NOT_GRANTED)
        return grant

    def _get(self, m: GuestMemory, sp: int, sl: int, kp: int, kl: int, bp: int, cap: int) -> int:
        grant, key = self._grant(m, sp, sl), _key(m, kp, kl)
        m.check(bp, cap)
        value = self.backend.get(grant, key, self.deadline)
        if value is None:
            return NO_KEY
        m.write(bp, value[:cap])
        return len(value)

    def _set(self, m: GuestMemory, sp: int, sl: int, kp: int, kl: int, vp: int, vl: int) -> int:
        grant, key, value = self._grant(m, sp, sl), _key(m, kp, kl), _value(m, vp, vl)
        self.backend.set(grant, key, value, self.deadline)
        return 0

    def _delete(self, m: GuestMemory, sp: int, sl: int, kp: int, kl: int) -> int:
        grant, key = self._grant(m, sp, sl), _key(m, kp, kl)
        self.backend.delete(grant, key, self.deadline)
        return 0

    def _exists(self, m: GuestMemory, sp: int, sl: int, kp: int, kl: int) -> int:
        grant, key = self._grant(m, sp, sl), _key(m, kp, kl)
        return 1 if self.backend.exists(grant, key, self.deadline) else 0

    def _increment(
        self, m: GuestMemory, sp: int, sl: int, kp: int, kl: int, delta: int, out: int
    ) -> int:
        grant, key = self._grant(m, sp, sl), _key(m, kp, kl)
        m.check(out, 8)
        number = self.backend.increment(grant, key, delta, self.deadline)
        m.write(out, struct.pack("<q", number))
        return 0

    def _compare_and_swap(
        self,
        m: GuestMemory,
        sp: int,
        sl: int,
        kp: int,
        kl: int,
        op: int,
        ol: int,
        np: int,
        nl: int,
    ) -> int:
        grant, key = self._grant(m, sp, sl), _key(m, kp, kl)
        old = None if ol == ABSENT else _value(m, op, ol)
        new = _value(m, np, nl)
        return 1 if self.backend.compare_and_swap(grant, key, old, new, self.deadline) else 0

    def _list_keys(
        self,
        m: GuestMemory,
        sp: int,
        sl: int,
        pp: int,
        pl: int,
        cp: int,
        cl: int,
        bp: int,
        cap: int,
    ) -> int:
        grant = self._grant(m, sp, sl)
        prefix = _text(m.read(pp, pl), allow_empty=True)
        cursor = _text(m.read(cp, cl), allow_empty=True)
        m.check(bp, cap)
        keys, following = self.backend.list_keys(grant, prefix, cursor, self.deadline)
        page = encode_page(keys, following)
        if len(page) <= cap:
            m.write(bp, page)
        return len(page)


def encode_page(keys: list[str], cursor: str) -> bytes:
    """u32le cursor length, the cursor, then u32le length + bytes per key."""
    parts = [_prefixed(cursor.encode())]
    parts.extend(_prefixed(key.encode()) for key in keys)
    return b"".join(parts)


def decode_page(page: bytes) -> tuple[list[str], str]:
    """The inverse of `encode_page` (for hosts and tests reading a guest's buffer)."""
    items, offset = [], 0
    while offset < len(page):
        (length,) = struct.unpack_from("<I", page, offset)
        items.append(page[offset + 4 : offset + 4 + length].decode())
        offset += 4 + length
    return items[1:], items[0]


def _prefixed(data: bytes) -> bytes:
    return struct.pack("<I", len(data)) + data


def _key(memory: GuestMemory, pointer: int, length: int) -> str:
    if not 1 <= length <= MAX_KEY_BYTES:
        memory.check(pointer, length)
        raise _Refused(INVALID_KEY)
    return _text(memory.read(pointer, length), allow_empty=False)


def _text(data: bytes, *, allow_empty: bool) -> str:
    if len(data) > MAX_KEY_BYTES or (not data and not allow_empty):
        raise _Refused(INVALID_KEY)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise _Refused(INVALID_KEY) from None


def _value(memory: GuestMemory, pointer: int, length: int) -> bytes:
    memory.check(pointer, length)
    if length > MAX_VALUE_BYTES:
        raise _Refused(VALUE_TOO_LARGE)
    return memory.read(pointer, length)


def kv_host_for(
    grants: Mapping[str, KvGrant], imports: list[tuple[str, str]], deadline: Deadline
) -> KvHost | None:
    """The host for a module importing `wasmdeploy_kv`, None for one that does not.

    A function's grants are what admit the imports (whatever `allowedImports` says):
    a module importing them without a grant is refused, naming the imports."""
    wanted = [name for module, name in imports if module == KV_MODULE]
    if not wanted:
        return None
    names = ", ".join(f"{KV_MODULE}.{name}" for name in wanted)
    if not grants:
        raise InitError(
            WASM_FORBIDDEN_IMPORT,
            f"the module imports {names}, but the function is granted no key-value store "
            "(give it `kv: [STORE]` in the manifest)",
        )
    unknown = [f"{KV_MODULE}.{name}" for name in wanted if name not in SIGNATURES]
    if unknown:
        raise InitError(
            WASM_FORBIDDEN_IMPORT,
            f"the module imports {', '.join(unknown)}, which the runtime does not provide "
            f"({KV_MODULE} provides {', '.join(SIGNATURES)})",
        )
    return KvHost(grants, deadline)


def without_kv(imports: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [item for item in imports if item[0] != KV_MODULE]
