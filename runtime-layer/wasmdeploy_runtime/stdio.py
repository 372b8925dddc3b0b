"""The guest's WASI context and its output: argv, environment, stdin, stdout and stderr.

stdin is handed to WASI as bytes. stdout and stderr never reach wasmtime's own
WASI streams (those stay the default sinks): the runtime implements `fd_write`
itself (`wasi_host`), and each write lands in a `GuestOutput`, which checks the
stream's cap before it copies a byte, so a guest writing in a loop is stopped
at its cap with no more than the cap in memory. A stream kept only for the
log (stderr, and stdout under the exports ABI) keeps its first
`MAX_LOG_BYTES` and counts the rest up to its cap.

wasmtime reads a stdin file whole when it is attached, so the context can only
be made once the event is known, on the request's path. To keep that short,
argv and the environment are encoded once and the context is built with
wasmtime's C API directly.
"""

from __future__ import annotations

import ctypes
import time
from collections.abc import Sequence

import wasmtime
from wasmtime import _ffi as ffi

# Guest output kept for the log per invocation.
MAX_LOG_BYTES = 1024 * 1024
# A guest writing more than this to a log stream is stopped.
MAX_STDERR_BYTES = 64 * 1024 * 1024


class OutputLimitExceeded(Exception):
    """A write would take a stream past its cap; nothing of it was kept."""

    def __init__(self, stream: GuestOutput) -> None:
        super().__init__(f"{stream.name} is over {stream.cap} bytes")
        self.stream = stream


class GuestOutput:
    """One output stream of the current invocation: at most `cap` bytes written, the first
    `keep` of them kept."""

    __slots__ = ("buffer", "cap", "keep", "name", "size")

    def __init__(self, name: str, cap: int, keep: int) -> None:
        self.name = name  # "stdout" | "stderr"
        self.cap = cap
        self.keep = min(keep, cap)
        self.buffer = bytearray()
        self.size = 0  # bytes written, kept or not

    def fits(self, length: int) -> bool:
        return self.size + length <= self.cap

    def write(self, data: bytes | memoryview) -> None:
        """Append `data` (the caller checked `fits`)."""
        room = self.keep - len(self.buffer)
        if room > 0:
            self.buffer += data if len(data) <= room else data[:room]
        self.size += len(data)

    def read(self, limit: int | None = None) -> bytes:
        buffer = self.buffer
        if limit is not None and len(buffer) > limit:
            return bytes(buffer[:limit])
        return bytes(buffer)

    def clear(self) -> None:
        if self.size:
            self.buffer = bytearray()
            self.size = 0


class GuestStdio:
    """The WASI context of one invocation at a time: fixed argv and environment, the
    event as stdin, and the two output streams."""

    def __init__(
        self,
        argv: Sequence[str],
        environment: Sequence[tuple[str, str]],
        *,
        stdout_cap: int,
        stdout_is_log: bool = False,
    ) -> None:
        self.stdout = GuestOutput(
            "stdout",
            MAX_STDERR_BYTES if stdout_is_log else stdout_cap,
            MAX_LOG_BYTES if stdout_is_log else stdout_cap,
        )
        self.stderr = GuestOutput("stderr", MAX_STDERR_BYTES, MAX_LOG_BYTES)
        self.attached_at = 0.0  # time.monotonic() when the WASI context was made
        self._argv = _CStrings(list(argv))
        self._env_names = _CStrings([name for name, _ in environment])
        self._env_values = _CStrings([value for _, value in environment])

    def prepare(self) -> None:
        """Empty the output streams before the next invocation (off the request's path)."""
        self.stdout.clear()
        self.stderr.clear()

    def attach(self, store: wasmtime.Store, payload: bytes) -> None:
        """Give `store` a new WASI context with `payload` as stdin."""
        config = ffi.wasi_config_new()
        try:
            ok = ffi.wasi_config_set_argv(config, self._argv.count, self._argv.array)
            if ok and self._env_names.count:
                ok = ffi.wasi_config_set_env(
                    config, self._env_names.count, self._env_names.array, self._env_values.array
                )
            if not ok:
                raise wasmtime.WasmtimeError("cannot configure the guest's WASI context")
            _set_stdin(config, payload)
        except BaseException:
            ffi.wasi_config_delete(config)
            raise
        error = ffi.wasmtime_context_set_wasi(store._context(), config)  # takes the config
        self.attached_at = time.monotonic()
        if error:
            raise wasmtime.WasmtimeError._from_ptr(error)


class _CStrings:
    """NUL-terminated strings as the `char **` wasmtime copies from."""

    def __init__(self, values: list[str]) -> None:
        self.count = len(values)
        self._pointers = (ctypes.c_char_p * max(self.count, 1))(*(v.encode() for v in values))
        self.array = ctypes.cast(self._pointers, ctypes.POINTER(ctypes.POINTER(ctypes.c_char)))


def _set_stdin(config: ctypes._Pointer[ffi.wasi_config_t], payload: bytes) -> None:
    """WASI stdin from bytes (wasmtime's C API has it; wasmtime-py only exposes files)."""
    vec = ffi.wasm_byte_vec_t()
    if payload:
        # wasm_byte_vec_new copies from the bytes object's own buffer: no copy on this side.
        source = ctypes.cast(ctypes.c_char_p(payload), ctypes.POINTER(ffi.wasm_byte_t))
        ffi.wasm_byte_vec_new(ctypes.byref(vec), len(payload), source)
    else:
        ffi.wasm_byte_vec_new_empty(ctypes.byref(vec))
    # The config takes ownership of the vector's contents.
    ffi.wasi_config_set_stdin_bytes(config, ctypes.byref(vec))
