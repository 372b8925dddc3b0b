"""`wasmdeploy bench` as a user runs it: real runtime processes, figures checked for sense."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest
import wasmtime

from tests.ports import free_port
from tests.processes import stop

SLEEP_MS = 40

# A WASI command that sleeps SLEEP_MS on the monotonic clock (poll_oneoff), then answers {}.
SLEEPER = f"""
(module
  (import "wasi_snapshot_preview1" "poll_oneoff"
    (func $poll (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 512) "{{}}")
  (func (export "_start")
    (i32.store8 (i32.const 8) (i32.const 0))
    (i32.store (i32.const 16) (i32.const 1))
    (i64.store (i32.const 24) (i64.const {SLEEP_MS * 1_000_000}))
    (drop (call $poll (i32.const 0) (i32.const 128) (i32.const 1) (i32.const 256)))
    (i32.store (i32.const 300) (i32.const 512))
    (i32.store (i32.const 304) (i32.const 2))
    (drop (call $fd_write (i32.const 1) (i32.const 300) (i32.const 1) (i32.const 308)))))
"""

ANSWER = """
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 512) "{}")
  (func (export "_start")
    (i32.store (i32.const 300) (i32.const 512))
    (i32.store (i32.const 304) (i32.const 2))
    (drop (call $fd_write (i32.const 1) (i32.const 300) (i32.const 1) (i32.const 308)))))
