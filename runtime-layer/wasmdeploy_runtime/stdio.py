"""The guest's stdin, stdout and stderr without a file per invocation.

stdin is handed to WASI as bytes. stdout and stderr go to two in-memory files
(memfd) opened once per process: WASI writes to them through their
`/proc/self/fd` paths (truncated at each invocation's open), and the runtime
reads them back with `pread`. This is faster than WASI's custom-callback
streams, which hand every write to another thread, and leaves no callbacks
alive at interpreter exit. Where memfd is missing (macOS), two files in a
private temporary directory play the same part.
"""

from __future__ import annotations

import ctypes
import os
import sys

import wasmtime

try:
    from wasmtime import _ffi as _wasmtime_ffi

    _stdin_bytes = _wasmtime_ffi.wasi_config_set_stdin_bytes
except (ImportError, AttributeError):  # pragma: no cover - other wasmtime-py versions
    _wasmtime_ffi = None  # type: ignore[assignment]


# Outputs up to this size stay in the in-memory file until the next invocation truncates it.
_KEEP_BYTES = 1024 * 1024


class OutputFile:
    """A reusable file the guest writes to by path and the runtime reads by descriptor."""

    def __init__(self, name: str, directory: str | None) -> None:
        if directory is None:
            self.fd = os.memfd_create(f"wasmdeploy-{name}", os.MFD_CLOEXEC)
            self.path = f"/proc/self/fd/{self.fd}"
        else:
            self.path = os.path.join(directory, name)
            self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)

    def size(self) -> int:
        return os.fstat(self.fd).st_size

    def read(self, limit: int | None = None) -> bytes:
        size = self.size()
        if limit is not None:
            size = min(size, limit)
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
        os.ftruncate(self.fd, 0)


class GuestStdio:
    """stdout and stderr files for one invocation at a time."""

    def __init__(self) -> None:
        directory = None if _memfd_paths_work() else _private_directory(self)
        self.stdout = OutputFile("stdout", directory)
        self.stderr = OutputFile("stderr", directory)

    def configure(self, wasi: wasmtime.WasiConfig, payload: bytes) -> None:
        set_stdin(wasi, payload)
        wasi.stdout_file = self.stdout.path
        wasi.stderr_file = self.stderr.path

    def clear(self) -> None:
        """Give back the memory of a large output (WASI truncates the files at each open)."""
        for output in (self.stdout, self.stderr):
            if output.size() > _KEEP_BYTES:
                output.clear()


def set_stdin(wasi: wasmtime.WasiConfig, payload: bytes) -> None:
    """WASI stdin from bytes (wasmtime's C API has it; wasmtime-py only exposes files)."""
    if _wasmtime_ffi is None:  # pragma: no cover - other wasmtime-py versions
        raise RuntimeError("this wasmtime-py cannot give WASI stdin from memory")
    vec = _wasmtime_ffi.wasm_byte_vec_t()
    if payload:
        buffer = (_wasmtime_ffi.wasm_byte_t * len(payload)).from_buffer_copy(payload)
        _wasmtime_ffi.wasm_byte_vec_new(ctypes.byref(vec), len(payload), buffer)
    else:
        _wasmtime_ffi.wasm_byte_vec_new_empty(ctypes.byref(vec))
    # The config takes ownership of the vector's contents.
    _stdin_bytes(wasi.ptr(), ctypes.byref(vec))


def _private_directory(owner: object) -> str:
    import shutil
    import tempfile
    import weakref

    directory = tempfile.mkdtemp(prefix="wasmdeploy-stdio-")
    weakref.finalize(owner, shutil.rmtree, directory, True)
    return directory


def _memfd_paths_work() -> bool:
    return sys.platform.startswith("linux") and hasattr(os, "memfd_create")
