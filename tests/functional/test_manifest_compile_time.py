"""validate and package say when a module would take too long to compile at a cold start."""

from __future__ import annotations

from pathlib import Path

import pytest

from wasmdeploy.build.inspect import compile_time_problem, inspect_bytes
from wasmdeploy.build.precompile import host_architecture
from wasmdeploy.build.task_root import task_root_files
from wasmdeploy.manifest.load import load_manifest
from wasmdeploy.manifest.model import Function, Sandbox


def _leb(value: int) -> bytes:
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def _section(section_id: int, body: bytes) -> bytes:
    return bytes([section_id]) + _leb(len(body)) + body


def many_functions(count: int) -> bytes:
    """A WASI-shaped command of `count` empty functions, the first exported as _start."""
    types = _section(1, b"\x01\x60\x00\x00")
    functions = _section(3, _leb(count) + b"\x00" * count)
    exports = _section(7, b"\x01\x06_start\x00\x00")
    code = _section(10, _leb(count) + b"\x02\x00\x0b" * count)
    return b"\0asm\x01\0\0\0" + types + functions + exports + code


def warnings_for(tmp_path: Path, module: bytes) -> list[str]:
    (tmp_path / "handler.wasm").write_bytes(module)
    manifest = tmp_path / "wasmdeploy.yml"
    manifest.write_text(
        "service: big\nprovider: {name: aws}\nfunctions:\n  big:\n    handler: handler.wasm\n"
    )
    result = load_manifest(manifest)
    assert not result.errors, [problem.render() for problem in result.errors]
    return [problem.render() for problem in result.warnings]


def test_a_module_of_300000_functions_is_said_to_compile_past_lambdas_init(
    tmp_path: Path,
) -> None:
    [warning] = [w for w in warnings_for(tmp_path, many_functions(300_000)) if "compil" in w]
    assert "300,000 functions" in warning
    assert "past Lambda's 10s init" in warning
    assert "functions.big.handler" in warning
    assert ".cwasm" in warning and "architecture" in warning


@pytest.mark.parametrize("count", [60_000, 90_000])
def test_a_module_near_the_init_limit_is_warned_about(tmp_path: Path, count: int) -> None:
    info = inspect_bytes(many_functions(count))
    assert info.functions == count
    problem = compile_time_problem(info)
    assert problem is not None and "half of Lambda's 10s init" in problem


def test_an_ordinary_module_gets_no_compile_time_warning(tmp_path: Path) -> None:
    warnings = warnings_for(tmp_path, many_functions(2_000))
    assert not [w for w in warnings if "compil" in w]


def test_package_says_so_when_the_module_is_compiled_at_cold_start(tmp_path: Path) -> None:
    module = tmp_path / "handler.wasm"
    module.write_bytes(many_functions(300_000))
    other = "arm64" if host_architecture() == "x86_64" else "x86_64"  # no .cwasm for it
    function = Function(
        name="big",
        deployed_name="svc-dev-big",
        handler="handler.wasm",
        module=module,
        module_relpath="handler.wasm",
        abi="wasi",
        export=None,
        runtime="provided.al2023",
        architecture=other,
        memory_size=128,
        timeout=6,
        sandbox=Sandbox(),
    )
    files = task_root_files(function)
    assert not files.precompiled
    assert files.note is not None
    assert "compiled at cold start" in files.note and "past Lambda's 10s init" in files.note
