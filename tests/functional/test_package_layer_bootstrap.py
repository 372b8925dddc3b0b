"""The packaged pieces run together: the custom-runtime layer's `bootstrap`, extracted
as Lambda extracts it to /opt, serves a packaged function's zip through a Runtime API.

The Runtime API is the tests' own (runtime_api_server). The layer's "CPython"
is a launcher for this interpreter (see test_package_layers), and its wasmtime is
the one installed here, so this needs a Linux x86_64 machine.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from package_fakes import STDLIB, write_boto3_wheels, write_python_dist, write_wheels

from tests.functional.runtime_api_server import RuntimeApiServer
from tests.functional.runtime_modules import EXPORTS_UPPER, wasm
from wasmdeploy.build.layer import LayerOptions
from wasmdeploy.build.package import lambda_handler, package_service
from wasmdeploy.build.precompile import host_architecture
from wasmdeploy.manifest.model import Function, Sandbox, Service

pytestmark = pytest.mark.skipif(
    not (sys.platform.startswith("linux") and host_architecture() == "x86_64"),
    reason="runs the layer's interpreter and wasmtime: needs a Linux x86_64 host",
)


def extract(zip_path: Path, destination: Path) -> None:
    """Unzip as Lambda does: permissions and symlinks kept."""
    with zipfile.ZipFile(zip_path) as archive:
        for info in archive.infolist():
            target = destination / info.filename
            target.parent.mkdir(parents=True, exist_ok=True)
            mode = info.external_attr >> 16
            if (mode & 0o170000) == 0o120000:
                target.symlink_to(archive.read(info).decode())
            else:
                target.write_bytes(archive.read(info))
                target.chmod(mode & 0o777)


def test_bootstrap_from_the_layer_serves_the_packaged_function(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WASMDEPLOY_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("WASMDEPLOY_PYTHON_DIST", raising=False)
    write_wheels(tmp_path / "cache", real_x86_64=True)
    write_boto3_wheels(tmp_path / "cache")
    python_dist = write_python_dist(tmp_path / "cpython.tar.gz")
    (tmp_path / "upper.wasm").write_bytes(wasm(EXPORTS_UPPER))
    function = Function(
        name="upper",
        deployed_name="svc-dev-upper",
        handler="upper.wasm#handle",
        module=tmp_path / "upper.wasm",
        module_relpath="upper.wasm",
        abi="exports",
        export="handle",
        runtime="provided.al2023",
        architecture="x86_64",
        memory_size=128,
        timeout=6,
        sandbox=Sandbox(max_time=5.0),
    )
    service = Service("svc", "dev", "us-east-1", tmp_path / "wasmdeploy.yml", (function,))
    options = LayerOptions(python_dist=str(python_dist))
    packaged = package_service(service, out_dir=tmp_path / "out", layer_options=options)
    extract(packaged.layers[("x86_64", "provided")].path, tmp_path / "opt")
    extract(packaged.functions["upper"].path, tmp_path / "task")
    assert (tmp_path / "opt" / "python" / "bin" / "python3").is_symlink()
    assert (tmp_path / "task" / "upper.cwasm").is_file()

    api = RuntimeApiServer()
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "AWS_LAMBDA_RUNTIME_API": api.address,
        "_HANDLER": lambda_handler(function),
        "LAMBDA_TASK_ROOT": str(tmp_path / "task"),
        "AWS_LAMBDA_FUNCTION_NAME": function.deployed_name,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128",
    }
    process = subprocess.Popen(
        [str(tmp_path / "opt" / "bootstrap")],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        answer = api.invoke(json.dumps({"name": "wasm"}).encode())
    finally:
        process.kill()
        output = process.communicate()[0].decode(errors="replace")
        api.close()
    assert answer.response == b'{"NAME": "WASM"}', (answer.error, output)
    assert answer.answers == 1
    assert f"python/lib/{STDLIB}" not in output  # no import-time compile errors from the layer
