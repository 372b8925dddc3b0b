"""The sandbox in-process with real wasmtime: ABIs, limits, WASI context, error shapes."""

from __future__ import annotations

import struct
import time
from pathlib import Path

import pytest
from wasmdeploy_runtime.config import FunctionConfig, OutputTarget, SandboxLimits
from wasmdeploy_runtime.errors import InitError
from wasmdeploy_runtime.sandbox import MAX_RESPONSE_BYTES, Sandbox

from tests.functional.hostile_modules import HOST_CALLS, POLL
from tests.functional.runtime_modules import ARGS_AND_ENV, ECHO, wasm

SPIN = '(module (memory (export "memory") 1) (func (export "_start") (loop $l (br $l))))'
BIG_MEMORY = '(module (memory (export "memory") 200) (func (export "_start")))'
EXPORTS_OUT_OF_BOUNDS = """(module
  (memory (export "memory") 1)
  (func (export "alloc") (param i32) (result i32) (i32.const 0))
  (func (export "handle") (param i32 i32) (result i64) (i64.const 0x0000fff000000100)))
"""
EXPORTS_SEVEN_MB = """(module
  (memory (export "memory") 120)
  (func (export "alloc") (param i32) (result i32) (i32.const 0))
  (func (export "handle") (param i32 i32) (result i64) (i64.const 7000000)))
"""
# AssemblyScript lays strings out as UTF-16LE with their byte length 4 bytes before them.
ASSEMBLYSCRIPT_ABORT = """(module
  (import "env" "abort" (func $abort (param i32 i32 i32 i32)))
  (memory (export "memory") 1)
  (data (i32.const 28) "\\08\\00\\00\\00b\\00o\\00o\\00m\\00")
  (data (i32.const 60) "\\10\\00\\00\\00i\\00n\\00d\\00e\\00x\\00.\\00t\\00s\\00")
  (func (export "_start") (call $abort (i32.const 32) (i32.const 64) (i32.const 3) (i32.const 5))))
"""


def sandbox(
    tmp_path: Path,
    wat: str,
    *,
    export: str | None = None,
    environment: dict[str, str] | None = None,
    **limits: object,
) -> Sandbox:
    path = tmp_path / "mod.wasm"
    path.write_bytes(wasm(wat))
    config = FunctionConfig(
        function_name="imageFn",
        handler="mod.wasm" + (f"#{export}" if export else ""),
        module_path=path,
        export=export,
        sandbox=SandboxLimits(**limits),  # type: ignore[arg-type,unused-ignore]
        environment=environment or {},
    )
    return Sandbox(config)


def test_argv0_is_the_function_name_and_env_is_the_config_environment(tmp_path: Path) -> None:
    box = sandbox(tmp_path, ARGS_AND_ENV, environment={"MODE": "gray", "LEVEL": "3"})
    outcome = box.run(b"")
    assert outcome.error is None
    assert outcome.output == b"imageFn\x00LEVEL=3\x00MODE=gray\x00"


def test_large_payload_round_trips_through_stdin_and_stdout(tmp_path: Path) -> None:
    payload = bytes(range(256)) * 8192  # 2 MB
    outcome = sandbox(tmp_path, ECHO).run(payload)
    assert outcome.error is None
    assert outcome.output == payload


def test_fuel_runs_out_in_an_endless_loop_and_is_reported(tmp_path: Path) -> None:
    outcome = sandbox(tmp_path, SPIN, fuel=100_000).run(b"")
    assert outcome.error is not None
    assert outcome.error.error_type == "WasmFuelExhausted"
    assert outcome.fuel_used == 100_000


def test_fuel_used_is_measured_for_a_successful_run(tmp_path: Path) -> None:
    outcome = sandbox(tmp_path, ECHO, fuel=10_000_000).run(b"abc")
    assert outcome.output == b"abc"
    assert outcome.fuel_used is not None and 0 < outcome.fuel_used < 10_000_000


