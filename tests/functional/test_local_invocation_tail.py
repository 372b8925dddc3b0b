"""What a runtime logs after its answer, before it asks for the next event, belongs to that
invocation (as in Lambda): the wasmdeploy runtime's metric line comes before END, every time."""

from __future__ import annotations

import json
from pathlib import Path

import wasmtime
from local_emulation_support import LogCollector, make_function, make_service
from runtime_modules import ECHO

from wasmdeploy.local.pool import FunctionPool
from wasmdeploy.local.sandbox_factory import SandboxFactory


def test_each_invocations_metric_line_is_logged_with_it_before_end(tmp_path: Path) -> None:
    (tmp_path / "handler.wasm").write_bytes(wasmtime.wat2wasm(ECHO))
    function = make_function(tmp_path)
    service = make_service(tmp_path, function)
    pool = FunctionPool(SandboxFactory(service, function), LogCollector(), max_concurrency=1)
    try:
        outcomes = [pool.invoke(json.dumps({"n": index}).encode()) for index in range(8)]
    finally:
        pool.close()
    for outcome in outcomes:
        request_id = outcome.invocation.request_id
        metric_lines = [line for line in outcome.log_lines if line.startswith('{"_aws"')]
        assert len(metric_lines) == 1, outcome.log_lines
        assert json.loads(metric_lines[0])["requestId"] == request_id
        end = outcome.log_lines.index(f"END RequestId: {request_id}")
        assert outcome.log_lines.index(metric_lines[0]) < end
