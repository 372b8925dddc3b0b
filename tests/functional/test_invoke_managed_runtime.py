"""python3.x and Lambda@Edge functions run as Lambda runs them: AWS's Python runtime
client (awslambdaric) calling the runtime's managed handler, on the same Runtime API."""

from __future__ import annotations

import json
from pathlib import Path

import wasmtime
from local_emulation_support import LogCollector, make_function, make_service

from wasmdeploy.local.events import render_event
from wasmdeploy.local.pool import FunctionPool
from wasmdeploy.local.sandbox_factory import SandboxFactory
from wasmdeploy.manifest.model import EdgeTrigger

# A WASI command that prints nothing: an edge function that lets the request through.
PASS_THROUGH = '(module (func (export "_start")))'

# Exports ABI: answers ANSWER whatever the event.
ANSWER = '{"answer": 42}'
ANSWER_DATA = "".join(f"\\{byte:02x}" for byte in ANSWER.encode())
ANSWER_MODULE = f"""
(module
  (memory (export "memory") 1)
  (data (i32.const 64) "{ANSWER_DATA}")
  (func (export "alloc") (param i32) (result i32) (i32.const 4096))
  (func (export "handle") (param i32 i32) (result i64)
    (i64.or (i64.shl (i64.const 64) (i64.const 32)) (i64.const {len(ANSWER)}))))
"""


def test_edge_origin_request_passes_the_request_through(tmp_path: Path) -> None:
    function = make_function(
        tmp_path,
        "edge",
        runtime="python3.13",
        edge=EdgeTrigger(event_type="origin-request"),
        environment={"IGNORED": "edge functions have no environment variables"},
    )
    function.module.write_bytes(wasmtime.wat2wasm(PASS_THROUGH))
    pool = FunctionPool(SandboxFactory(make_service(tmp_path, function), function), LogCollector())
    event = render_event("cloudfront", "origin-request", {"uri": "/a.png"})
    try:
        outcome = pool.invoke(json.dumps(event).encode())
    finally:
        pool.close()
    assert outcome.function_error is None, outcome.payload
    assert json.loads(outcome.payload) == event["Records"][0]["cf"]["request"]


def test_python_runtime_function_answers_through_the_managed_handler(tmp_path: Path) -> None:
    function = make_function(tmp_path, "managed", runtime="python3.13", export="handle")
    function.module.write_bytes(wasmtime.wat2wasm(ANSWER_MODULE))
    pool = FunctionPool(SandboxFactory(make_service(tmp_path, function), function), LogCollector())
    try:
        outcome = pool.invoke(b'{"question": "?"}')
    finally:
        pool.close()
    assert outcome.function_error is None, outcome.payload
    assert json.loads(outcome.payload) == {"answer": 42}
