"""`wasmdeploy invoke --env / --env-file / --context` as a user runs them."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import wasmtime

# Prints its environment, NUL-separated as WASI gives it.
PRINT_ENV = """(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_sizes_get"
    (func $env_sizes (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_get" (func $env_get (param i32 i32) (result i32)))
  (memory (export "memory") 2)
  (func (export "_start")
    (drop (call $env_sizes (i32.const 32) (i32.const 36)))
    (drop (call $env_get (i32.const 4096) (i32.const 16384)))
    (i32.store (i32.const 16) (i32.const 16384))
    (i32.store (i32.const 20) (i32.load (i32.const 36)))
    (drop (call $fd_write (i32.const 1) (i32.const 16) (i32.const 1) (i32.const 24)))))
"""


def service(root: Path) -> Path:
    (root / "env.wasm").write_bytes(wasmtime.wat2wasm(PRINT_ENV))
    (root / "app.py").write_text(
        "def handler(event, context):\n    return {'custom': context.client_context.custom}\n"
    )
    (root / "wasmdeploy.yml").write_text(
        textwrap.dedent("""\
            service: overrides
            provider:
              name: aws
              stage: ${opt:stage, 'dev'}
              environment:
                MODE: manifest
                STAGE_NAME: ${sls:stage}
            functions:
              env:
                handler: env.wasm
            """)
    )
    return root


def invoke(root: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "wasmdeploy", "invoke", *args],
        cwd=root,
        capture_output=True,
        timeout=120,
    )


def environment(output: bytes) -> dict[str, str]:
    pairs = [item.decode() for item in output.split(b"\0") if item.strip()]
    return dict(pair.split("=", 1) for pair in pairs)


def test_env_flags_and_file_override_the_manifest_for_one_run(tmp_path: Path) -> None:
    root = service(tmp_path)
    (root / ".env.local").write_text("MODE=file\nEXTRA='from file'\n")
    result = invoke(
        root,
        "env",
        "--env-file",
        ".env.local",
        "--env",
        "MODE=flag",
        "--env",
        "URL=a=b",
        "--stage",
        "qa",
    )
    assert result.returncode == 0, result.stderr.decode()
    seen = environment(result.stdout)
    assert seen["MODE"] == "flag" and seen["EXTRA"] == "from file" and seen["URL"] == "a=b"
    assert seen["STAGE_NAME"] == "qa"
    again = environment(invoke(root, "env").stdout)
    assert again["MODE"] == "manifest" and "EXTRA" not in again


def test_a_malformed_env_flag_is_a_clear_error(tmp_path: Path) -> None:
    result = invoke(service(tmp_path), "env", "--env", "not-an-assignment")
    assert result.returncode == 1
    assert b"--env: 'not-an-assignment' is not KEY=VALUE" in result.stderr
    assert b"Traceback" not in result.stderr


def test_context_reaches_the_function_as_its_client_context(tmp_path: Path) -> None:
    root = service(tmp_path)
    result = invoke(
        root,
        "env",
        "--bootstrap",
        f"{sys.executable} -m awslambdaric app.handler",
        "--context",
        json.dumps({"custom": {"tenant": "t-1"}}),
    )
    assert result.returncode == 0, result.stderr.decode()
    assert json.loads(result.stdout) == {"custom": {"tenant": "t-1"}}