"""

TRAP = '(module (memory (export "memory") 1) (func (export "_start") unreachable))'


def project(root: Path, modules: dict[str, str]) -> Path:
    functions = ""
    for name, wat in modules.items():
        (root / f"{name}.wasm").write_bytes(wasmtime.wat2wasm(wat))
        functions += f"  {name}:\n    handler: {name}.wasm\n"
    (root / "wasmdeploy.yml").write_text(
        textwrap.dedent("""\
            service: benchtest
            provider:
              name: aws
              region: us-east-1
            functions:
            """)
        + functions
    )
    return root


def bench(root: Path, *args: str, env: dict[str, str] | None = None) -> tuple[Any, float]:
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "wasmdeploy", "bench", *args, "--json"],
        cwd=root,
        capture_output=True,
        timeout=180,
        env=env,
    )
    wall = time.perf_counter() - started
    assert result.returncode == 0, result.stderr.decode()
    return json.loads(result.stdout), wall


def test_bench_json_is_consistent_with_itself_and_an_outside_stopwatch(tmp_path: Path) -> None:
    root = project(tmp_path, {"sleeper": SLEEPER})
    figures, wall = bench(root, "sleeper", "-n", "24", "-c", "3", "--cold", "2")
    assert figures["invocations"] == 24 and figures["concurrency"] == 3
    assert figures["errors"] == 0 and figures["errors_by_type"] == {}
    latency = figures["latency_ms"]
    assert latency["p50"] <= latency["p90"] <= latency["p99"] <= latency["max"]
    # Every warm call sleeps SLEEP_MS in the guest: no latency can be shorter than that.
    assert latency["p50"] >= SLEEP_MS
    # Three at a time, each at least SLEEP_MS: throughput cannot beat 3 / SLEEP_MS.
    assert figures["throughput_per_s"] <= 3 / (SLEEP_MS / 1000) * 1.01
    # The warm phase alone (n / throughput) fits inside the command's own wall time,
    # together with the cold starts it reported.
    warm_wall = figures["invocations"] / figures["throughput_per_s"]
    assert warm_wall + 2 * figures["cold_start_ms"] / 1000 < wall
    assert figures["cold_start_ms"] >= figures["init_duration_ms"] > 0
    assert figures["cold_start_ms"] > latency["p50"] - SLEEP_MS
    assert figures["max_memory_mb"] > 0


def test_bench_counts_errors_by_type_for_a_trapping_module(tmp_path: Path) -> None:
    root = project(tmp_path, {"trap": TRAP})
    figures, _ = bench(root, "trap", "-n", "10", "-c", "2", "--cold", "1")
    assert figures["errors"] == 11  # every warm call and the cold start
    assert figures["errors_by_type"] == {"WasmTrap": 11}


def test_bench_compare_runs_both_builds_and_gives_ratios(tmp_path: Path) -> None:
    root = project(tmp_path, {"sleeper": SLEEPER})
    (root / "fast.wasm").write_bytes(wasmtime.wat2wasm(ANSWER))
    figures, _ = bench(
        root, "sleeper", "-n", "12", "-c", "2", "--cold", "0", "--compare", "fast.wasm"
    )
    assert figures["latency_ms"]["p50"] >= SLEEP_MS
    assert figures["compare"]["latency_ms"]["p50"] < SLEEP_MS
    assert figures["compare"]["invocations"] == 12
    ratio = figures["ratios"]["p50 latency"]
    expected = figures["compare"]["latency_ms"]["p50"] / figures["latency_ms"]["p50"]
    assert ratio == pytest.approx(expected, rel=0.01) and ratio < 1


def test_bench_object_uploads_the_file_and_every_invocation_reads_it(tmp_path: Path) -> None:
    example = Path(__file__).resolve().parents[2] / "examples" / "image-pipeline"
    root = tmp_path / "image-pipeline"
    shutil.copytree(example, root, ignore=shutil.ignore_patterns(".wasmdeploy", ".zig-cache"))
    figures, _ = bench(root, "processImage", "--object", "sample.png", "-n", "4", "--cold", "1")
    assert figures["errors"] == 0 and figures["invocations"] == 4
    # The module reads the uploaded object: a file that is not a PNG fails every invocation.
    (root / "not-a-png.png").write_text("hello")
    figures, _ = bench(root, "processImage", "--object", "not-a-png.png", "-n", "3", "--cold", "0")
    assert figures["errors_by_type"] == {"WasmExit": 3}


def test_bench_object_goes_without_event(tmp_path: Path) -> None:
    root = project(tmp_path, {"answer": ANSWER})
    (root / "event.json").write_text("{}")
    result = subprocess.run(
        [sys.executable, "-m", "wasmdeploy", "bench", "answer", "--object", "event.json",
         "--event", "event.json"],
        cwd=root, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode != 0 and "--object" in result.stderr
    assert "Traceback" not in result.stderr


def test_bench_prints_a_table_and_a_histogram(tmp_path: Path) -> None:
    root = project(tmp_path, {"answer": ANSWER})
    result = subprocess.run(
        [sys.executable, "-m", "wasmdeploy", "bench", "answer", "-n", "20", "--cold", "1"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "p99 latency (ms)" in result.stdout and "Init Duration (ms)" in result.stdout
    histogram_rows = [line for line in result.stdout.splitlines() if "█" in line]
    assert sum(int(row.split()[-1]) for row in histogram_rows) == 20


def test_bench_remote_measures_the_deployed_function_through_the_invoke_api(
    tmp_path: Path,
) -> None:
    # start-lambda speaks Lambda's Invoke API and stands in for the deployed function.
    root = project(tmp_path, {"sleeper": SLEEPER})
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "wasmdeploy", "start-lambda", "--port", str(port)],
        cwd=root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        give_up = time.monotonic() + 60
        while True:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            assert time.monotonic() < give_up and server.poll() is None, "start-lambda failed"
            time.sleep(0.1)
        env = {**os.environ, "AWS_ENDPOINT_URL_LAMBDA": f"http://127.0.0.1:{port}"}
        figures, _ = bench(root, "sleeper", "--remote", "-n", "8", "-c", "2", env=env)
    finally:
        stop(server, signal.SIGINT, group=True, grace=20)
    assert figures["invocations"] == 8 and figures["errors"] == 0
    assert figures["latency_ms"]["p50"] >= SLEEP_MS
    assert figures["max_memory_mb"] > 0  # read from the REPORT lines of the log tails
