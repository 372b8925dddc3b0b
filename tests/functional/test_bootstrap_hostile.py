"""The real bootstrap against a Runtime API: hostile guests fail alone, the process serves on.

One bootstrap process serves the behaviours module for the whole file; after
each hostile invocation the same process must answer a good one correctly.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.functional.runtime_api_server import RuntimeApiServer
from tests.functional.runtime_modules import BEHAVIOURS, write_task_root
from tests.functional.runtime_process import BootstrapProcess

MAX_TIME = 0.5


@pytest.fixture(scope="module")
def api() -> Iterator[RuntimeApiServer]:
    server = RuntimeApiServer()
    yield server
    server.close()


@pytest.fixture(scope="module")
def runtime(
    api: RuntimeApiServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[BootstrapProcess]:
    base = tmp_path_factory.mktemp("behaviours")
    task_root = write_task_root(
        base / "task",
        BEHAVIOURS,
        config={"sandbox": {"maxTime": f"{int(MAX_TIME * 1000)}ms", "memoryLimit": "8MB"}},
    )
    process = BootstrapProcess(api.address, task_root, base / "logs")
    yield process
    process.stop()


def assert_still_serving(api: RuntimeApiServer, runtime: BootstrapProcess) -> None:
    answer = api.invoke(b'{"still": "serving"}')
    assert answer.error is None, answer.error
    assert answer.response == b'{"still": "serving"}'
    assert runtime.alive()


def test_echo_returns_the_event_as_the_response(
    api: RuntimeApiServer, runtime: BootstrapProcess
) -> None:
    answer = api.invoke(b'{"hello": "world"}')
    assert answer.response == b'{"hello": "world"}'
    assert answer.answers == 1


def test_infinite_loop_is_stopped_as_a_timeout(
    api: RuntimeApiServer, runtime: BootstrapProcess
) -> None:
    answer = api.invoke(b"L")
    error = answer.error_json
    assert answer.error_type == "WasmTimeout"
    assert error["errorType"] == "WasmTimeout"
    assert "maxTime" in str(error["errorMessage"])
    assert_still_serving(api, runtime)


def test_infinite_loop_is_stopped_by_a_lambda_deadline_shorter_than_max_time(
    api: RuntimeApiServer, runtime: BootstrapProcess
) -> None:
    answer = api.invoke(b"L", timeout=0.2)
    assert answer.error_type == "WasmTimeout"
    assert "Lambda deadline" in str(answer.error_json["errorMessage"])
    assert_still_serving(api, runtime)


def test_memory_grow_bomb_is_stopped_at_the_memory_limit(
    api: RuntimeApiServer, runtime: BootstrapProcess
) -> None:
    answer = api.invoke(b"G")
    assert answer.error_type == "WasmMemoryLimit"
    assert "8MB" in str(answer.error_json["errorMessage"])
    assert_still_serving(api, runtime)


def test_unbounded_recursion_is_a_stack_overflow(
    api: RuntimeApiServer, runtime: BootstrapProcess
) -> None:
    answer = api.invoke(b"R")
    error = answer.error_json
    assert error["errorType"] == "WasmStackOverflow"
    frames = error["stackTrace"]
    assert isinstance(frames, list)
    assert any("recurse" in frame for frame in frames)
    assert_still_serving(api, runtime)


def test_unreachable_is_a_trap_with_wasm_frames(
    api: RuntimeApiServer, runtime: BootstrapProcess
) -> None:
    answer = api.invoke(b"U")
    error = answer.error_json
    assert error["errorType"] == "WasmTrap"
    assert "unreachable" in str(error["errorMessage"])
    assert error["stackTrace"] and str(error["stackTrace"][0]).startswith("at ")  # type: ignore[index]
    assert_still_serving(api, runtime)


def test_proc_exit_with_status_3_is_a_wasm_exit(
    api: RuntimeApiServer, runtime: BootstrapProcess
) -> None:
    answer = api.invoke(b"X")
    assert answer.error_type == "WasmExit"
    assert "status 3" in str(answer.error_json["errorMessage"])
    assert_still_serving(api, runtime)


def test_ten_megabyte_output_is_refused_as_too_large(
    api: RuntimeApiServer, runtime: BootstrapProcess
) -> None:
    answer = api.invoke(b"B")
    assert answer.error_type == "WasmOutputTooLarge"
    assert answer.response is None
    assert_still_serving(api, runtime)


def test_a_global_set_in_one_invocation_is_not_seen_by_the_next(
    api: RuntimeApiServer, runtime: BootstrapProcess
) -> None:
    answers = [api.invoke(b"C").response for _ in range(3)]
    assert answers == [b"1", b"1", b"1"]


def wait_for_metrics(runtime: BootstrapProcess, *request_ids: str) -> list[dict[str, Any]]:
    """Every metric line so far, once those of `request_ids` are written (after the answer)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not all(rid in runtime.stdout for rid in request_ids):
        time.sleep(0.02)
    return [json.loads(line) for line in runtime.stdout.splitlines() if line.startswith('{"_aws"')]


def test_guest_stderr_and_one_metric_line_per_invocation_reach_the_log(
    api: RuntimeApiServer, runtime: BootstrapProcess
) -> None:
    answer = api.invoke(b"E logged line")
    assert answer.response == b"E logged line"
    metric_lines = wait_for_metrics(runtime, answer.request_id)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and "E logged line" not in runtime.stderr:
        time.sleep(0.02)
    assert "E logged line" in runtime.stderr
    mine = [line for line in metric_lines if line["requestId"] == answer.request_id]
    assert len(mine) == 1
    assert mine[0]["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "wasmdeploy"
    assert mine[0]["PeakLinearMemory"] == 2 * 65536


def test_only_the_first_invocation_of_the_process_is_a_cold_start(
    api: RuntimeApiServer, runtime: BootstrapProcess
) -> None:
    answers = [api.invoke(b"first"), api.invoke(b"second")]
    metric_lines = wait_for_metrics(runtime, *(answer.request_id for answer in answers))
    assert len(metric_lines) >= 2
    assert metric_lines[0]["ColdStart"] == 1
    assert all(line["ColdStart"] == 0 for line in metric_lines[1:])
    assert [line["requestId"] for line in metric_lines].count(answers[1].request_id) == 1


def test_metric_line_is_written_before_the_runtime_asks_for_the_next_event(
    api: RuntimeApiServer, runtime: BootstrapProcess
) -> None:
    # Lambda may freeze the process once it asks for /next: nothing may be left to do then.
    answer = api.invoke(b"before next")
    deadline = time.monotonic() + 10
    while api.next_requests == answer.handed_out_at and time.monotonic() < deadline:
        time.sleep(0.002)
    assert api.next_requests == answer.handed_out_at + 1
    assert answer.request_id in runtime.stdout


def test_every_invocation_was_answered_exactly_once(
    api: RuntimeApiServer, runtime: BootstrapProcess
) -> None:
    mine = [api.invoke(payload) for payload in (b"L", b"G", b"U", b"once")]
    assert [answer.answers for answer in mine] == [1, 1, 1, 1]
    assert [answer.error_type for answer in mine] == [
        "WasmTimeout",
        "WasmMemoryLimit",
        "WasmTrap",
        None,
    ]
    # And none of the invocations of the other tests in this file was answered twice.
    assert all(invocation.answers == 1 for invocation in api.by_id.values())
    assert runtime.alive()
