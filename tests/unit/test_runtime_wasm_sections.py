"""A module's memories, tables, start function and size, read from its binary."""

from __future__ import annotations

import pytest
import wasmtime
from wasmdeploy_runtime.wasm_sections import (
    WASM_PAGE,
    Limits,
    ModuleLayout,
    UnsupportedEncoding,
    read_layout,
)


def layout_of(wat: str) -> ModuleLayout:
    return read_layout(bytes(wasmtime.wat2wasm(wat)))


def test_imported_and_defined_memories_and_tables_are_all_counted() -> None:
    layout = layout_of(
        """(module
          (import "env" "mem" (memory 2 10))
          (import "env" "tab" (table 3 funcref))
          (import "env" "g" (global (mut i32)))
          (import "env" "f" (func))
          (memory 1) (memory i64 4 8)
          (table 7 9 externref)
          (func $a) (func $b))"""
    )
    assert layout.memories == (
        Limits(2 * WASM_PAGE, 10 * WASM_PAGE),
        Limits(WASM_PAGE, None),
        Limits(4 * WASM_PAGE, 8 * WASM_PAGE),
    )
    assert layout.tables == (Limits(3, None), Limits(7, 9))
    assert layout.functions == 2
    assert not layout.has_start


def test_a_start_function_is_seen() -> None:
    assert layout_of("(module (func $s) (start $s))").has_start


def test_shared_memories_and_typed_reference_globals_are_read() -> None:
    layout = layout_of(
        """(module
          (import "env" "g" (global (ref null func)))
          (memory 1 2 shared))"""
    )
    assert layout.memories == (Limits(WASM_PAGE, 2 * WASM_PAGE),)


def test_an_unknown_encoding_is_refused_rather_than_misread() -> None:
    module = bytearray(wasmtime.wat2wasm("(module (memory 1))"))
    module[-2] = 0x40  # limits flags no proposal defines
    with pytest.raises(UnsupportedEncoding):
        read_layout(bytes(module))