def test_module_needing_more_memory_than_the_limit_fails_as_memory_limit(tmp_path: Path) -> None:
    outcome = sandbox(tmp_path, BIG_MEMORY, memory_limit=8 * 1024 * 1024).run(b"")
    assert outcome.error is not None
    assert outcome.error.error_type == "WasmMemoryLimit"


def test_exports_abi_output_outside_memory_is_a_trap(tmp_path: Path) -> None:
    outcome = sandbox(tmp_path, EXPORTS_OUT_OF_BOUNDS, export="handle").run(b"x")
    assert outcome.error is not None
    assert outcome.error.error_type == "WasmTrap"
    assert "outside the module's memory" in outcome.error.message


def test_exports_abi_output_over_lambdas_limit_is_too_large(tmp_path: Path) -> None:
    outcome = sandbox(tmp_path, EXPORTS_SEVEN_MB, export="handle").run(b"x")
    assert outcome.error is not None
    assert outcome.error.error_type == "WasmOutputTooLarge"
    assert str(MAX_RESPONSE_BYTES) in outcome.error.message


def test_assemblyscript_abort_is_a_trap_carrying_its_message_and_location(tmp_path: Path) -> None:
    outcome = sandbox(tmp_path, ASSEMBLYSCRIPT_ABORT).run(b"")
    assert outcome.error is not None
    assert outcome.error.error_type == "WasmTrap"
    assert outcome.error.message == "abort: boom at index.ts:3:5"


def test_abort_is_forbidden_when_the_allowlist_leaves_it_out(tmp_path: Path) -> None:
    with pytest.raises(InitError) as raised:
        sandbox(tmp_path, ASSEMBLYSCRIPT_ABORT, allowed_imports=("wasi_snapshot_preview1.*",))
    assert raised.value.error_type == "WasmForbiddenImport"
    assert "env.abort" in raised.value.message


def test_a_timeout_never_leaks_into_the_following_invocations(tmp_path: Path) -> None:
    spin = sandbox(tmp_path, SPIN, max_time=0.05)
    (tmp_path / "echo").mkdir()
    echo = sandbox(tmp_path / "echo", ECHO, max_time=0.05)
    for _ in range(3):
        failed = spin.run(b"")
        assert failed.error is not None and failed.error.error_type == "WasmTimeout"
        results = [echo.run(b"ok") for _ in range(200)]
        assert all(result.output == b"ok" for result in results)


def test_lambda_deadline_already_passed_stops_the_guest_at_once(tmp_path: Path) -> None:
    outcome = sandbox(tmp_path, SPIN).run(b"", deadline=time.monotonic() - 1)
    assert outcome.error is not None
    assert outcome.error.error_type == "WasmTimeout"
    assert "Lambda deadline" in outcome.error.message


def test_same_module_is_compiled_once_per_process(tmp_path: Path) -> None:
    first = sandbox(tmp_path, ECHO)
    (tmp_path / "copy").mkdir()
    second = sandbox(tmp_path / "copy", ECHO)
    assert first.prepared is second.prepared
    assert first.prepared.loaded.digest == second.prepared.loaded.digest


# wasmtime's pooling allocator refuses, by default, modules with more than one memory or
# table, or with a table over 10,000 elements: the runtime's pool must take them.
MANY_MEMORIES_AND_TABLES = """(module
  (memory (export "memory") 1) (memory 1) (memory 1)
  (table 100000 funcref) (table 1 funcref) (table 1 externref)
  (func (export "_start") (drop (memory.grow (i32.const 3000)))))
"""


def test_modules_with_several_memories_and_large_tables_run(tmp_path: Path) -> None:
    # The three memories and three tables share the limit: each memory may take a third.
    box = sandbox(tmp_path, MANY_MEMORIES_AND_TABLES, memory_limit=1024 * 1024 * 1024)
    for _ in range(3):
        outcome = box.run(b"")
        assert outcome.error is None, outcome.error
        assert outcome.peak_memory == 3001 * 65536


def test_thousands_of_invocations_never_run_out_of_instance_slots(tmp_path: Path) -> None:
    box = sandbox(tmp_path, ECHO)
    for number in range(2000):
        if number % 2:
            box.prewarm()
        outcome = box.run(str(number).encode())
        assert outcome.output == str(number).encode(), outcome.error


