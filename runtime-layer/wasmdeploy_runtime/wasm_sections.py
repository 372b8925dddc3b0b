"""What the sandbox needs to know about a module before instantiating it, read from its binary.

wasmtime-py describes only a module's imports and exports, so the memories and
tables a module defines for itself, whether it has a start function, and how
many functions it compiles are read here from the binary's sections, without
compiling anything. The reader knows the encodings of multi-memory, memory64,
shared memories, custom page sizes and typed references; anything else raises
`UnsupportedEncoding` and the caller assumes the worst. `SectionReader` and
`sections` are the byte-level reading the build's import and export lister
shares.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

IMPORT, FUNCTION, TABLE, MEMORY, START, CODE = 2, 3, 4, 5, 8, 10
WASM_PAGE = 65536
_REF_NULLABLE, _REF = 0x63, 0x64


class UnsupportedEncoding(ValueError):
    """The binary uses an encoding this reader does not know."""


class Limits(NamedTuple):
    """A memory's (bytes) or a table's (elements) initial size and declared maximum."""

    minimum: int
    maximum: int | None


class ModuleLayout(NamedTuple):
    memories: tuple[Limits, ...]  # imported and defined, in bytes
    tables: tuple[Limits, ...]  # imported and defined, in elements
    has_start: bool  # a start function runs when the module is instantiated
    functions: int  # functions defined (and compiled) by the module
    code_size: int  # bytes of the code section


class SectionReader:
    """Reads a section's bytes from `start` up to `end`; reading past `end` raises."""

    def __init__(self, data: bytes, start: int, end: int) -> None:
        self.data, self.pos, self.end = data, start, end

    def byte(self) -> int:
        if self.pos >= self.end:
            raise UnsupportedEncoding("unexpected end of a section")
        value = self.data[self.pos]
        self.pos += 1
        return value

    def uleb(self) -> int:
        result = shift = 0
        while True:
            byte = self.byte()
            result |= (byte & 0x7F) << shift
            if not byte & 0x80:
                return result
            shift += 7
            if shift > 63:
                raise UnsupportedEncoding("LEB128 number too long")

    def skip_name(self) -> None:
        length = self.uleb()
        self.pos += length

    def skip_reftype(self) -> None:
        code = self.byte()
        if code in (_REF_NULLABLE, _REF):
            self.uleb()  # the heap type (an s33; its bytes end the same way)

    def limits(self, unit: int) -> Limits:
        flags = self.byte()
        if flags & ~0x0F:
            raise UnsupportedEncoding(f"limits flags 0x{flags:02x}")
        minimum = self.uleb()
        maximum = self.uleb() if flags & 0x01 else None
        if flags & 0x08:  # custom page sizes: log2 of the page size follows
            unit = 1 << self.uleb()
        return Limits(minimum * unit, None if maximum is None else maximum * unit)


def sections(wasm: bytes) -> Iterator[tuple[int, SectionReader]]:
    """Each section of a core module after its header: its id and a reader over its bytes."""
    reader = SectionReader(wasm, 8, len(wasm))
    while reader.pos < reader.end:
        section_id = reader.byte()
        size = reader.uleb()
        yield section_id, SectionReader(wasm, reader.pos, reader.pos + size)
        reader.pos += size


def read_layout(wasm: bytes) -> ModuleLayout:
    """The layout of a module wasmtime accepted; raises UnsupportedEncoding."""
    memories: list[Limits] = []
    tables: list[Limits] = []
    has_start = False
    functions = code_size = 0
    for section_id, section in sections(wasm):
        if section_id == IMPORT:
            _imports(section, memories, tables)
        elif section_id == FUNCTION:
            functions = section.uleb()
        elif section_id == TABLE:
            for _ in range(section.uleb()):
                if section.data[section.pos : section.pos + 2] == b"\x40\x00":
                    raise UnsupportedEncoding("a table with an initializer expression")
                section.skip_reftype()
                tables.append(section.limits(1))
        elif section_id == MEMORY:
            memories.extend(section.limits(WASM_PAGE) for _ in range(section.uleb()))
        elif section_id == START:
            has_start = True
        elif section_id == CODE:
            code_size = section.end - section.pos
    return ModuleLayout(tuple(memories), tuple(tables), has_start, functions, code_size)


def _imports(section: SectionReader, memories: list[Limits], tables: list[Limits]) -> None:
    for _ in range(section.uleb()):
        section.skip_name()
        section.skip_name()
        kind = section.byte()
        if kind == 0:
            section.uleb()
        elif kind == 1:
            section.skip_reftype()
            tables.append(section.limits(1))
        elif kind == 2:
            memories.append(section.limits(WASM_PAGE))
        elif kind == 3:
            section.skip_reftype()  # a value type: one byte, or a reference type
            section.byte()
        elif kind == 4:
            section.byte()
            section.uleb()
        else:
            raise UnsupportedEncoding(f"import kind {kind}")
