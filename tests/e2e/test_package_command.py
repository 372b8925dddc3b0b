"""`wasmdeploy package` as a user runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import wasmtime

from wasmdeploy.build.wheels import wasmtime_version

ECHO_WAT = """(module (memory (export "memory") 1)
  (func (export "alloc") (param i32) (result i32) i32.const 1024)
  (func (export "handle") (param i32 i32) (result i64)
    local.get 0 i64.extend_i32_u i64.const 32 i64.shl local.get 1 i64.extend_i32_u i64.or))
"""
MANIFEST = """\
service: demo
provider:
  name: aws
  sandbox:
    maxTime: 2s
functions:
  echo:
    handler: echo.wasm#handle
    environment:
      GREETING: hi
"""


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    """A cache with small stand-in wasmtime wheels, so no test downloads."""
    root = tmp_path / "cache"
    (root / "wheels").mkdir(parents=True)
    for machine in ("x86_64", "aarch64"):
        name = f"wasmtime-{wasmtime_version()}-py3-none-manylinux2014_{machine}.whl"
        with zipfile.ZipFile(root / "wheels" / name, "w") as wheel:
            wheel.writestr("wasmtime/__init__.py", "")
            wheel.writestr(f"wasmtime/linux-{machine}/_libwasmtime.so", b"\x7fELF")
    return root


@pytest.fixture
def service(tmp_path: Path) -> Path:
    root = tmp_path / "svc"
    root.mkdir()
    (root / "echo.wasm").write_bytes(wasmtime.wat2wasm(ECHO_WAT))
    (root / "wasmdeploy.yml").write_text(MANIFEST)
    return root


def run(cwd: Path, cache: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
    environment.pop("WASMDEPLOY_PYTHON_DIST", None)
    environment.update(env, WASMDEPLOY_CACHE_DIR=str(cache))
    return subprocess.run(
        [sys.executable, "-m", "wasmdeploy", "package", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=environment,
        check=False,
    )


def test_function_zips_are_listed_and_identical_across_runs(service: Path, cache: Path) -> None:
    first = run(service, cache, "--no-layers", "--json")
    assert first.returncode == 0, first.stderr
    second = run(service, cache, "--no-layers", "--json")
    one = {a["name"]: a for a in json.loads(first.stdout)["artifacts"]}
    two = {a["name"]: a for a in json.loads(second.stdout)["artifacts"]}
    assert one["echo"]["sha256"] == two["echo"]["sha256"] is not None
    zip_path = service / ".wasmdeploy" / "build" / "dev" / "functions" / "echo.zip"
    assert Path(one["echo"]["path"]) == zip_path
    with zipfile.ZipFile(zip_path) as archive:
        config = json.loads(archive.read("wasmdeploy.json"))
    assert config["environment"] == {"GREETING": "hi"}
    assert config["sandbox"]["maxTime"] == "2s"


def test_the_table_shows_each_artifact_and_its_size(service: Path, cache: Path) -> None:
    result = run(service, cache, "--no-layers", "--stage", "prod")
    assert result.returncode == 0, result.stderr
    assert "echo" in result.stdout and "Artifacts" in result.stdout
    assert (service / ".wasmdeploy/build/prod/functions/echo.zip").is_file()


def test_layer_only_builds_a_managed_python_layer_without_a_manifest(
    tmp_path: Path, cache: Path
) -> None:
    result = run(tmp_path, cache, "--layer-only", "--arch", "arm64", "--kind", "python", "--json")
    assert result.returncode == 0, result.stderr
    (artifact,) = json.loads(result.stdout)["artifacts"]
    assert artifact["name"] == "layer python arm64"
    with zipfile.ZipFile(artifact["path"]) as archive:
        assert "python/wasmtime/linux-aarch64/_libwasmtime.so" in archive.namelist()


def test_an_unreachable_python_distribution_is_a_clean_error_naming_the_override(
    tmp_path: Path, cache: Path
) -> None:
    result = run(
        tmp_path,
        cache,
        "--layer-only",
        "--kind",
        "provided",
        WASMDEPLOY_PYTHON_DIST="http://127.0.0.1:9/cpython.tar.gz",
    )
    assert result.returncode == 1
    assert "Error: could not download the Python distribution" in result.stderr
    assert "--python-dist" in result.stderr
    assert "Traceback" not in result.stderr


def test_arch_without_layer_only_is_a_usage_error(service: Path, cache: Path) -> None:
    result = run(service, cache, "--arch", "arm64")
    assert result.returncode != 0
    assert "--layer-only" in result.stderr
