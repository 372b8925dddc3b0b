"""The packaged pieces run together: the custom-runtime layer's `bootstrap`, extracted
as Lambda extracts it to /opt, serves a packaged function's zip through a Runtime API.

The Runtime API here is a minimal one written for this test. The layer's "CPython"
is a launcher for this interpreter (see test_package_layers), and its wasmtime is
the one installed here, so this needs a Linux x86_64 machine.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import wasmtime
from package_fakes import STDLIB, write_boto3_wheels, write_python_dist, write_wheels

from wasmdeploy.build.layer import LayerOptions
from wasmdeploy.build.package import lambda_handler, package_service
from wasmdeploy.build.precompile import host_architecture
from wasmdeploy.manifest.model import Function, Sandbox, Service

pytestmark = pytest.mark.skipif(
    not (sys.platform.startswith("linux") and host_architecture() == "x86_64"),
    reason="runs the layer's interpreter and wasmtime: needs a Linux x86_64 host",
)

UPPER_WAT = """
(module
  (memory (export "memory") 1)
  (func (export "alloc") (param i32) (result i32) i32.const 1024)
  (func (export "handle") (param $ptr i32) (param $len i32) (result i64)
    (local $i i32) (local $c i32)
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $len)))
      (local.set $c (i32.load8_u (i32.add (local.get $ptr) (local.get $i))))
      (if (i32.and (i32.ge_u (local.get $c) (i32.const 97))
                   (i32.le_u (local.get $c) (i32.const 122)))
        (then (i32.store8 (i32.add (local.get $ptr) (local.get $i))
                          (i32.sub (local.get $c) (i32.const 32)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $next)))
    (i64.or (i64.shl (i64.extend_i32_u (local.get $ptr)) (i64.const 32))
            (i64.extend_i32_u (local.get $len)))))
"""


class OneInvocationApi(ThreadingHTTPServer):
    """Hands out one event, then records the runtime's answer."""

    daemon_threads = True

    def __init__(self, event: bytes) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.event = event
        self.handed_out = False
        self.answer: tuple[str, bytes] | None = None
        self.answered = threading.Event()


class _Handler(BaseHTTPRequestHandler):
    server: OneInvocationApi

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        if self.path != "/2018-06-01/runtime/invocation/next" or self.server.handed_out:
            self.server.answered.wait()
            self.send_response(500)
            self.end_headers()
            return
        self.server.handed_out = True
        self.send_response(200)
        self.send_header("Lambda-Runtime-Aws-Request-Id", "req-1")
        self.send_header("Lambda-Runtime-Deadline-Ms", "9999999999999")
        self.send_header("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:1:f")
        self.send_header("Content-Length", str(len(self.server.event)))
        self.end_headers()
        self.wfile.write(self.server.event)

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(202)
        self.end_headers()
        self.server.answer = (self.path, body)
        self.server.answered.set()


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
    (tmp_path / "upper.wasm").write_bytes(wasmtime.wat2wasm(UPPER_WAT))
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

    api = OneInvocationApi(json.dumps({"name": "wasm"}).encode())
    threading.Thread(target=api.serve_forever, daemon=True).start()
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "AWS_LAMBDA_RUNTIME_API": f"127.0.0.1:{api.server_address[1]}",
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
        answered = api.answered.wait(60)
    finally:
        process.kill()
        output = process.communicate()[0].decode(errors="replace")
        api.shutdown()
    assert answered, output
    assert api.answer == ("/2018-06-01/runtime/invocation/req-1/response", b'{"NAME": "WASM"}')
    assert f"python/lib/{STDLIB}" not in output  # no import-time compile errors from the layer
