"""A function's task root: its module, the module's `.cwasm`, and `wasmdeploy.json`.

The same files go into the function's zip (for Lambda) and into a directory
(for local invoke), so both run exactly what was packaged.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from wasmdeploy_runtime.errors import one_line

from wasmdeploy.build.config import CONFIG_FILE, runtime_config_bytes
from wasmdeploy.build.precompile import Precompiler, host_architecture
from wasmdeploy.errors import UserError
from wasmdeploy.manifest.model import Function


@dataclass(frozen=True)
class TaskRootFiles:
    """The task root's files by relative path, and why no `.cwasm` is among them, if not."""

    files: dict[str, bytes]
    precompiled: bool
    note: str | None = None


def cwasm_relpath(module_relpath: str) -> str:
    """The `.cwasm` beside the module, same stem: `lib/mod.wasm` -> `lib/mod.cwasm`."""
    return str(PurePosixPath(module_relpath).with_suffix(".cwasm"))


def read_module(function: Function) -> bytes:
    try:
        return function.module.read_bytes()
    except FileNotFoundError:
        hint = "Run `wasmdeploy build` first." if function.build else None
        raise UserError(
            f"function {function.name!r}: module {function.module_relpath} does not exist",
            hint=hint or "Check the function's handler path.",
        ) from None
    except OSError as error:
        raise UserError(
            f"function {function.name!r}: cannot read {function.module}: {error}"
        ) from None


def task_root_files(
    function: Function, *, precompiler: Precompiler | None = None, precompile: bool = True
) -> TaskRootFiles:
    """Every file of the function's task root, in memory."""
    wasm = read_module(function)
    files = {function.module_relpath: wasm, CONFIG_FILE: runtime_config_bytes(function)}
    if not precompile:
        return TaskRootFiles(files, False, _slow_compile_note(wasm, "precompile turned off"))
    precompiler = precompiler or Precompiler()
    import wasmtime  # the precompiler's engine has imported it already

    try:
        compiled = precompiler.precompile(wasm, function.sandbox, function.architecture)
    except wasmtime.WasmtimeError as error:
        raise UserError(
            f"function {function.name!r}: {function.module_relpath} does not compile: "
            f"{one_line(error)}"
        ) from None
    if compiled is None:
        host = host_architecture() or "this machine"
        note = f"{function.architecture} module built on {host}: compiled at cold start instead"
        return TaskRootFiles(files, False, _slow_compile_note(wasm, note))
    files[cwasm_relpath(function.module_relpath)] = compiled
    return TaskRootFiles(files, True)


def _slow_compile_note(wasm: bytes, note: str) -> str:
    """`note`, and how long the cold start's compile takes when that is too long."""
    from wasmdeploy.build.inspect import ModuleInvalid, compile_time_problem, inspect_bytes

    try:
        problem = compile_time_problem(inspect_bytes(wasm))
    except ModuleInvalid:
        return note
    return f"{note}; {problem}" if problem else note


def stage_task_root(
    function: Function,
    dest: Path,
    *,
    precompile: bool = True,
    precompiler: Precompiler | None = None,
) -> Path:
    """Write the function's task root under `dest` and return `dest`.

    A stale `.cwasm` from an earlier staging is removed when none is made now, so
    the runtime never loads a compiled module that no longer matches the `.wasm`.
    """
    staged = task_root_files(function, precompiler=precompiler, precompile=precompile)
    dest.mkdir(parents=True, exist_ok=True)
    stale = dest / cwasm_relpath(function.module_relpath)
    if not staged.precompiled and stale.exists():
        stale.unlink()
    for relpath, data in staged.files.items():
        path = dest / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.is_file() or path.read_bytes() != data:
            path.write_bytes(data)
    return dest
