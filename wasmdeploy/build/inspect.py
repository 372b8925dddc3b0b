"""What a WebAssembly module imports and exports, and whether it fits a function ABI.

`validate`, the packager and the runtime agree on these facts: a module is a
core WebAssembly binary that wasmtime accepts; its imports must match the
sandbox's `allowedImports` globs ("wasi_snapshot_preview1.*", "env.abort");
the wasi ABI needs `_start`, the exports ABI needs `memory`, `alloc(i32) -> i32`
and `handle(i32, i32) -> i64`. wasmtime validates the module without compiling
it, the import and export lists are read from its sections, and results are
cached by content hash within a process, so checking 200 functions is cheap.

Compiling is what a cold start pays for a module without a usable `.cwasm`:
`compile_seconds` estimates it from the module's function count and code size
(Cranelift spends about 90 us per function plus about 0.8 us per byte of code
on one core), so `validate` can say when a module will not compile within
Lambda's 10 s init.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from fnmatch import fnmatchcase
from functools import cache
from pathlib import Path

import wasmtime
from wasmdeploy_runtime.wasm_sections import UnsupportedEncoding, read_layout

from wasmdeploy.build.wasm_binary import RawExtern, read_externs

WASM_MAGIC = b"\0asm"
CORE_VERSION = b"\x01\0\0\0"
ALLOC_SIGNATURE = (("i32",), ("i32",))
HANDLE_SIGNATURE = (("i32", "i32"), ("i64",))
START_SIGNATURE: tuple[tuple[str, ...], tuple[str, ...]] = ((), ())
SECONDS_PER_FUNCTION = 90e-6
SECONDS_PER_CODE_BYTE = 0.8e-6
LAMBDA_INIT_SECONDS = 10.0


class ModuleInvalid(Exception):
    """The file is not a core WebAssembly module wasmtime accepts; `reason` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Extern:
    """An import (`module` set) or an export of a module."""

    name: str
    kind: str  # func | memory | table | global | other
    module: str | None = None
    params: tuple[str, ...] = ()
    results: tuple[str, ...] = ()

    @property
    def qualified_name(self) -> str:
        """'wasi_snapshot_preview1.fd_write' for an import, the plain name for an export."""
        return f"{self.module}.{self.name}" if self.module is not None else self.name

    @property
    def signature(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        return self.params, self.results


@dataclass(frozen=True)
class ModuleInfo:
    sha256: str
    size: int
    imports: tuple[Extern, ...]
    exports: tuple[Extern, ...]
    functions: int = 0  # functions the module defines (each one is compiled)
    code_size: int = 0  # bytes of its code section

    @property
    def compile_seconds(self) -> float:
        """About how long compiling the module takes on one core."""
        return self.functions * SECONDS_PER_FUNCTION + self.code_size * SECONDS_PER_CODE_BYTE

    def export(self, name: str) -> Extern | None:
        for extern in self.exports:
            if extern.name == name:
                return extern
        return None


@cache
def _engine() -> wasmtime.Engine:
    config = wasmtime.Config()
    config.cranelift_opt_level = "none"  # only the fallback path compiles: make it quick
    return wasmtime.Engine(config)


def _extern_from_wasmtime(name: str, extern_type: object, module: str | None) -> Extern:
    if isinstance(extern_type, wasmtime.FuncType):
        return Extern(
            name,
            "func",
            module,
            tuple(str(p) for p in extern_type.params),
            tuple(str(r) for r in extern_type.results),
        )
    kinds = {
        wasmtime.MemoryType: "memory",
        wasmtime.TableType: "table",
        wasmtime.GlobalType: "global",
    }
    return Extern(name, kinds.get(type(extern_type), "other"), module)


def _externs_by_compiling(data: bytes) -> tuple[tuple[Extern, ...], tuple[Extern, ...]]:
    # Only for encodings the section reader does not know (GC types); note that
    # wasmtime-py cannot describe v128 types, which the reader handles itself.
    module = wasmtime.Module(_engine(), data)
    imports = tuple(_extern_from_wasmtime(i.name or "", i.type, i.module) for i in module.imports)
    exports = tuple(_extern_from_wasmtime(e.name, e.type, None) for e in module.exports)
    return imports, exports


def _externs_by_reading(data: bytes) -> tuple[tuple[Extern, ...], tuple[Extern, ...]]:
    imports, exports = read_externs(data)

    def convert(raw: RawExtern) -> Extern:
        kind = raw.kind if raw.kind in ("func", "memory", "table", "global") else "other"
        return Extern(raw.name, kind, raw.module, *raw.signature)

    return tuple(convert(i) for i in imports), tuple(convert(e) for e in exports)


def _check_header(data: bytes) -> None:
    if data[:4] != WASM_MAGIC:
        if data.lstrip()[:1] == b"(":
            raise ModuleInvalid(
                "this is WebAssembly text (WAT), not a binary module; convert it with wat2wasm"
            )
        raise ModuleInvalid("not a WebAssembly binary (it does not start with \\0asm)")
    if data[4:8] != CORE_VERSION:
        raise ModuleInvalid(
            "this is a WebAssembly component (or an unknown version), not a core module; "
            "build for wasm32-wasip1 (WASI preview 1)"
        )


def wasmtime_reason(error: wasmtime.WasmtimeError) -> str:
    """Why wasmtime refuses a module: the first line of its message (the rest is context)."""
    text = str(error).strip()
    return text.splitlines()[0] if text else "invalid"


_inspected: dict[str, ModuleInfo | ModuleInvalid] = {}


def _inspect(sha256: str, data: bytes) -> ModuleInfo:
    _check_header(data)
    try:
        wasmtime.Module.validate(_engine(), data)
        try:
            imports, exports = _externs_by_reading(data)
        except UnsupportedEncoding:
            imports, exports = _externs_by_compiling(data)
    except wasmtime.WasmtimeError as error:
        raise ModuleInvalid(f"wasmtime rejects it: {wasmtime_reason(error)}") from None
    try:
        layout = read_layout(data)
        functions, code_size = layout.functions, layout.code_size
    except UnsupportedEncoding:
        functions, code_size = 0, 0
    return ModuleInfo(sha256, len(data), imports, exports, functions, code_size)


def inspect_bytes(data: bytes) -> ModuleInfo:
    """The module's imports and exports; raises ModuleInvalid. Cached by content hash."""
    sha256 = hashlib.sha256(data).hexdigest()
    if sha256 not in _inspected:
        try:
            _inspected[sha256] = _inspect(sha256, data)
        except ModuleInvalid as error:
            _inspected[sha256] = error
    result = _inspected[sha256]
    if isinstance(result, ModuleInvalid):
        raise ModuleInvalid(result.reason)
    return result


def inspect_file(path: Path) -> ModuleInfo:
    """Inspect the module at `path`; raises ModuleInvalid (and OSError if unreadable)."""
    return inspect_bytes(path.read_bytes())


def import_allowed(extern: Extern, patterns: tuple[str, ...] | list[str]) -> bool:
    """Whether 'module.name' matches one of the globs ('*', 'wasi_snapshot_preview1.*')."""
    return any(fnmatchcase(extern.qualified_name, pattern) for pattern in patterns)


def forbidden_imports(info: ModuleInfo, patterns: tuple[str, ...] | list[str]) -> list[Extern]:
    return [extern for extern in info.imports if not import_allowed(extern, patterns)]


def _format_signature(signature: tuple[tuple[str, ...], tuple[str, ...]]) -> str:
    params, results = signature
    text = f"({', '.join(params)})"
    return f"{text} -> {', '.join(results)}" if results else text


def _function_problem(
    info: ModuleInfo, name: str, signature: tuple[tuple[str, ...], tuple[str, ...]]
) -> str | None:
    extern = info.export(name)
    wanted = f"{name}{_format_signature(signature)}"
    if extern is None:
        return f"it does not export {wanted}"
    if extern.kind != "func":
        return f"its export '{name}' is a {extern.kind}, not the function {wanted}"
    if extern.signature != signature:
        found = _format_signature(extern.signature)
        return f"its export '{name}' has the signature {found}; expected {wanted}"
    return None


def abi_problems(info: ModuleInfo, export: str | None) -> list[str]:
    """Why the module does not fit its ABI: wasi (`export` None) or exports (`export` named)."""
    if export is None:
        problem = _function_problem(info, "_start", START_SIGNATURE)
        return [problem] if problem else []
    problems = [
        problem
        for problem in (
            _function_problem(info, export, HANDLE_SIGNATURE),
            _function_problem(info, "alloc", ALLOC_SIGNATURE),
        )
        if problem
    ]
    memory = info.export("memory")
    if memory is None or memory.kind != "memory":
        problems.append("it does not export its linear memory as 'memory'")
    return problems


def compile_time_problem(info: ModuleInfo) -> str | None:
    """Why compiling the module at a cold start would take too long, or None."""
    seconds = info.compile_seconds
    if seconds < LAMBDA_INIT_SECONDS / 2:
        return None
    return (
        f"compiling its {info.functions:,} functions ({info.code_size / 1e6:.1f} MB of code) "
        f"takes about {seconds:.0f}s on one core, "
        + (
            f"past Lambda's {LAMBDA_INIT_SECONDS:.0f}s init"
            if seconds >= LAMBDA_INIT_SECONDS
            else f"half of Lambda's {LAMBDA_INIT_SECONDS:.0f}s init or more"
        )
    )
