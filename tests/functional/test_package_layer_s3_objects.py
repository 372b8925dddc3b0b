"""The custom-runtime layer's own boto3 serves `input: object` / `output:`: its
`bootstrap`, extracted as Lambda extracts it, runs against a local S3 (moto server).

The layer's "CPython" launches this interpreter without site-packages, so boto3 can
only come from the layer; its wheels are zipped from the boto3 installed here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from package_fakes import (
    TAG,
    write_boto3_wheels,
    write_python_dist,
    write_wheels,
    zip_installed_boto3,
)
from test_bootstrap_s3_objects import s3_event
from test_package_layer_bootstrap import extract

from tests.functional.runtime_api_server import RuntimeApiServer
from tests.functional.runtime_modules import EXPORTS_UPPER, write_task_root
from wasmdeploy.build.layer import LayerOptions, build_layer
from wasmdeploy.build.precompile import host_architecture

pytestmark = pytest.mark.skipif(
    not (sys.platform.startswith("linux") and host_architecture() == "x86_64"),
    reason="runs the layer's interpreter and wasmtime: needs a Linux x86_64 host",
)


@pytest.fixture(scope="module")
def installed_boto3_wheels(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return zip_installed_boto3(tmp_path_factory.mktemp("boto3-wheels"))


@pytest.fixture
def opt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, installed_boto3_wheels: Path) -> Path:
    """The custom-runtime layer extracted to a directory standing for /opt."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("WASMDEPLOY_CACHE_DIR", str(cache))
    monkeypatch.delenv("WASMDEPLOY_PYTHON_DIST", raising=False)
    write_wheels(cache, real_x86_64=True)
    write_boto3_wheels(cache, source=installed_boto3_wheels)
    python_dist = write_python_dist(tmp_path / "cpython.tar.gz", no_site_packages=True)
    options = LayerOptions(python_dist=str(python_dist))
    built = build_layer("x86_64", "provided", tmp_path / "layer.zip", options)
    extract(built.artifact.path, tmp_path / "opt")
    return tmp_path / "opt"


def layer_environment(opt: Path, **extra: str) -> dict[str, str]:
    aws = {k: v for k, v in os.environ.items() if k.startswith("AWS_") and "LAMBDA" not in k}
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **aws, **extra}


def test_the_layer_imports_its_own_boto3_from_pycs(opt: Path) -> None:
    script = "import boto3, botocore, dateutil, jmespath, s3transfer, urllib3, six;"
    script += "print(boto3.__file__)"
    result = subprocess.run(
        [str(opt / "python" / "bin" / "python3"), "-v", "-c", script],
        env=layer_environment(opt, PYTHONPATH=str(opt), PYTHONDONTWRITEBYTECODE="1"),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == str(opt / "boto3" / "__init__.py")
    code_from = [
        line for line in result.stderr.splitlines() if line.startswith("# code object from")
    ]
    assert any(f"{opt}/botocore/__pycache__/client.{TAG}.pyc" in c for c in code_from)
    assert [c for c in code_from if str(opt) in c and c.endswith(".py'")] == []


def test_bootstrap_from_the_layer_reads_and_writes_objects_with_the_layer_boto3(
    opt: Path, tmp_path: Path, s3: Any, s3_endpoint: str
) -> None:
    config = {
        "handler": "upper.wasm#handle",
        "input": "object",
        "output": {"bucket": "processed", "key": "done/{stem}.{ext}"},
    }
    task = write_task_root(tmp_path / "task", EXPORTS_UPPER, module="upper.wasm", config=config)
    s3.put_object(Bucket="uploads", Key="in/photo.txt", Body=b"photo bytes")
    api = RuntimeApiServer()
    env = layer_environment(
        opt,
        AWS_LAMBDA_RUNTIME_API=api.address,
        LAMBDA_TASK_ROOT=str(task),
        AWS_LAMBDA_FUNCTION_NAME="svc-dev-upper",
        AWS_ENDPOINT_URL_S3=s3_endpoint,
    )
    log = (tmp_path / "bootstrap.log").open("wb")
    process = subprocess.Popen([str(opt / "bootstrap")], env=env, stdout=log, stderr=log, cwd=task)
    try:
        written = api.invoke(s3_event("uploads", "in/photo.txt"))
        missing = api.invoke(s3_event("uploads", "in/absent.txt"))
    finally:
        process.kill()
        process.wait()
        log.close()
        api.close()
    output = (tmp_path / "bootstrap.log").read_text(errors="replace")
    assert written.error is None, (written.error, output)
    assert json.loads(written.response or b"") == {
        "bucket": "processed",
        "key": "done/photo.txt",
        "size": 11,
    }
    assert s3.get_object(Bucket="processed", Key="done/photo.txt")["Body"].read() == b"PHOTO BYTES"
    assert missing.error_type == "S3ObjectError"
    assert "NoSuchKey" in str(missing.error_json["errorMessage"])
