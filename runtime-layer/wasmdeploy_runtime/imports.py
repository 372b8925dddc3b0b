"""What a module may import, and the linker that provides it.

`allowedImports` holds "module.name" patterns with shell-style globs
(`wasi_snapshot_preview1.*`). A module importing anything outside them fails
at init with `WasmForbiddenImport` naming each such import. The runtime
provides WASI preview1 (some of its calls answered by the runtime itself, see
`wasi_host`) and AssemblyScript's `env.abort`; an allowed import the runtime
does not provide is an init error too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from fnmatch import fnmatchcase

import wasmtime

from wasmdeploy_runtime.errors import WASM_FORBIDDEN_IMPORT, InitError
from wasmdeploy_runtime.wasi_host import WASI_MODULE, WasiHost

ABORT = ("env", "abort")
PROVIDED = f"{WASI_MODULE}.*, env.abort"


class ImportPolicy:
    def __init__(self, patterns: Iterable[str]) -> None:
        self.patterns = tuple(patterns)

    def allows(self, module: str, name: str) -> bool:
        qualified = f"{module}.{name}"
        return any(fnmatchcase(qualified, pattern) for pattern in self.patterns)


Imports = list[tuple[str, str]]


def module_imports(module: wasmtime.Module) -> Imports:
    """(module, name) of every import. Each read costs wasmtime-py tens of microseconds:
    read them once per module."""
    return [(item.module, item.name or "") for item in module.imports]


def uses_wasi(imports: Imports) -> bool:
    return any(mod == WASI_MODULE for mod, _ in imports)


def check_imports(imports: Imports, policy: ImportPolicy) -> None:
    """Raise `WasmForbiddenImport` naming every import outside the policy or not provided."""
    forbidden = [f"{mod}.{name}" for mod, name in imports if not policy.allows(mod, name)]
    if forbidden:
        raise InitError(
            WASM_FORBIDDEN_IMPORT,
            f"the module imports {', '.join(forbidden)}, outside sandbox.allowedImports "
            f"({', '.join(policy.patterns) or 'nothing'})",
        )
    unknown = [
        f"{mod}.{name}" for mod, name in imports if mod != WASI_MODULE and (mod, name) != ABORT
    ]
    if unknown:
        raise InitError(
            WASM_FORBIDDEN_IMPORT,
            f"the module imports {', '.join(unknown)}, which the runtime does not provide "
            f"(it provides {PROVIDED})",
        )


AbortHandler = Callable[[wasmtime.Caller, int, int, int, int], None]


def build_linker(
    engine: wasmtime.Engine, imports: Imports, abort: AbortHandler, wasi: WasiHost
) -> wasmtime.Linker:
    """A linker defining only what a module `imports` (already checked against the policy):
    WASI (with the runtime's own calls in place of those that could block) and `env.abort`."""
    linker = wasmtime.Linker(engine)
    if uses_wasi(imports):
        linker.define_wasi()
        wasi.define(linker)
    if ABORT in imports:
        i32 = wasmtime.ValType.i32()
        abort_type = wasmtime.FuncType([i32, i32, i32, i32], [])
        linker.define_func("env", "abort", abort_type, abort, access_caller=True)
    return linker
