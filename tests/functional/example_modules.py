"""Running an example's module straight on wasmtime-py, with no wasmdeploy code between:
the tests of what each example computes."""

from __future__ import annotations

import functools
from pathlib import Path

import wasmtime

ENGINE = wasmtime.Engine()


@functools.cache
def compiled(module_path: Path) -> wasmtime.Module:
    return wasmtime.Module.from_file(ENGINE, str(module_path))


def run_wasi(
    module_path: Path,
    stdin: bytes,
    tmp_path: Path,
    *,
    argv0: str,
    env: dict[str, str] | None = None,
) -> tuple[int, bytes, bytes]:
    """Runs a WASI command on `stdin`; returns (exit code, stdout, stderr)."""
    linker = wasmtime.Linker(ENGINE)
    linker.define_wasi()
    store = wasmtime.Store(ENGINE)
    paths = {name: tmp_path / name for name in ("stdin", "stdout", "stderr")}
    paths["stdin"].write_bytes(stdin)
    config = wasmtime.WasiConfig()
    config.argv = [argv0]
    if env:
        config.env = list(env.items())
    config.stdin_file = str(paths["stdin"])
    config.stdout_file = str(paths["stdout"])
    config.stderr_file = str(paths["stderr"])
    store.set_wasi(config)
    start = linker.instantiate(store, compiled(module_path)).exports(store)["_start"]
    assert isinstance(start, wasmtime.Func)
    code = 0
    try:
        start(store)
    except wasmtime.ExitTrap as exit_trap:
        code = exit_trap.code
    return code, paths["stdout"].read_bytes(), paths["stderr"].read_bytes()


def run_exports(module_path: Path, payload: bytes) -> bytes:
    """Calls alloc + handle of an exports-ABI module; returns the output bytes."""
    store = wasmtime.Store(ENGINE)
    exports = wasmtime.Instance(store, compiled(module_path), []).exports(store)
    memory, alloc, handle = exports["memory"], exports["alloc"], exports["handle"]
    assert isinstance(memory, wasmtime.Memory)
    assert isinstance(alloc, wasmtime.Func) and isinstance(handle, wasmtime.Func)
    pointer = alloc(store, len(payload))
    memory.write(store, payload, pointer)
    packed = handle(store, pointer, len(payload)) & 0xFFFF_FFFF_FFFF_FFFF
    start, length = packed >> 32, packed & 0xFFFF_FFFF
    return bytes(memory.read(store, start, start + length))
