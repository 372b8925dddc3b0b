"""The guest's WASI context: argv, environment, stdin, stdout and stderr.

stdin is handed to WASI as bytes. stdout and stderr go to two in-memory files
(memfd) opened once per process: WASI writes to them through their
`/proc/self/fd` paths, and the runtime reads them back with `pread`. This is
faster than WASI's custom-callback streams, which hand every write to another
thread, and leaves no callbacks alive at interpreter exit. Where memfd is
missing (macOS), two files in a private temporary directory play the same part.

wasmtime reads a stdin file whole when it is attached, so the context can only
be made once the event is known, on the request's path. To keep that short,
argv, the environment and the output paths are encoded once, the context is
built with wasmtime's C API directly, and the output files are emptied ahead
of time by `prepare` (WASI truncates them again when it opens them, which is
cheap when they are already empty).
"""

from __future__ import annotations

import ctypes
import os
import sys
from collections.abc import Sequence

import wasmtime
from wasmtime import _ffi as ffi


class OutputFile:
    """A reusable file the guest writes to by path and the runtime reads by descriptor."""

    def __init__(self, name: str, directory: str | None) -> None:
        if directory is None:
            self.fd = os.memfd_create(f"wasmdeploy-{name}", os.MFD_CLOEXEC)
            self.path = f"/proc/self/fd/{self.fd}"
        else:
            self.path = os.path.join(directory, name)
            self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        self.c_path = ctypes.c_char_p(self.path.encode())
        self.length: int | None = 0  # as last measured; None once a guest may have written

    def size(self) -> int:
        return os.fstat(self.fd).st_size

    def read(self, limit: int | None = None, *, size: int | None = None) -> bytes:
        """The file's bytes (at most `limit`); `size` when the caller just measured it."""
        if size is None:
            size = self.size()
        self.length = size
        if limit is not None:
            size = min(size, limit)
        if not size:
            return b""
        chunks = []
        offset = 0
        while offset < size:
            chunk = os.pread(self.fd, size - offset, offset)
            if not chunk:
                break
            chunks.append(chunk)
            offset += len(chunk)
        return chunks[0] if len(chunks) == 1 else b"".join(chunks)

    def clear(self) -> None:
        if self.length is None:
            self.length = self.size()
        if self.length:
            os.ftruncate(self.fd, 0)
            self.length = 0


class GuestStdio:
    """The WASI context of one invocation at a time: fixed argv and environment, the
    event as stdin, and the two reusable output files."""

    def __init__(self, argv: Sequence[str], environment: Sequence[tuple[str, str]]) -> None:
        directory = None if _memfd_paths_work() else _private_directory(self)
        self.stdout = OutputFile("stdout", directory)
        self.stderr = OutputFile("stderr", directory)
        self._argv = _CStrings(list(argv))
        self._env_names = _CStrings([name for name, _ in environment])
        self._env_values = _CStrings([value for _, value in environment])

    def prepare(self) -> None:
        """Empty the output files before the next invocation (off the request's path); no
        system call when both are known to be empty."""
        self.stdout.clear()
        self.stderr.clear()

    def attach(self, store: wasmtime.Store, payload: bytes) -> None:
        """Give `store` a new WASI context with `payload` as stdin."""
        self.stdout.length = self.stderr.length = None
        config = ffi.wasi_config_new()
        try:
            ok = ffi.wasi_config_set_argv(config, self._argv.count, self._argv.array)
            if ok and self._env_names.count:
                ok = ffi.wasi_config_set_env(
                    config, self._env_names.count, self._env_names.array, self._env_values.array
                )
            ok = ok and ffi.wasi_config_set_stdout_file(config, self.stdout.c_path)
            ok = ok and ffi.wasi_config_set_stderr_file(config, self.stderr.c_path)
            if not ok:
                raise wasmtime.WasmtimeError("cannot configure the guest's WASI context")
            _set_stdin(config, payload)
        except BaseException:
            ffi.wasi_config_delete(config)
            raise
        error = ffi.wasmtime_context_set_wasi(store._context(), config)  # takes the config
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


def _private_directory(owner: object) -> str:
    import shutil
    import tempfile
    import weakref

    directory = tempfile.mkdtemp(prefix="wasmdeploy-stdio-")
    weakref.finalize(owner, shutil.rmtree, directory, True)
    return directory


def _memfd_paths_work() -> bool:
    return sys.platform.startswith("linux") and hasattr(os, "memfd_create")
