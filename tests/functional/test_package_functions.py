"""Function packages: task roots, `.cwasm` precompilation, reproducible zips."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
import wasmtime
from local_emulation_support import make_service

from wasmdeploy.build.package import lambda_handler, package_service
from wasmdeploy.build.precompile import Precompiler, host_architecture
from wasmdeploy.build.task_root import stage_task_root
from wasmdeploy.build.wheels import wasmtime_version
from wasmdeploy.errors import UserError
from wasmdeploy.manifest.model import EdgeTrigger, Function, Sandbox

ECHO_WAT = """
(module
  (memory (export "memory") 1)
  (func (export "alloc") (param i32) (result i32) i32.const 1024)
  (func (export "handle") (param i32 i32) (result i64)
    local.get 0 i64.extend_i32_u i64.const 32 i64.shl local.get 1 i64.extend_i32_u i64.or))
"""
HOST = host_architecture() or "x86_64"
OTHER = "arm64" if HOST == "x86_64" else "x86_64"


def plain_wasmtime_precompile(wasm: bytes, *, fuel: bool) -> bytes:
    config = wasmtime.Config()
    config.consume_fuel = fuel
    config.epoch_interruption = True
    return bytes(wasmtime.Module(wasmtime.Engine(config), wasm).serialize())


@pytest.fixture
def precompiler(tmp_path: Path) -> Precompiler:
    return Precompiler(tmp_path / "cwasm-cache", compiler=plain_wasmtime_precompile)


@pytest.fixture(autouse=True)
def _private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WASMDEPLOY_CACHE_DIR", str(tmp_path / "cache"))


def make_function(root: Path, name: str = "echo", **overrides: object) -> Function:
    module = root / "echo.wasm"
    if not module.exists():
        module.write_bytes(wasmtime.wat2wasm(ECHO_WAT))
    values: dict[str, object] = {
        "name": name,
        "deployed_name": f"svc-dev-{name}",
        "handler": "echo.wasm#handle",
        "module": module,
        "module_relpath": "echo.wasm",
        "abi": "exports",
        "export": "handle",
        "runtime": "provided.al2023",
        "architecture": HOST,
        "memory_size": 128,
        "timeout": 6,
        "sandbox": Sandbox(max_time=2.0),
    }
    values.update(overrides)
    return Function(**values)  # type: ignore[arg-type]


def test_task_root_holds_module_config_and_a_loadable_cwasm(
    tmp_path: Path, precompiler: Precompiler
) -> None:
    function = make_function(tmp_path)
    root = stage_task_root(function, tmp_path / "task", precompiler=precompiler)
    assert (root / "echo.wasm").read_bytes() == function.module.read_bytes()
    assert json.loads((root / "wasmdeploy.json").read_text())["handler"] == "echo.wasm#handle"
    config = wasmtime.Config()
    config.epoch_interruption = True
    module = wasmtime.Module.deserialize_file(wasmtime.Engine(config), str(root / "echo.cwasm"))
    assert {export.name for export in module.exports} == {"memory", "alloc", "handle"}


def test_no_cwasm_for_another_architecture_and_a_stale_one_is_removed(
    tmp_path: Path, precompiler: Precompiler
) -> None:
    function = make_function(tmp_path)
    root = stage_task_root(function, tmp_path / "task", precompiler=precompiler)
    assert (root / "echo.cwasm").exists()
    stage_task_root(replace(function, architecture=OTHER), root, precompiler=precompiler)
    assert not (root / "echo.cwasm").exists()


def test_precompiled_modules_are_cached_by_content(
    tmp_path: Path, precompiler: Precompiler
) -> None:
    wasm = bytes(wasmtime.wat2wasm(ECHO_WAT))
    first = precompiler.precompile(wasm, Sandbox(), HOST)
    assert first is not None
    assert len(list(precompiler.cache_dir.glob("*.cwasm"))) == 1
    assert precompiler.precompile(wasm, Sandbox(), HOST) == first
    assert precompiler.precompile(wasm, Sandbox(fuel=10), HOST) is not None
    assert len(list(precompiler.cache_dir.glob("*.cwasm"))) == 2


def test_wasmtime_serialization_is_deterministic_across_processes() -> None:
    script = (
        "import hashlib, sys, wasmtime\n"
        f"wasm = wasmtime.wat2wasm({ECHO_WAT!r})\n"
        "print(hashlib.sha256(wasmtime.Module(wasmtime.Engine(), wasm).serialize()).hexdigest())\n"
    )
    digests = {
        subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, check=True
        ).stdout
        for _ in range(2)
    }
    assert len(digests) == 1


def test_same_inputs_give_byte_identical_function_zips(tmp_path: Path) -> None:
    service = make_service(tmp_path, make_function(tmp_path))
    # separate caches, so the second zip's .cwasm is compiled again, not reused
    first, second = (
        package_service(
            service,
            out_dir=tmp_path / name,
            build_layers=False,
            precompiler=Precompiler(tmp_path / f"cache-{name}", plain_wasmtime_precompile),
        )
        for name in ("one", "two")
    )
    one, two = first.functions["echo"], second.functions["echo"]
    assert one.path.read_bytes() == two.path.read_bytes()
    assert one.sha256 == two.sha256 and one.sha256 is not None
    assert first.precompiled == {"echo": True}
    with zipfile.ZipFile(one.path) as archive:
        assert archive.namelist() == ["echo.cwasm", "echo.wasm", "wasmdeploy.json"]


def test_a_changed_module_or_setting_changes_the_hash(tmp_path: Path) -> None:
    function = make_function(tmp_path)
    before = package_service(make_service(tmp_path, function), build_layers=False)
    slower = replace(function, sandbox=Sandbox(max_time=3.0))
    after_setting = package_service(make_service(tmp_path, slower), build_layers=False)
    function.module.write_bytes(wasmtime.wat2wasm(ECHO_WAT.replace("1024", "2048")))
    after_module = package_service(make_service(tmp_path, function), build_layers=False)
    hashes = {r.functions["echo"].sha256 for r in (before, after_setting, after_module)}
    assert len(hashes) == 3


def test_default_output_is_under_the_manifest_directory_per_stage(tmp_path: Path) -> None:
    result = package_service(make_service(tmp_path, make_function(tmp_path)), build_layers=False)
    assert result.functions["echo"].path == tmp_path / ".wasmdeploy/build/dev/functions/echo.zip"


def test_unbuilt_layers_and_edge_bundles_have_no_hash_but_a_path(tmp_path: Path) -> None:
    service = make_service(
        tmp_path,
        make_function(tmp_path, "api"),
        make_function(tmp_path, "py", runtime="python3.12", architecture="arm64"),
        make_function(
            tmp_path,
            "edge",
            runtime="python3.13",
            architecture="x86_64",
            edge=EdgeTrigger("origin-request"),
        ),
    )
    result = package_service(service, out_dir=tmp_path / "out", build_layers=False)
    assert set(result.layers) == {(HOST, "provided"), ("arm64", "python")}
    assert all(a.sha256 is None for a in result.layers.values())
    assert result.layers[("arm64", "python")].path.name == "wasmdeploy-runtime-python-arm64.zip"
    assert result.functions["edge"].sha256 is None
    assert result.functions["api"].sha256 is not None
    assert result.layer_for == {"api": (HOST, "provided"), "py": ("arm64", "python")}


def test_lambda_handler_is_the_manifest_handler_or_the_managed_entry(tmp_path: Path) -> None:
    assert lambda_handler(make_function(tmp_path)) == "echo.wasm#handle"
    python = make_function(tmp_path, runtime="python3.12")
    assert lambda_handler(python) == "wasmdeploy_runtime.managed.handler"


def test_a_missing_module_is_a_user_error_that_says_to_build(tmp_path: Path) -> None:
    function = make_function(tmp_path, build="make")
    function.module.unlink()
    with pytest.raises(UserError, match="does not exist") as raised:
        package_service(make_service(tmp_path, function), build_layers=False)
    assert raised.value.hint is not None and "wasmdeploy build" in raised.value.hint


def test_the_runtime_engine_loads_the_packaged_cwasm_without_recompiling(tmp_path: Path) -> None:
    from wasmdeploy_runtime import engine

    function = make_function(tmp_path, sandbox=Sandbox(fuel=1000))
    precompiler = Precompiler(tmp_path / "cache")
    root = stage_task_root(function, tmp_path / "task", precompiler=precompiler)
    wasm = (root / "echo.wasm").read_bytes()
    runtime_engine = engine.engine_for(fuel=True, stack_limit=function.sandbox.stack_limit)
    digest = hashlib.sha256(wasm).digest()
    loaded = engine.load_module(runtime_engine, root / "echo.wasm", wasm, digest)
    assert loaded.from_cwasm, loaded.cwasm_problem


def test_edge_zip_carries_runtime_wasmtime_module_and_config(
    tmp_path: Path, precompiler: Precompiler
) -> None:
    wheels = tmp_path / "cache" / "wheels"
    wheels.mkdir(parents=True)
    name = f"wasmtime-{wasmtime_version()}-py3-none-manylinux2014_x86_64.whl"
    with zipfile.ZipFile(wheels / name, "w") as wheel:
        wheel.writestr("wasmtime/__init__.py", "")
        wheel.writestr("wasmtime/linux-x86_64/_libwasmtime.so", b"\x7fELF")
    edge = make_function(
        tmp_path,
        "rewrite",
        runtime="python3.13",
        architecture="x86_64",
        edge=EdgeTrigger("origin-request"),
    )
    result = package_service(make_service(tmp_path, edge), precompiler=precompiler)
    assert result.layers == {} and result.layer_for == {}
    with zipfile.ZipFile(result.functions["rewrite"].path) as archive:
        listing = archive.namelist()
    assert {"echo.wasm", "wasmdeploy.json", "wasmdeploy_runtime/units.py"} <= set(listing)
    assert "wasmtime/linux-x86_64/_libwasmtime.so" in listing
    assert lambda_handler(edge) == "wasmdeploy_runtime.managed.handler"


def test_a_module_that_does_not_compile_is_a_user_error(
    tmp_path: Path, precompiler: Precompiler
) -> None:
    function = make_function(tmp_path)
    function.module.write_bytes(b"\0asm\x01\0\0\0\x01\x05")
    with pytest.raises(UserError, match=r"echo\.wasm does not compile"):
        stage_task_root(function, tmp_path / "task", precompiler=precompiler)
