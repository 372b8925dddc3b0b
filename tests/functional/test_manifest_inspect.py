"""Module inspection with wasmtime: imports, exports, ABI fit, import globs, caching."""

from __future__ import annotations

from pathlib import Path

import pytest
import wasmtime

from wasmdeploy.build.inspect import (
    ModuleInvalid,
    abi_problems,
    forbidden_imports,
    inspect_bytes,
    inspect_file,
)
from wasmdeploy.build.wasm_binary import UnsupportedEncoding, read_externs

WASI = """
(module
  (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))
  (import "env" "abort" (func (param i32 i32 i32 i32)))
  (import "env" "table" (table 1 funcref))
  (memory (export "memory") 1)
  (func (export "_start")))
"""
EXPORTS = """
(module
  (memory (export "memory") 1)
  (func (export "alloc") (param i32) (result i32) i32.const 0)
  (func (export "handle") (param i32 i32) (result i64) i64.const 0)
  (func (export "wrong") (param i32) (result i32) i32.const 0)
  (global (export "handle_global") i32 (i32.const 0)))
"""


def test_imports_and_exports_are_listed_with_kinds_and_signatures() -> None:
    info = inspect_bytes(wasmtime.wat2wasm(WASI))
    assert [(i.qualified_name, i.kind) for i in info.imports] == [
        ("wasi_snapshot_preview1.fd_write", "func"),
        ("env.abort", "func"),
        ("env.table", "table"),
    ]
    assert info.imports[0].signature == (("i32", "i32", "i32", "i32"), ("i32",))
    assert [(e.name, e.kind) for e in info.exports] == [("memory", "memory"), ("_start", "func")]


def test_import_globs_decide_what_is_forbidden() -> None:
    info = inspect_bytes(wasmtime.wat2wasm(WASI))
    defaults = ["wasi_snapshot_preview1.*", "env.abort"]
    assert [e.qualified_name for e in forbidden_imports(info, defaults)] == ["env.table"]
    assert forbidden_imports(info, ["*"]) == []
    assert len(forbidden_imports(info, [])) == 3
    assert forbidden_imports(info, ["wasi_snapshot_preview1.fd_*", "env.*"]) == []


def test_wasi_abi_needs_start() -> None:
    assert abi_problems(inspect_bytes(wasmtime.wat2wasm(WASI)), None) == []
    [problem] = abi_problems(inspect_bytes(wasmtime.wat2wasm(EXPORTS)), None)
    assert "_start" in problem


def test_exports_abi_checks_handler_alloc_and_memory() -> None:
    info = inspect_bytes(wasmtime.wat2wasm(EXPORTS))
    assert abi_problems(info, "handle") == []
    [wrong] = abi_problems(info, "wrong")
    assert wrong == (
        "its export 'wrong' has the signature (i32) -> i32; expected wrong(i32, i32) -> i64"
    )
    [global_] = abi_problems(info, "handle_global")
    assert "is a global" in global_
    missing = abi_problems(inspect_bytes(wasmtime.wat2wasm(WASI)), "handle")
    assert missing == [
        "it does not export handle(i32, i32) -> i64",
        "it does not export alloc(i32) -> i32",
    ]


def test_non_binary_inputs_say_what_they_are(tmp_path: Path) -> None:
    with pytest.raises(ModuleInvalid, match="WAT"):
        inspect_bytes(b"(module)")
    with pytest.raises(ModuleInvalid, match="does not start with"):
        inspect_bytes(b"\x7fELF....")
    with pytest.raises(ModuleInvalid, match="component"):
        inspect_bytes(b"\0asm\x0d\0\x01\0")
    with pytest.raises(ModuleInvalid, match="wasmtime rejects it"):
        inspect_bytes(b"\0asm\x01\0\0\0\x05\x03\x01")
    module = tmp_path / "m.wasm"
    module.write_bytes(wasmtime.wat2wasm(WASI))
    assert inspect_file(module).size == module.stat().st_size


def test_same_content_is_inspected_once() -> None:
    data = wasmtime.wat2wasm(EXPORTS)
    first = inspect_bytes(data)
    assert inspect_bytes(bytes(data)) is first
    with pytest.raises(ModuleInvalid):
        inspect_bytes(b"\0asm\x01\0\0\0\xff")
    with pytest.raises(ModuleInvalid):
        inspect_bytes(b"\0asm\x01\0\0\0\xff")


AGREEMENT_MODULES = [
    WASI,
    EXPORTS,
    """(module
      (type $unused (func (param f64)))
      (import "a" "f" (func (param i64 f32) (result f64)))
      (import "a" "g" (global (mut i32)))
      (import "a" "m" (memory 1 2))
      (func $own (param i32) (result i32) i32.const 0)
      (table (export "t") 2 externref)
      (global (export "gl") i64 (i64.const 1))
      (export "own" (func $own))
      (export "imported" (func 0)))""",
    '(module (memory i64 1) (export "m64" (memory 0)))',
    '(module (import "x" "y" (memory 1 1 shared)))',
]


@pytest.mark.parametrize("wat", AGREEMENT_MODULES)
def test_section_reader_agrees_with_wasmtime(wat: str) -> None:
    data = wasmtime.wat2wasm(wat)
    module = wasmtime.Module(wasmtime.Engine(), data)
    imports, exports = read_externs(data)

    def described(extern_type: object) -> tuple[str, tuple[tuple[str, ...], tuple[str, ...]]]:
        if isinstance(extern_type, wasmtime.FuncType):
            params = tuple(str(p) for p in extern_type.params)
            return "func", (params, tuple(str(r) for r in extern_type.results))
        kinds = {wasmtime.MemoryType: "memory", wasmtime.TableType: "table"}
        return kinds.get(type(extern_type), "global"), ((), ())

    assert [(i.module, i.name, i.kind, i.signature) for i in imports] == [
        (i.module, i.name, *described(i.type)) for i in module.imports
    ]
    assert [(e.name, e.kind, e.signature) for e in exports] == [
        (e.name, *described(e.type)) for e in module.exports
    ]


def test_simd_signatures_are_read_without_asking_wasmtime_py() -> None:
    # wasmtime-py aborts the interpreter when asked to describe a v128 value type,
    # so this is one case only the section reader can answer.
    data = wasmtime.wat2wasm('(module (func (export "f") (param v128) (result i32) i32.const 0))')
    info = inspect_bytes(data)
    assert info.exports[0].signature == (("v128",), ("i32",))


def test_gc_type_encodings_are_left_to_wasmtime() -> None:
    data = wasmtime.wat2wasm('(module (type $s (struct (field i32))) (func (export "_start")))')
    with pytest.raises(UnsupportedEncoding):
        read_externs(data)
