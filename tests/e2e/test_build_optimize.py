"""`build: {command, optimize, strip}`: binaryen's wasm-opt after the build command."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import wasmtime
from test_build_command import COMPILER, run, runs

from wasmdeploy.build.wasm_opt import find_wasm_opt

needs_wasm_opt = pytest.mark.skipif(
    find_wasm_opt() is None and not os.environ.get("CI"),
    reason="binaryen's wasm-opt is not installed (CI installs it)",
)

# Named functions (a name section wasm-opt can strip), dead code it can remove, and a bulk
# memory instruction with no target_features section to announce it (as zig -fstrip leaves).
MODULE_WAT = """(module (memory (export "memory") 1)
  (func $unused_helper (param i32) (result i32)
    local.get 0 i32.const 1 i32.add i32.const 2 i32.mul i32.const 3 i32.sub)
  (func $also_unused (result i32) i32.const 7 call $unused_helper)
  (func $alloc (export "alloc") (param $len i32) (result i32) i32.const 1024)
  (func $clear (export "clear") (param $ptr i32) (param $len i32)
    (memory.fill (local.get $ptr) (i32.const 0) (local.get $len)))
  (func $handle (export "handle") (param $ptr i32) (param $len i32) (result i64)
    (local $shifted i64)
    local.get $ptr i64.extend_i32_u i64.const 32 i64.shl local.set $shifted
    local.get $shifted local.get $len i64.extend_i32_u i64.or))
"""


def write_service(root: Path, optimize: str = "O3", strip: str = "true") -> Path:
    (root / "src").mkdir(parents=True, exist_ok=True)
    (root / "src" / "mod.wat").write_text(MODULE_WAT)
    (root / "tools").mkdir(exist_ok=True)
    (root / "tools" / "wat2wasm.py").write_text(COMPILER)
    command = f'"{sys.executable}" tools/wat2wasm.py src/mod.wat out/mod.wasm'
    (root / "wasmdeploy.yml").write_text(
        "service: demo\nprovider:\n  name: aws\nfunctions:\n  fn:\n"
        "    handler: out/mod.wasm#handle\n"
        f"    build:\n      command: '{command}'\n      optimize: {optimize}\n"
        f"      strip: {strip}\n"
    )
    return root


def handle(module: Path, data: bytes) -> bytes:
    engine = wasmtime.Engine()
    store = wasmtime.Store(engine)
    instance = wasmtime.Instance(store, wasmtime.Module(engine, module.read_bytes()), [])
    memory = instance.exports(store)["memory"]
    pointer = instance.exports(store)["alloc"](store, len(data))
    memory.write(store, data, pointer)
    result = instance.exports(store)["handle"](store, pointer, len(data))
    return bytes(memory.read(store, result >> 32, (result >> 32) + (result & 0xFFFFFFFF)))


@needs_wasm_opt
def test_optimized_module_is_smaller_still_valid_and_behaves_the_same(tmp_path: Path) -> None:
    root = write_service(tmp_path)
    plain = wasmtime.wat2wasm(MODULE_WAT)
    result = run(root, "build")
    assert result.returncode == 0, result.stderr
    module = root / "out" / "mod.wasm"
    optimized = module.read_bytes()
    assert len(optimized) < len(plain)
    wasmtime.Module.validate(wasmtime.Engine(), optimized)
    assert b"unused_helper" not in optimized  # names stripped, dead code gone
    assert handle(module, b"same bytes") == b"same bytes"
    assert f"{len(plain)} B -> {len(optimized)} B (wasm-opt)" in result.stdout
    assert "wasm-opt: " in result.stdout


@needs_wasm_opt
def test_a_new_optimize_level_rebuilds_and_the_same_one_does_not(tmp_path: Path) -> None:
    root = write_service(tmp_path, optimize="O3")
    assert run(root, "build").returncode == 0
    assert run(root, "build").returncode == 0
    assert len(runs(root)) == 1
    write_service(tmp_path, optimize="Oz")
    assert run(root, "build").returncode == 0
    assert len(runs(root)) == 2


def test_without_wasm_opt_build_says_how_to_install_it(tmp_path: Path) -> None:
    root = write_service(tmp_path)
    env = {**os.environ, "PATH": str(tmp_path / "empty"), "NO_COLOR": "1"}
    env.pop("WASM_OPT", None)
    result = subprocess.run(
        [sys.executable, "-m", "wasmdeploy", "build"],
        cwd=root,
        capture_output=True,
        text=True,
        env=env,
    )
    assert result.returncode == 1
    assert "need binaryen's wasm-opt, which is not installed" in result.stderr
    assert (
        "apt-get install binaryen" in result.stderr and "npm install -g binaryen" in result.stderr
    )


def test_a_failing_wasm_opt_leaves_the_module_as_built(tmp_path: Path) -> None:
    root = write_service(tmp_path)
    broken = tmp_path / "broken-wasm-opt"
    broken.write_text("#!/bin/sh\necho 'Fatal: something broke' >&2\nexit 1\n")
    broken.chmod(0o755)
    result = subprocess.run(
        [sys.executable, "-m", "wasmdeploy", "build"],
        cwd=root,
        capture_output=True,
        text=True,
        env={**os.environ, "WASM_OPT": str(broken), "NO_COLOR": "1"},
    )
    assert result.returncode == 1
    assert "wasm-opt -O3 --strip-debug --strip-producers failed (exit 1)" in result.stderr
    assert "Fatal: something broke" in result.stderr
    assert (root / "out" / "mod.wasm").read_bytes() == wasmtime.wat2wasm(MODULE_WAT)
    assert not (root / "out" / "mod.wasm.opt").exists()
