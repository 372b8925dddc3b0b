"""The managed-Python handler (python3.12 / 3.13, Lambda@Edge) with real modules."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from wasmdeploy_runtime import managed

from tests.functional.runtime_modules import ECHO, write_task_root

REDIRECT_JSON = '{"status":"302","headers":{"location":[{"key":"Location","value":"/new"}]}}'
_ESCAPED = REDIRECT_JSON.replace('"', '\\"')
REDIRECT = f"""(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 256) "{_ESCAPED}")
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 256))
    (i32.store (i32.const 4) (i32.const {len(REDIRECT_JSON)}))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))
"""
SILENT = '(module (func (export "_start")))'
TRAP = '(module (func (export "_start") unreachable))'


def cloudfront_event(event_type: str = "origin-request") -> dict[str, object]:
    request = {"clientIp": "203.0.113.1", "method": "GET", "uri": "/old", "headers": {}}
    return {
        "Records": [
            {
                "cf": {
                    "config": {"distributionId": "EDFDVBD6EXAMPLE", "eventType": event_type},
                    "request": request,
                }
            }
        ]
    }


class FakeContext:
    aws_request_id = "req-managed"

    def get_remaining_time_in_millis(self) -> int:
        return 3000


@pytest.fixture
def task_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    root = tmp_path / "task"
    monkeypatch.setenv("LAMBDA_TASK_ROOT", str(root))
    # The handler keeps its function for the life of the process: start each test afresh.
    monkeypatch.setattr(managed, "_function", None)
    yield root


def test_plain_event_is_answered_with_the_modules_json_output(task_root: Path) -> None:
    write_task_root(task_root, ECHO)
    event = {"path": "/hello", "n": 1}
    assert managed.handler(event, FakeContext()) == event


def test_handler_variable_does_not_override_the_config_in_managed_runtimes(
    task_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_task_root(task_root, ECHO)
    monkeypatch.setenv("_HANDLER", "wasmdeploy_runtime.managed.handler")
    assert managed.handler({"a": 1}, FakeContext()) == {"a": 1}


def test_edge_origin_request_returns_the_response_the_module_printed(task_root: Path) -> None:
    write_task_root(task_root, REDIRECT)
    answer = managed.handler(cloudfront_event(), FakeContext())
    assert answer == json.loads(REDIRECT_JSON)


def test_edge_module_printing_nothing_passes_the_request_through(task_root: Path) -> None:
    write_task_root(task_root, SILENT)
    event = cloudfront_event()
    answer = managed.handler(event, FakeContext())
    assert answer == event["Records"][0]["cf"]["request"]  # type: ignore[index]


def test_function_error_raises_an_exception_named_by_its_error_type(task_root: Path) -> None:
    write_task_root(task_root, TRAP)
    with pytest.raises(managed.WasmFunctionError) as raised:
        managed.handler({}, FakeContext())
    assert type(raised.value).__name__ == "WasmTrap"
    assert "unreachable" in str(raised.value)


def test_init_error_raises_an_exception_named_by_its_error_type(task_root: Path) -> None:
    task_root.mkdir()
    (task_root / "wasmdeploy.json").write_text(json.dumps({"handler": "absent.wasm"}))
    with pytest.raises(managed.WasmFunctionError) as raised:
        managed.handler({}, FakeContext())
    assert type(raised.value).__name__ == "WasmModuleNotFound"


@pytest.mark.parametrize("config", ["origin-request", ["eventType"], 7])
def test_an_edge_event_whose_config_is_not_an_object_is_an_invalid_event(
    task_root: Path, config: object
) -> None:
    write_task_root(task_root, SILENT)
    event = cloudfront_event()
    event["Records"][0]["cf"]["config"] = config  # type: ignore[index]
    with pytest.raises(managed.WasmFunctionError) as raised:
        managed.handler(event, FakeContext())
    assert type(raised.value).__name__ == "InvalidEvent"
    assert "Records[0].cf.config" in str(raised.value)
    # The same handler answers a good event next.
    assert managed.handler(cloudfront_event(), FakeContext())["uri"] == "/old"
