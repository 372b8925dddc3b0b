"""The real bootstrap holds a guest to its bounds inside host calls too, and serves on.

maxTime bounds blocking WASI calls; output caps hold as the guest writes; guest
log lines cannot pass for the runtime's or Lambda's; memoryLimit bounds all
memories and tables together; start functions run within the deadline;
stackLimit is honoured up to its 4MB cap. After each hostile invocation, the
same process answers a good one.
"""

from __future__ import annotations

import json
import re
import struct
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.functional.hostile_modules import (
    DEEP_RECURSION,
    HOST_CALLS,
    SLOW_START,
    START_LOOP,
)
from tests.functional.runtime_api_server import Invocation, RuntimeApiServer
from tests.functional.runtime_modules import write_task_root
from tests.functional.runtime_process import BootstrapProcess

MAX_TIME = 0.5
MEMORY_LIMIT = 8 * 1024 * 1024
# A hostile case answers within maxTime plus this (the old runtime slept 20 s).
SLACK = 2.0
RUNTIME_LINE = re.compile(r"^(\{|START|END|REPORT|INIT_START|\[ERROR\]|\[WARN\])")
GUEST_LINE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\t[0-9a-f-]+\tINFO\t")


@pytest.fixture(scope="module")
def api() -> Iterator[RuntimeApiServer]:
    server = RuntimeApiServer()
    yield server
    server.close()


def start_runtime(
    api: RuntimeApiServer, base: Path, wat: str, sandbox: dict[str, object]
) -> BootstrapProcess:
    root = write_task_root(base / "task", wat, config={"sandbox": sandbox})
    return BootstrapProcess(api.address, root, base / "logs")


@contextmanager
def serving(
    base: Path, wat: str, sandbox: dict[str, object]
) -> Iterator[tuple[RuntimeApiServer, BootstrapProcess]]:
    """A runtime of its own, on a Runtime API of its own."""
    api = RuntimeApiServer()
    runtime = start_runtime(api, base, wat, sandbox)
    try:
        yield api, runtime
    finally:
        runtime.stop()
        api.close()


@pytest.fixture(scope="module")
def runtime(
    api: RuntimeApiServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[BootstrapProcess]:
    base = tmp_path_factory.mktemp("host-calls")
    process = start_runtime(
        api, base, HOST_CALLS, {"maxTime": f"{int(MAX_TIME * 1000)}ms", "memoryLimit": "8MB"}
    )
    yield process
    process.stop()


def timed(api: RuntimeApiServer, payload: bytes) -> tuple[Invocation, float]:
    started = time.monotonic()
    answer = api.invoke(payload, wait=MAX_TIME + SLACK + 8)
    return answer, time.monotonic() - started


def assert_still_serving(api: RuntimeApiServer, runtime: BootstrapProcess) -> None:
    answer = api.invoke(b'{"still": "serving"}', wait=10)
    assert answer.error is None, answer.error
    assert answer.response == b'{"still": "serving"}'
    assert runtime.alive()


def peak_rss(runtime: BootstrapProcess) -> int:
    status = Path(f"/proc/{runtime.process.pid}/status").read_text()
    match = re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE)
    assert match, status
    return int(match.group(1)) * 1024


@pytest.mark.parametrize(
    "command",
    [
        pytest.param(b"P", id="poll_oneoff-relative-20s-clock"),
        pytest.param(b"A", id="poll_oneoff-absolute-realtime-clock"),
        pytest.param(b"Y", id="sched_yield-loop"),
        pytest.param(b"T", id="clock_time_get-busy-loop"),
        pytest.param(b"I", id="fd_read-stdin-huge-iovecs-loop"),
    ],
)
def test_a_guest_blocking_or_spinning_in_wasi_calls_ends_at_max_time(
    api: RuntimeApiServer, runtime: BootstrapProcess, command: bytes
) -> None:
    answer, elapsed = timed(api, command)
    assert answer.error_type == "WasmTimeout", answer.response or answer.error
    assert "maxTime" in str(answer.error_json["errorMessage"])
    assert MAX_TIME * 0.9 <= elapsed < MAX_TIME + SLACK
    assert_still_serving(api, runtime)


def test_a_sleep_past_the_lambda_deadline_ends_at_the_lambda_deadline(
    api: RuntimeApiServer, runtime: BootstrapProcess
) -> None:
    started = time.monotonic()
    answer = api.invoke(b"P", timeout=0.25, wait=10)
    assert answer.error_type == "WasmTimeout"
    assert "Lambda deadline" in str(answer.error_json["errorMessage"])
    assert time.monotonic() - started < MAX_TIME
    assert_still_serving(api, runtime)


@pytest.mark.parametrize(
    ("command", "stream"),
    [
        pytest.param(b"W", "response", id="stdout-1024-iovecs-of-one-64KB-buffer"),
        pytest.param(b"w", "response", id="stdout-64KB-writes-in-a-loop"),
        pytest.param(b"S", "stderr", id="stderr-1024-iovecs-of-one-64KB-buffer"),
        pytest.param(b"s", "stderr", id="stderr-64KB-writes-in-a-loop"),
    ],
)
def test_output_caps_stop_a_writing_guest_at_the_cap_with_bounded_memory(
    api: RuntimeApiServer, runtime: BootstrapProcess, command: bytes, stream: str
) -> None:
    assert_still_serving(api, runtime)
    before = peak_rss(runtime)
    answer, elapsed = timed(api, command)
    assert answer.error_type == "WasmOutputTooLarge", answer.error
    message = str(answer.error_json["errorMessage"])
    if stream == "stderr":
        assert "stderr" in message and "64MB" in message
        assert "response" not in message
    else:
        assert "Lambda response" in message and "6291556 bytes" in message
    # Stopped at the cap, not by the deadline; at most the 6MB cap (stdout) or the 1MB
    # kept for the log (stderr) was held, plus the copy handed to the Runtime API.
    assert elapsed < MAX_TIME
    assert peak_rss(runtime) - before < 24 * 1024 * 1024
    assert_still_serving(api, runtime)


