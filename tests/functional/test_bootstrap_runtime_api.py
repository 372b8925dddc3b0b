"""The bootstrap's Runtime API loop: ABIs, handler override, precompiled modules, retries."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from wasmdeploy_runtime.engine import precompile

from tests.functional.runtime_api_server import RuntimeApiServer
from tests.functional.runtime_modules import ECHO, EXPORTS_UPPER, wasm, write_task_root
from tests.functional.runtime_process import BootstrapProcess


@pytest.fixture
def api() -> Iterator[RuntimeApiServer]:
    server = RuntimeApiServer()
    yield server
    server.close()


@pytest.fixture
def start(api: RuntimeApiServer, tmp_path: Path) -> Iterator[object]:
    processes: list[BootstrapProcess] = []

    def start_process(task_root: Path, handler: str | None = None) -> BootstrapProcess:
        process = BootstrapProcess(
            api.address, task_root, tmp_path / f"logs{len(processes)}", handler=handler
        )
        processes.append(process)
        return process

    yield start_process
    for process in processes:
        process.stop()


def test_exports_abi_chosen_by_handler_variable_serves_fresh_instances(
    api: RuntimeApiServer, start, tmp_path: Path
) -> None:
    root = write_task_root(tmp_path / "task", EXPORTS_UPPER, module="upper.wasm")
    start(root, handler="upper.wasm#handle")
    assert api.invoke(b"hello wasm").response == b"HELLO WASM"
    assert api.invoke(b"").response == b""
    assert api.invoke(b'{"k": "v"}').response == b'{"K": "V"}'


def test_handler_without_wasm_suffix_finds_the_module(
    api: RuntimeApiServer, start, tmp_path: Path
) -> None:
    root = write_task_root(tmp_path / "task", ECHO, module="wasm-handler.wasm")
    start(root, handler="wasm-handler")
    assert api.invoke(b"origin manifest").response == b"origin manifest"


def test_defaults_apply_without_config_file(api: RuntimeApiServer, start, tmp_path: Path) -> None:
    root = tmp_path / "task"
    root.mkdir()
    (root / "echo.wasm").write_bytes(wasm(ECHO))
    process = start(root, handler="echo.wasm")
    assert api.invoke(b"no config").response == b"no config"
    assert process.alive()


def test_precompiled_module_is_used_and_a_stale_one_ignored(
    api: RuntimeApiServer, start, tmp_path: Path
) -> None:
    fresh = write_task_root(tmp_path / "fresh", ECHO)
    (fresh / "handler.cwasm").write_bytes(precompile(wasm(ECHO), fuel=False))
    process = start(fresh)
    assert api.invoke(b"from cwasm").response == b"from cwasm"
    assert "ignored the .cwasm" not in process.stderr

    stale = write_task_root(tmp_path / "stale", ECHO)
    (stale / "handler.cwasm").write_bytes(precompile(wasm(EXPORTS_UPPER), fuel=False))
    process.stop()
    process = start(stale)
    assert api.invoke(b"from wasm").response == b"from wasm"
    assert "stale" in process.stderr


def test_cwasm_for_other_engine_settings_falls_back_to_compiling(
    api: RuntimeApiServer, start, tmp_path: Path
) -> None:
    root = write_task_root(tmp_path / "task", ECHO)
    (root / "handler.cwasm").write_bytes(precompile(wasm(ECHO), fuel=True))
    process = start(root)
    assert api.invoke(b"fallback").response == b"fallback"
    assert "ignored the .cwasm" in process.stderr


def test_transient_runtime_api_failures_are_retried_without_losing_or_repeating(
    api: RuntimeApiServer, start, tmp_path: Path
) -> None:
    root = write_task_root(tmp_path / "task", ECHO)
    process = start(root)
    assert api.invoke(b"warm up").response == b"warm up"
    # The runtime is now blocked in GET /next: the faults hit its later requests.
    api.inject("500", "close", "500", "close")
    answers = [api.invoke(f"event {n}".encode()) for n in range(4)]
    assert [answer.response for answer in answers] == [f"event {n}".encode() for n in range(4)]
    assert all(answer.answers == 1 for answer in answers)
    assert api.next_calls == 5
    assert process.alive()


# Loaded by the runtime's Python (the bootstrap keeps PYTHONPATH): records each connection
# attempt the runtime makes, from the interpreter's `socket.connect` audit event.
CONNECT_RECORDER = """
import os, sys

def _record(event, args):
    if event == "socket.connect":
        with open(os.environ["CONNECT_LOG"], "a") as log:
            log.write(f"{args[1]!r}\\n")

sys.addaudithook(_record)
"""


def refused(address: str) -> bool:
    """Whether a connection to `address` is refused now (nothing listens there)."""
    host, _, port = address.rpartition(":")
    try:
        socket.create_connection((host, int(port)), timeout=2).close()
    except ConnectionRefusedError:
        return True
    return False


def test_runtime_waits_for_the_api_to_come_back_after_refused_connections(
    tmp_path: Path,
) -> None:
    api = RuntimeApiServer()
    address = api.address
    api.close()  # nothing listens: the runtime's first requests are refused
    assert refused(address)
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    (hooks / "sitecustomize.py").write_text(CONNECT_RECORDER)
    attempts_log = tmp_path / "connects.log"
    root = write_task_root(tmp_path / "task", ECHO)
    process = BootstrapProcess(
        address,
        root,
        tmp_path / "logs",
        extra_env={"PYTHONPATH": str(hooks), "CONNECT_LOG": str(attempts_log)},
    )
    try:
        port = int(address.rsplit(":", 1)[1])
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and process.alive():
            attempts = attempts_log.read_text().splitlines() if attempts_log.exists() else []
            if sum(f", {port})" in attempt for attempt in attempts) >= 3:
                break
            time.sleep(0.02)
        attempts = attempts_log.read_text().splitlines()
        # Three attempts while nothing listened: each one was refused, and retried.
        assert sum(f", {port})" in attempt for attempt in attempts) >= 3, attempts
        assert refused(address)
        assert process.alive(), process.stderr
        revived = RuntimeApiServer(port=port)
        try:
            assert revived.invoke(b"after refusal").response == b"after refusal"
        finally:
            revived.close()
    finally:
        process.stop()
