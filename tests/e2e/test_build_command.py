"""`wasmdeploy build` as a user runs it: commands run once, then only on change."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

HELLO_WAT = """(module (memory (export "memory") 1)
  (func (export "alloc") (param i32) (result i32) i32.const 1024)
  (func (export "handle") (param i32 i32) (result i64)
    local.get 0 i64.extend_i32_u i64.const 32 i64.shl local.get 1 i64.extend_i32_u i64.or))
"""
# A small "compiler": WAT -> WASM with wasmtime, counting its runs in runs.log.
COMPILER = """\
import pathlib, sys, wasmtime
source, target = sys.argv[1], sys.argv[2]
with open("runs.log", "a") as log:
    log.write(target + "\\n")
pathlib.Path(target).parent.mkdir(parents=True, exist_ok=True)
pathlib.Path(target).write_bytes(wasmtime.wat2wasm(pathlib.Path(source).read_text()))
"""


def run(service: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "wasmdeploy", *args],
        cwd=service,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )


def write_service(root: Path, functions: dict[str, str]) -> Path:
    """A service whose functions build `out/<name>.wasm` from `src/<source>.wat`."""
    (root / "src").mkdir(parents=True, exist_ok=True)
    (root / "src" / "hello.wat").write_text(HELLO_WAT)
    (root / "tools").mkdir(exist_ok=True)
    (root / "tools" / "wat2wasm.py").write_text(COMPILER)
    lines = ["service: demo", "provider:", "  name: aws", "functions:"]
    for name, command in functions.items():
        lines += [f"  {name}:", f"    handler: out/{name}.wasm#handle", f"    build: '{command}'"]
    (root / "wasmdeploy.yml").write_text("\n".join(lines) + "\n")
    return root


def compile_command(source: str, target: str) -> str:
    return f'"{sys.executable}" tools/wat2wasm.py {source} {target}'


def runs(root: Path) -> list[str]:
    log = root / "runs.log"
    return log.read_text().splitlines() if log.exists() else []


@pytest.fixture
def service(tmp_path: Path) -> Path:
    return write_service(
        tmp_path / "svc",
        {
            "hello": compile_command("src/hello.wat", "out/hello.wasm"),
            "other": compile_command("src/hello.wat", "out/other.wasm"),
        },
    )


def test_build_runs_each_command_then_skips_unchanged_functions(service: Path) -> None:
    first = run(service, "build")
    assert first.returncode == 0, first.stderr
    assert sorted(runs(service)) == ["out/hello.wasm", "out/other.wasm"]
    assert "built" in first.stdout
    second = run(service, "build")
    assert second.returncode == 0, second.stderr
    assert second.stdout.count("up to date") == 2
    assert len(runs(service)) == 2


def test_a_changed_source_file_rebuilds(service: Path) -> None:
    assert run(service, "build").returncode == 0
    wat = service / "src" / "hello.wat"
    wat.write_text(wat.read_text().replace("1024", "2048"))
    assert run(service, "build").returncode == 0
    assert len(runs(service)) == 4


def test_a_deleted_or_replaced_module_rebuilds(service: Path) -> None:
    assert run(service, "build").returncode == 0
    (service / "out" / "hello.wasm").unlink()
    (service / "out" / "other.wasm").write_bytes(b"\0asm\x01\0\0\0")
    assert run(service, "build").returncode == 0
    assert len(runs(service)) == 4


def test_force_and_function_names_pick_what_runs(service: Path) -> None:
    assert run(service, "build").returncode == 0
    result = run(service, "build", "--force", "hello")
    assert result.returncode == 0, result.stderr
    assert runs(service)[2:] == ["out/hello.wasm"]
    assert "other" not in result.stdout


def test_an_unknown_function_name_is_a_clean_error(service: Path) -> None:
    result = run(service, "build", "nope")
    assert result.returncode == 1
    assert "Error: no function named 'nope'" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_failing_command_shows_the_tail_of_its_output(tmp_path: Path) -> None:
    command = f'"{sys.executable}" -c "import sys; print(\\"compile error: line 3\\"); sys.exit(2)"'
    service = write_service(tmp_path, {"broken": command})
    result = run(service, "build")
    assert result.returncode == 1
    assert "failed (exit 2)" in result.stderr
    assert "compile error: line 3" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_command_that_writes_invalid_wasm_is_refused(tmp_path: Path) -> None:
    write = "import pathlib; pathlib.Path(\\'out\\').mkdir(); pathlib.Path(\\'out/bad.wasm\\')"
    command = f'"{sys.executable}" -c "{write}.write_bytes(b\\"not wasm\\")"'
    service = write_service(tmp_path, {"bad": command})
    (service / "wasmdeploy.yml").write_text(
        "service: demo\nprovider:\n  name: aws\nfunctions:\n  bad:\n"
        "    handler: out/bad.wasm\n"
        f"    build: {sys.executable} tools/wat2wasm.py src/hello.wat out/bad.wasm"
        " && echo garbage > out/bad.wasm\n"
    )
    result = run(service, "build")
    assert result.returncode == 1
    assert "out/bad.wasm is not valid WebAssembly" in result.stderr