@pytest.mark.parametrize("command", [b"W", b"w"])
def test_a_guest_writing_past_the_response_cap_is_stopped_at_the_cap(
    tmp_path: Path, command: bytes
) -> None:
    box = sandbox(tmp_path, HOST_CALLS, max_time=5.0)
    outcome = box.run(command)
    assert outcome.error is not None and outcome.error.error_type == "WasmOutputTooLarge"
    # Refused at the write that would cross the cap: nothing past it was taken in.
    stdio = box._stdio
    assert stdio is not None
    assert MAX_RESPONSE_BYTES - 64 * 1024 * 1024 <= stdio.stdout.size <= MAX_RESPONSE_BYTES


def poll_events(output: bytes) -> list[tuple[int, int, int]]:
    count = struct.unpack_from("<I", output)[0]
    return [struct.unpack_from("<IIH", output, 4 + 10 * i) for i in range(count)]


def test_a_short_poll_oneoff_sleep_sleeps_its_time_and_reports_the_clock_event(
    tmp_path: Path,
) -> None:
    box = sandbox(tmp_path, POLL, max_time=1.0)
    started = time.monotonic()
    outcome = box.run(b"c")
    assert outcome.error is None, outcome.error
    assert time.monotonic() - started >= 0.05
    assert outcome.output is not None
    assert poll_events(outcome.output) == [(11, 0, 0)]  # userdata 11, no error, a clock


def test_poll_oneoff_answers_a_readable_stdin_at_once_instead_of_sleeping(
    tmp_path: Path,
) -> None:
    box = sandbox(tmp_path, POLL, max_time=1.0)
    started = time.monotonic()
    outcome = box.run(b"m")
    assert outcome.error is None, outcome.error
    assert time.monotonic() - started < 0.5
    assert outcome.output is not None
    assert poll_events(outcome.output) == [(22, 0, 1)]  # stdin, no error, fd_read


def test_an_s3_output_is_capped_at_its_own_limit_with_its_own_message(tmp_path: Path) -> None:
    path = tmp_path / "mod.wasm"
    path.write_bytes(wasm(HOST_CALLS))
    config = FunctionConfig(
        function_name="toS3",
        handler="mod.wasm",
        module_path=path,
        export=None,
        sandbox=SandboxLimits(max_time=5.0),
        output=OutputTarget(bucket="out", key="{key}"),
    )
    box = Sandbox(config, output_limit=8 * 1024 * 1024)
    outcome = box.run(b"W")
    assert outcome.error is not None and outcome.error.error_type == "WasmOutputTooLarge"
    assert "S3 output" in outcome.error.message and "8MB" in outcome.error.message


# Four memories, only the first exported: each is grown until refused, then the guest traps.
GROW_HIDDEN_MEMORIES = """(module
  (memory (export "memory") 1) (memory 1) (memory 1) (memory 1)
  (func (export "_start")
    (loop $m1 (br_if $m1 (i32.ne (memory.grow 1 (i32.const 1)) (i32.const -1))))
    (loop $m2 (br_if $m2 (i32.ne (memory.grow 2 (i32.const 1)) (i32.const -1))))
    (loop $m3 (br_if $m3 (i32.ne (memory.grow 3 (i32.const 1)) (i32.const -1))))
    (loop $m0 (br_if $m0 (i32.ne (memory.grow 0 (i32.const 1)) (i32.const -1))))
    unreachable))
"""


def test_a_trap_after_memories_it_does_not_export_were_refused_growth_is_a_memory_limit(
    tmp_path: Path,
) -> None:
    box = sandbox(tmp_path, GROW_HIDDEN_MEMORIES, memory_limit=8 * 1024 * 1024)
    outcome = box.run(b"")
    assert outcome.error is not None
    assert outcome.error.error_type == "WasmMemoryLimit", outcome.error
    assert outcome.peak_memory == 2 * 1024 * 1024  # the exported memory: its quarter
