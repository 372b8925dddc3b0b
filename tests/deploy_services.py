"""A deployable one-function service for the deploy tests: packaged with no download.

The function uses the managed Python runtime, whose layer needs only the wasmtime
wheel; small stand-in wheels in the cache keep packaging offline and quick.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import wasmtime

from wasmdeploy.build.wheels import wasmtime_version

ECHO_WAT = """(module (memory (export "memory") 1)
  (func (export "alloc") (param i32) (result i32) i32.const 1024)
  (func (export "handle") (param i32 i32) (result i64) i64.const 0))"""


def echo_manifest(service: str, region: str = "eu-west-1", events: str = "") -> str:
    return (
        f"service: {service}\nprovider:\n  name: aws\n  region: {region}\n"
        "  runtime: python3.12\nfunctions:\n  echo:\n    handler: echo.wasm#handle\n" + events
    )


def write_echo_service(directory: Path, manifest: str) -> Path:
    directory.mkdir(parents=True)
    (directory / "wasmdeploy.yml").write_text(manifest)
    (directory / "echo.wasm").write_bytes(wasmtime.wat2wasm(ECHO_WAT))
    return directory


def stand_in_wheels(cache: Path) -> Path:
    """WASMDEPLOY_CACHE_DIR holding small wasmtime wheels for both architectures."""
    (cache / "wheels").mkdir(parents=True)
    for machine in ("x86_64", "aarch64"):
        name = f"wasmtime-{wasmtime_version()}-py3-none-manylinux2014_{machine}.whl"
        with zipfile.ZipFile(cache / "wheels" / name, "w") as wheel:
            wheel.writestr("wasmtime/__init__.py", "")
            wheel.writestr(f"wasmtime/linux-{machine}/_libwasmtime.so", b"\x7fELF")
    return cache
