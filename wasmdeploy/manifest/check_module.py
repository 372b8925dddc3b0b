"""Checks on a function's handler: the module exists, is valid WASM, fits its ABI and sandbox."""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath
from typing import Any

from wasmdeploy.build.inspect import (
    ModuleInvalid,
    abi_problems,
    compile_time_problem,
    forbidden_imports,
    inspect_file,
)
from wasmdeploy.manifest import model, settings
from wasmdeploy.manifest.check_kv import kv_import_patterns, report_kv_imports
from wasmdeploy.manifest.problems import NodePath, Problems


def _relative_module_problem(module: str) -> str | None:
    pure = PurePosixPath(module)
    if pure.is_absolute() or Path(module).is_absolute():
        return "the handler must be a path relative to the manifest, not an absolute path"
    if ".." in pure.parts:
        return "the handler must stay inside the manifest's directory (no '..')"
    return None


def _link_out_of_root(root: Path, module: str) -> str | None:
    """Why `root / module` leaves `root` through a symbolic link (of the file or a directory
    on its way), or None when it stays inside."""
    real_root = root.resolve()
    if (root / module).resolve().is_relative_to(real_root):
        return None
    probe = root
    for part in PurePosixPath(module).parts:
        probe = probe / part
        if probe.is_symlink():
            target = (probe.parent / os.readlink(probe)).resolve()
            if not target.is_relative_to(real_root):
                link = probe.relative_to(root).as_posix()
                return (
                    f"{link} is a symbolic link to {target}, outside the manifest's directory: "
                    "the handler must stay inside it"
                )
    return "the handler resolves to a file outside the manifest's directory"


def _allowed_imports(data: Any, function: dict[str, Any]) -> list[str]:
    allowed = settings.sandbox_settings(data, function).get("allowedImports")
    if isinstance(allowed, list) and all(isinstance(p, str) for p in allowed):
        return allowed
    return list(model.DEFAULT_ALLOWED_IMPORTS)


def check_handler(
    data: Any, name: str, function: dict[str, Any], root: Path, problems: Problems, inspect: bool
) -> None:
    handler = function.get("handler")
    path: NodePath = ("functions", name, "handler")
    if not isinstance(handler, str) or not handler.strip():
        return  # the schema reports a missing or non-string handler
    module, export = settings.split_handler(handler)
    reason = _relative_module_problem(module)
    if reason:
        problems.error(path, reason, hint="Write it like `handler: build/handler.wasm`.")
        return
    reason = _link_out_of_root(root, module)
    if reason:
        problems.error(
            path,
            reason,
            hint="Copy the module into the service's directory: only what is inside it is "
            "built, packaged and deployed.",
        )
        return
    if not inspect:
        return
    file = root / module
    if not file.is_file():
        if isinstance(function.get("build"), str | dict):
            problems.warning(
                path,
                f"module {module} does not exist yet",
                hint="Run `wasmdeploy build` to produce it with the function's build command.",
            )
        else:
            problems.error(
                path,
                f"module {module} not found (looked for {file})",
                hint="Build the module first, or fix the path (relative to the manifest; "
                ".wasm is optional).",
            )
        return
    try:
        info = inspect_file(file)
    except ModuleInvalid as error:
        problems.error(
            path,
            f"{module} is not a valid WebAssembly module: {error.reason}",
            hint="Rebuild it for wasm32-wasip1 (WASI preview 1) or a plain wasm32 target.",
        )
        return
    except OSError as error:
        problems.error(path, f"cannot read {module}: {error.strerror}")
        return
    allowed = _allowed_imports(data, function) + kv_import_patterns(function)
    found = forbidden_imports(info, allowed)
    for extern in report_kv_imports(function, module, found, path, problems):
        problems.error(
            path,
            f"{module} imports {extern.qualified_name} ({extern.kind}), "
            f"which allowedImports ({', '.join(allowed) or 'nothing'}) does not allow",
            hint=f"Add '{extern.qualified_name}' (or '{extern.module}.*') to "
            "sandbox.allowedImports, or rebuild the module without it.",
        )
    abi = f"exports ABI (#{export})" if export else "wasi ABI"
    hint = (
        "Export memory, alloc(len: i32) -> i32 and the handler (ptr: i32, len: i32) -> i64."
        if export
        else "Build it as a WASI command (it needs _start), or name an export: handler: "
        f"{module.removesuffix('.wasm')}#handle."
    )
    for problem in abi_problems(info, export):
        problems.error(path, f"{module} does not fit the {abi}: {problem}", hint=hint)
    slow = compile_time_problem(info)
    if slow:
        problems.warning(
            path,
            f"{module}: {slow}",
            hint="Build it with fewer functions (inline more, or drop unused code with "
            "wasm-opt or the linker's --gc-sections), or deploy from a Linux machine of the "
            "function's architecture so `wasmdeploy package` precompiles it (a .cwasm loads "
            "only on that architecture).",
        )
