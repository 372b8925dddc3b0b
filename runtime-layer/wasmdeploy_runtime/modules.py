"""Preparing a function's module once per process: load, check, link, pre-instantiate.

Compiled modules and `InstancePre`s are cached by the module's content hash
(and the settings that shape them), so a process serving several functions,
or the same module under several names, compiles each module once.
"""

from __future__ import annotations

from collections.abc import Mapping

import wasmtime

from wasmdeploy_runtime.config import FunctionConfig
from wasmdeploy_runtime.engine import (
    LoadedModule,
    content_digest,
    engine_for,
    load_module,
    read_module_bytes,
)
from wasmdeploy_runtime.errors import (
    WASM_FORBIDDEN_IMPORT,
    WASM_MISSING_EXPORT,
    InitError,
    one_line,
)
from wasmdeploy_runtime.guest_log import printable
from wasmdeploy_runtime.imports import (
    ImportPolicy,
    build_linker,
    check_imports,
    module_imports,
    uses_wasi,
)
from wasmdeploy_runtime.kv_host import KvHost, kv_host_for, without_kv
from wasmdeploy_runtime.kv_store import KvGrant
from wasmdeploy_runtime.outcomes import GuestAbort
from wasmdeploy_runtime.wasi_host import WasiHost
from wasmdeploy_runtime.wasm_sections import ModuleLayout, UnsupportedEncoding, read_layout
from wasmdeploy_runtime.watchdog import watchdog_for

I32 = wasmtime.ValType.i32()
I64 = wasmtime.ValType.i64()


class PreparedModule:
    __slots__ = (
        "engine",
        "initializer",
        "instance_pre",
        "kv",
        "layout",
        "loaded",
        "memory_exports",
        "uses_wasi",
        "wasi",
    )

    def __init__(
        self,
        engine: wasmtime.Engine,
        loaded: LoadedModule,
        instance_pre: wasmtime.InstancePre,
        uses_wasi: bool,
        initializer: str | None,
        wasi: WasiHost,
        layout: ModuleLayout | None,
        kv: KvHost | None = None,
        memory_exports: tuple[str, ...] = ("memory",),
    ) -> None:
        self.engine = engine
        self.loaded = loaded
        self.instance_pre = instance_pre
        self.uses_wasi = uses_wasi
        # "_initialize" for a WASI reactor used through the exports ABI
        self.initializer = initializer
        self.kv = kv  # the key-value host imports, for a module that uses them
        self.wasi = wasi  # the WASI calls the runtime answers, bound to each invocation
        self.layout = layout  # memories, tables, start function; None if unreadable
        self.memory_exports = memory_exports  # names of the exported memories

    @property
    def has_start(self) -> bool:
        """Whether instantiating runs guest code (a start function); unknown counts as yes."""
        return self.layout is None or self.layout.has_start


_loaded: dict[tuple[str, bool, int], LoadedModule] = {}
_prepared: dict[
    tuple[str, bool, int, tuple[str, ...], str | None, tuple[KvGrant, ...]], PreparedModule
] = {}