def wait_for_log(runtime: BootstrapProcess, text: str) -> str:
    deadline = time.monotonic() + 10
    while text not in runtime.stderr and time.monotonic() < deadline:
        time.sleep(0.02)
    return runtime.stderr


def test_guest_stderr_cannot_imitate_the_metric_line_or_lambdas_lines(
    api: RuntimeApiServer, runtime: BootstrapProcess
) -> None:
    answer = api.invoke(b"F fake lines", wait=10)
    assert answer.response == b"F fake lines"
    log = wait_for_log(runtime, "REPORT RequestId: again")
    guest = [line for line in log.splitlines() if answer.request_id in line]
    assert len(guest) == 3
    assert all(GUEST_LINE.match(line) for line in guest)
    assert all(line.split("\t", 3)[1] == answer.request_id for line in guest)
    assert not any(RUNTIME_LINE.match(line) for line in log.splitlines() if "fake" in line)
    assert "\r" not in log and "\x1b" not in log and "\u2028" not in log
    assert "\\r" in log and "\\x1b" in log
    assert_still_serving(api, runtime)


def test_an_abort_message_cannot_start_a_line_of_its_own(
    api: RuntimeApiServer, runtime: BootstrapProcess
) -> None:
    answer = api.invoke(b"B", wait=10)
    assert answer.error_type == "WasmTrap"
    assert "boom" in str(answer.error_json["errorMessage"])
    log = wait_for_log(runtime, "WasmTrap: abort: boom")
    assert not any(line.startswith("REPORT") for line in log.splitlines())
    assert "[ERROR] WasmTrap: abort: boom\\nREPORT RequestId: fake\\r" in log
    assert_still_serving(api, runtime)


def test_memory_limit_bounds_all_memories_and_tables_together(
    api: RuntimeApiServer, runtime: BootstrapProcess
) -> None:
    answer = api.invoke(b"M", wait=10)
    assert answer.error is None, answer.error
    assert answer.response is not None
    pages, elements = struct.unpack("<qq", answer.response)
    assert pages * 65536 + elements * 8 <= MEMORY_LIMIT
    assert pages * 65536 >= MEMORY_LIMIT // 2  # the limit is shared, not lost
    assert_still_serving(api, runtime)


def test_a_trap_after_growing_every_memory_is_a_memory_limit_error(
    api: RuntimeApiServer, runtime: BootstrapProcess
) -> None:
    answer = api.invoke(b"N", wait=10)
    assert answer.error_type == "WasmMemoryLimit", answer.error
    assert "8MB" in str(answer.error_json["errorMessage"])
    assert_still_serving(api, runtime)


def test_an_endless_start_function_times_out_each_invocation_and_init_completes(
    tmp_path: Path,
) -> None:
    with serving(tmp_path, START_LOOP, {"maxTime": "300ms"}) as (api, runtime):
        for _ in range(2):
            answer, elapsed = timed(api, b"{}")
            assert answer.error_type == "WasmTimeout", answer.error
            assert "maxTime" in str(answer.error_json["errorMessage"])
            assert elapsed < 0.3 + SLACK
        assert runtime.alive()
        assert not api.init_errors


def test_a_slow_start_function_counts_against_max_time_on_every_invocation(
    tmp_path: Path,
) -> None:
    # 300 ms in the start function plus 300 ms in _start: over 500 ms, under 1 s.
    with serving(tmp_path / "tight", SLOW_START, {"maxTime": "500ms"}) as (api, _):
        for _ in range(2):
            assert api.invoke(b"{}", wait=10).error_type == "WasmTimeout"
    with serving(tmp_path / "roomy", SLOW_START, {"maxTime": "1s"}) as (api, runtime):
        answer = api.invoke(b"roomy", wait=10)
        assert answer.response == b"roomy", answer.error
        deadline = time.monotonic() + 10
        while answer.request_id not in runtime.stdout and time.monotonic() < deadline:
            time.sleep(0.02)
        metrics = [
            json.loads(line) for line in runtime.stdout.splitlines() if answer.request_id in line
        ]
        assert metrics and metrics[0]["InstantiateTime"] >= 290


def test_a_stack_limit_above_two_mebibytes_is_honoured(tmp_path: Path) -> None:
    deep = b"\x0c"  # 120,000 frames: more than 2MB of stack
    with serving(tmp_path / "small", DEEP_RECURSION, {"stackLimit": "1MB"}) as (api, _):
        assert api.invoke(deep, wait=10).error_type == "WasmStackOverflow"
    with serving(tmp_path / "large", DEEP_RECURSION, {"stackLimit": "4MB"}) as (api, runtime):
        answer = api.invoke(deep, wait=10)
        assert answer.response == b"ok", answer.error
        assert runtime.alive()


def test_a_stack_limit_over_the_cap_is_an_init_error_not_a_crash(tmp_path: Path) -> None:
    with serving(tmp_path, DEEP_RECURSION, {"stackLimit": "64MB"}) as (api, runtime):
        assert api.init_error_posted.wait(10)
        error_type, body = api.init_errors[-1]
        assert error_type == "WasmInvalidConfig"
        assert "4MB" in json.loads(body)["errorMessage"]
        assert runtime.wait(10) == 1
