"""Init failures go to the Runtime API's init/error, and the process exits non-zero."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.functional.runtime_api_server import RuntimeApiServer
from tests.functional.runtime_modules import ECHO, FORBIDDEN_IMPORT, NO_START, write_task_root
from tests.functional.runtime_process import BootstrapProcess


@pytest.fixture
def api() -> Iterator[RuntimeApiServer]:
    server = RuntimeApiServer()
    yield server
    server.close()


def run_until_exit(
    api: RuntimeApiServer, task_root: Path, tmp_path: Path, handler: str | None = None
) -> tuple[int, str | None, dict[str, object], BootstrapProcess]:
    process = BootstrapProcess(api.address, task_root, tmp_path / "logs", handler=handler)
    try:
        status = process.wait(60)
    finally:
        process.stop()
    assert len(api.init_errors) == 1, process.stderr
    header, body = api.init_errors[0]
    return status, header, json.loads(body), process


def test_missing_module_is_reported_to_init_error(api: RuntimeApiServer, tmp_path: Path) -> None:
    root = tmp_path / "task"
    root.mkdir()
    (root / "wasmdeploy.json").write_text('{"handler": "absent.wasm"}')
    status, header, error, _ = run_until_exit(api, root, tmp_path)
    assert status != 0
    assert header == error["errorType"] == "WasmModuleNotFound"
    assert "absent.wasm" in str(error["errorMessage"])
    assert api.next_calls == 0


def test_invalid_wasm_is_reported_to_init_error(api: RuntimeApiServer, tmp_path: Path) -> None:
    root = write_task_root(tmp_path / "task", b"\x00asm\x01\x00\x00\x00garbage")
    status, header, error, _ = run_until_exit(api, root, tmp_path)
    assert status != 0
    assert header == "WasmInvalidModule"
    assert "handler.wasm" in str(error["errorMessage"])


def test_import_outside_the_allowlist_is_named_in_the_init_error(
    api: RuntimeApiServer, tmp_path: Path
) -> None:
    root = write_task_root(tmp_path / "task", FORBIDDEN_IMPORT)
    status, header, error, process = run_until_exit(api, root, tmp_path)
    assert status != 0
    assert header == "WasmForbiddenImport"
    assert "env.open_socket" in str(error["errorMessage"])
    assert "env.open_socket" in process.stderr


def test_wasi_import_is_forbidden_when_the_allowlist_omits_it(
    api: RuntimeApiServer, tmp_path: Path
) -> None:
    config = {"sandbox": {"allowedImports": ["env.abort"]}}
    root = write_task_root(tmp_path / "task", ECHO, config=config)
    _, header, error, _ = run_until_exit(api, root, tmp_path)
    assert header == "WasmForbiddenImport"
    assert "wasi_snapshot_preview1.fd_read" in str(error["errorMessage"])


def test_missing_start_export_is_reported_to_init_error(
    api: RuntimeApiServer, tmp_path: Path
) -> None:
    root = write_task_root(tmp_path / "task", NO_START)
    status, header, error, _ = run_until_exit(api, root, tmp_path)
    assert status != 0
    assert header == "WasmMissingExport"
    assert "_start" in str(error["errorMessage"])


def test_missing_handle_export_named_by_handler_variable_is_reported(
    api: RuntimeApiServer, tmp_path: Path
) -> None:
    root = write_task_root(tmp_path / "task", ECHO)
    _, header, error, _ = run_until_exit(api, root, tmp_path, handler="handler.wasm#handle")
    assert header == "WasmMissingExport"
    assert "alloc" in str(error["errorMessage"]) or "handle" in str(error["errorMessage"])


def test_malformed_config_is_reported_to_init_error(api: RuntimeApiServer, tmp_path: Path) -> None:
    root = write_task_root(tmp_path / "task", ECHO)
    (root / "wasmdeploy.json").write_text('{"sandbox": {"memoryLimit": "lots"}}')
    _, header, error, _ = run_until_exit(api, root, tmp_path)
    assert header == "WasmInvalidConfig"
    assert "'lots' is not a size" in str(error["errorMessage"])