def prepare_module(config: FunctionConfig) -> PreparedModule:
    """The function's module ready to instantiate; raises InitError naming what is wrong."""
    wasm = read_module_bytes(config.module_path)
    digest = content_digest(wasm)
    sandbox = config.sandbox
    fuel = sandbox.fuel is not None
    grants = tuple(sorted(config.kv.values()))
    key = (digest.hex(), fuel, sandbox.stack_limit, sandbox.allowed_imports, config.export, grants)
    prepared = _prepared.get(key)
    if prepared is not None:
        return prepared
    engine = engine_for(fuel=fuel, stack_limit=sandbox.stack_limit)
    try:
        layout: ModuleLayout | None = read_layout(wasm)
    except UnsupportedEncoding:
        layout = None
    loaded_key = (digest.hex(), fuel, sandbox.stack_limit)
    loaded = _loaded.get(loaded_key)
    if loaded is None:
        loaded = _loaded[loaded_key] = load_module(engine, config.module_path, wasm, digest)
    module = loaded.module
    imports = module_imports(module)
    kv = kv_host_for(config.kv, imports, watchdog_for(engine).deadline)  # grants admit it
    check_imports(without_kv(imports), ImportPolicy(sandbox.allowed_imports))
    exports = {item.name: item.type for item in module.exports}
    initializer = _check_exports(config, exports)
    wasi = WasiHost(watchdog_for(engine).deadline)
    linker = build_linker(engine, imports, abort_from_guest, wasi)
    if kv is not None:
        kv.define(linker)
    try:
        instance_pre = linker.instantiate_pre(module)
    except wasmtime.WasmtimeError as error:
        raise InitError(
            WASM_FORBIDDEN_IMPORT, f"cannot link the module's imports: {one_line(error)}"
        ) from None
    prepared = _prepared[key] = PreparedModule(
        engine=engine,
        loaded=loaded,
        instance_pre=instance_pre,
        uses_wasi=uses_wasi(imports),
        initializer=initializer,
        kv=kv,
        wasi=wasi,
        layout=layout,
        memory_exports=tuple(
            name for name, kind in exports.items() if isinstance(kind, wasmtime.MemoryType)
        ),
    )
    return prepared


def _check_exports(config: FunctionConfig, exports: Mapping[str, object]) -> str | None:
    name = config.module_path.name
    if config.export is None:
        start = exports.get("_start")
        if not isinstance(start, wasmtime.FuncType) or start.params or start.results:
            raise InitError(
                WASM_MISSING_EXPORT,
                f"{name} has no `_start() -> ()` export: a wasi handler must be a WASI command "
                "(or name an export: 'module.wasm#handle')",
            )
        return None
    expected = {
        "memory": "a memory",
        "alloc": "a function alloc(i32) -> i32",
        config.export: f"a function {config.export}(i32, i32) -> i64",
    }
    shapes = {
        "alloc": ([str(I32)], [str(I32)]),
        config.export: ([str(I32)] * 2, [str(I64)]),
    }
    for export, description in expected.items():
        kind = exports.get(export)
        if export == "memory":
            ok = isinstance(kind, wasmtime.MemoryType)
        else:
            ok = isinstance(kind, wasmtime.FuncType) and _signature(kind) == shapes[export]
        if not ok:
            raise InitError(
                WASM_MISSING_EXPORT,
                f"{name} must export `{export}` as {description} for handler {config.handler!r}",
            )
    initializer = exports.get("_initialize")
    return "_initialize" if isinstance(initializer, wasmtime.FuncType) else None


def _signature(func_type: wasmtime.FuncType) -> tuple[list[str], list[str]]:
    return ([str(t) for t in func_type.params], [str(t) for t in func_type.results])


def abort_from_guest(
    caller: wasmtime.Caller, message: int, file: int, line: int, column: int
) -> None:
    """AssemblyScript's abort: its strings are UTF-16LE with the byte length at ptr - 4."""
    memory = caller.get("memory")
    text = _as_string(caller, memory, message) if isinstance(memory, wasmtime.Memory) else ""
    where = _as_string(caller, memory, file) if isinstance(memory, wasmtime.Memory) else ""
    raise GuestAbort(printable(f"{text or 'abort called'} at {where or '?'}:{line}:{column}"))


def _as_string(caller: wasmtime.Caller, memory: wasmtime.Memory, pointer: int) -> str:
    if pointer < 4:
        return ""
    size = memory.data_len(caller)
    if pointer > size:
        return ""
    length = int.from_bytes(memory.read(caller, pointer - 4, pointer), "little")
    end = min(pointer + length, size, pointer + 4096)
    return bytes(memory.read(caller, pointer, end)).decode("utf-16-le", errors="replace")
