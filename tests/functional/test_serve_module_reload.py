"""Warm sandboxes are reused, and replaced when the function's .wasm changes on disk."""

from __future__ import annotations

import json
import os
from pathlib import Path

import wasmtime
from local_emulation_support import (
    LogCollector,
    make_function,
    make_service,
    python_factory,
    write_handler,
)

from wasmdeploy.local.pool import FunctionPool
from wasmdeploy.local.sandbox_factory import SandboxFactory

PID_HANDLER = """
    import os

    def handler(event, context):
        return {"pid": os.getpid()}
"""


def answer_module(text: str) -> bytes:
    """An exports-ABI module that always answers `text`."""
    data = "".join(f"\\{byte:02x}" for byte in text.encode())
    return wasmtime.wat2wasm(
        f"""
        (module
          (memory (export "memory") 1)
          (data (i32.const 64) "{data}")
          (func (export "alloc") (param i32) (result i32) (i32.const 4096))
          (func (export "handle") (param i32 i32) (result i64)
            (i64.or (i64.shl (i64.const 64) (i64.const 32)) (i64.const {len(text.encode())}))))
        """
    )


def bump_mtime(path: Path) -> None:
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))


def test_warm_sandbox_is_reused_and_replaced_after_the_module_changes(tmp_path: Path) -> None:
    write_handler(tmp_path, PID_HANDLER)
    function = make_function(tmp_path)
    function.module.write_bytes(b"\0asm\1\0\0\0")
    log = LogCollector()
    pool = FunctionPool(python_factory(make_service(tmp_path, function), function), log)
    try:
        first = json.loads(pool.invoke(b"{}").payload)["pid"]
        assert json.loads(pool.invoke(b"{}").payload)["pid"] == first  # warm: same process
        bump_mtime(function.module)
        after = json.loads(pool.invoke(b"{}").payload)["pid"]
        assert after != first
        assert any("handler.wasm changed" in line for line in log.lines)
    finally:
        pool.close()


def test_rebuilt_module_answers_on_the_next_request(tmp_path: Path) -> None:
    function = make_function(tmp_path, export="handle")
    function.module.write_bytes(answer_module('"old"'))
    pool = FunctionPool(SandboxFactory(make_service(tmp_path, function), function), LogCollector())
    try:
        assert pool.invoke(b"{}").payload == b'"old"'
        function.module.write_bytes(answer_module('"new"'))
        bump_mtime(function.module)
        assert pool.invoke(b"{}").payload == b'"new"'
    finally:
        pool.close()
