"""Read a core module's imports and exports straight from its binary sections.

wasmtime stays the judge of validity (`Module.validate`, which does not
compile); this reader only lists what the module imports and exports, without
compiling it, so inspecting a multi-megabyte module costs microseconds rather
than seconds. It understands the MVP encoding plus the common extensions
(multi-memory, memory64, shared memories, tags); anything else raises
`UnsupportedEncoding` and the caller asks wasmtime instead.
"""

from __future__ import annotations

from dataclasses import dataclass

from wasmdeploy_runtime.wasm_sections import SectionReader, UnsupportedEncoding, sections

VALTYPES = {
    0x7F: "i32",
    0x7E: "i64",
    0x7D: "f32",
    0x7C: "f64",
    0x7B: "v128",
    0x70: "funcref",
    0x6F: "externref",
}
KINDS = {0: "func", 1: "table", 2: "memory", 3: "global", 4: "tag"}
TYPE_SECTION, IMPORT_SECTION, FUNCTION_SECTION, EXPORT_SECTION = 1, 2, 3, 7
Signature = tuple[tuple[str, ...], tuple[str, ...]]


@dataclass(frozen=True)
class RawExtern:
    name: str
    kind: str
    module: str | None = None
    signature: Signature = ((), ())


class _Reader(SectionReader):
    def name(self) -> str:
        length = self.uleb()
        if self.pos + length > self.end:
            raise UnsupportedEncoding("name runs past the section")
        raw = self.data[self.pos : self.pos + length]
        self.pos += length
        return raw.decode("utf-8", errors="replace")

    def valtype(self) -> str:
        code = self.byte()
        if code not in VALTYPES:
            raise UnsupportedEncoding(f"value type 0x{code:02x}")
        return VALTYPES[code]

    def skip_limits(self) -> None:
        # Custom page sizes (flags 0x08 and up) are left to wasmtime.
        if self.data[self.pos : self.pos + 1] > b"\x07":
            raise UnsupportedEncoding(f"limits flags 0x{self.data[self.pos]:02x}")
        self.limits(1)


def _types(reader: _Reader) -> list[Signature]:
    types: list[Signature] = []
    for _ in range(reader.uleb()):
        if reader.byte() != 0x60:
            raise UnsupportedEncoding("non-function type (GC proposal)")
        params = tuple(reader.valtype() for _ in range(reader.uleb()))
        results = tuple(reader.valtype() for _ in range(reader.uleb()))
        types.append((params, results))
    return types


def _imports(reader: _Reader, types: list[Signature]) -> tuple[list[RawExtern], list[int]]:
    imports: list[RawExtern] = []
    func_types: list[int] = []
    for _ in range(reader.uleb()):
        module, name, kind = reader.name(), reader.name(), reader.byte()
        signature: Signature = ((), ())
        if kind == 0:
            index = reader.uleb()
            func_types.append(index)
            signature = types[index] if index < len(types) else ((), ())
        elif kind == 1:
            reader.valtype()
            reader.skip_limits()
        elif kind == 2:
            reader.skip_limits()
        elif kind == 3:
            reader.valtype()
            reader.byte()
        elif kind == 4:
            reader.byte()
            reader.uleb()
        else:
            raise UnsupportedEncoding(f"import kind {kind}")
        imports.append(RawExtern(name, KINDS[kind], module, signature))
    return imports, func_types


def read_externs(data: bytes) -> tuple[list[RawExtern], list[RawExtern]]:
    """(imports, exports) of a core module that wasmtime has already validated."""
    types: list[Signature] = []
    imports: list[RawExtern] = []
    func_types: list[int] = []
    exports: list[RawExtern] = []
    for section_id, raw_section in sections(data):
        section = _Reader(data, raw_section.pos, raw_section.end)
        if section_id == TYPE_SECTION:
            types = _types(section)
        elif section_id == IMPORT_SECTION:
            imports, func_types = _imports(section, types)
        elif section_id == FUNCTION_SECTION:
            func_types = func_types + [section.uleb() for _ in range(section.uleb())]
        elif section_id == EXPORT_SECTION:
            for _ in range(section.uleb()):
                name, kind, index = section.name(), section.byte(), section.uleb()
                if kind not in KINDS:
                    raise UnsupportedEncoding(f"export kind {kind}")
                signature: Signature = ((), ())
                if kind == 0 and index < len(func_types) and func_types[index] < len(types):
                    signature = types[func_types[index]]
                exports.append(RawExtern(name, KINDS[kind], None, signature))
    return imports, exports
