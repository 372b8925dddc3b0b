"""Warm invocations: the Runtime API loop against AWS's own Python runtime client, and the
in-process cost of one invocation.

1. Throughput. The same Runtime API server (loopback HTTP/1.1) drives, in turn,
   `runtime-layer/bootstrap` serving an echo module (both ABIs) and
   `python -m awslambdaric` (AWS's runtime interface client, from PyPI)
   serving an equivalent Python echo handler; each answers N events one after
   another. Goal: wasmdeploy / awslambdaric >= 1.0. With `--busy-core`, a
   process spinning on one core runs throughout, to show the ratios when the
   runtime competes for CPU with other work.
2. In-process overhead per invocation: instantiate + call + I/O through the
   sandbox (fresh store and instance, limits, epoch deadline, stdin/stdout),
   for both ABIs, beside a bare wasmtime-py instantiate + call of the same
   exports module with no sandbox and no I/O. Goal: <= 200 us.

    python benchmarks/bench_runtime_warm.py [--events 2000] [--busy-core]
"""

from __future__ import annotations

import argparse
import compileall
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))
sys.path.insert(0, str(REPO_ROOT / "runtime-layer"))

import wasmtime  # noqa: E402
from wasmdeploy_runtime.config import FunctionConfig  # noqa: E402
from wasmdeploy_runtime.engine import precompile  # noqa: E402
from wasmdeploy_runtime.function import WasmFunction  # noqa: E402
from wasmdeploy_runtime.sandbox import Sandbox  # noqa: E402

from tests.functional.runtime_api_server import RuntimeApiServer  # noqa: E402
from tests.functional.runtime_modules import ECHO, EXPORTS_UPPER, wasm, write_task_root  # noqa: E402
from tests.functional.runtime_process import BootstrapProcess  # noqa: E402

EVENT = b'{"path": "/hello", "query": {"name": "world"}, "n": 42}'
PYTHON_ECHO = "def handler(event, context):\n    return event\n"


def invocations_per_second(api: RuntimeApiServer, events: int) -> float:
    for _ in range(100):  # warm-up
        api.invoke(EVENT)
    started = time.perf_counter()
    for _ in range(events):
        answer = api.invoke(EVENT)
        if answer.response is None:
            raise RuntimeError(f"failed: {answer.error!r}")
    return events / (time.perf_counter() - started)


def wasmdeploy_throughput(root: Path, logs: Path, handler: str | None, events: int) -> float:
    api = RuntimeApiServer()
    process = BootstrapProcess(api.address, root, logs, handler=handler)
    try:
        return invocations_per_second(api, events)
    finally:
        process.stop()
        api.close()


def awslambdaric_throughput(root: Path, logs: Path, events: int) -> float:
    (root / "echo_handler.py").write_text(PYTHON_ECHO)
    api = RuntimeApiServer()
    env = {
        **os.environ,
        "AWS_LAMBDA_RUNTIME_API": api.address,
        "LAMBDA_TASK_ROOT": str(root),
        "AWS_LAMBDA_FUNCTION_NAME": "echo",
        "PYTHONPATH": str(root),
    }
    logs.mkdir(parents=True, exist_ok=True)
    with (logs / "ric.log").open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "awslambdaric", "echo_handler.handler"],
            env=env,
            cwd=root,
            stdout=log,
            stderr=log,
        )
    try:
        return invocations_per_second(api, events)
    finally:
        process.terminate()
        process.wait()
        api.close()


def per_call_us(run: object, calls: int) -> float:
    """Median over batches of the mean time per call, in microseconds."""
    assert callable(run)
    batches = []
    for _ in range(7):
        started = time.perf_counter()
        for _ in range(calls):
            run()
        batches.append((time.perf_counter() - started) / calls * 1e6)
    return statistics.median(batches)


def on_path_us(box: Sandbox, deadline: float, calls: int) -> float:
    """The time an invocation waits for when the instance was made ahead of it (the Runtime
    API loop prewarms while it waits for the next event; that part is not timed)."""
    batches = []
    for _ in range(7):
        spent = 0.0
        for _ in range(calls):
            box.prewarm()
            started = time.perf_counter()
            box.run(EVENT, deadline=deadline)
            spent += time.perf_counter() - started
        batches.append(spent / calls * 1e6)
    return statistics.median(batches)


def invoke_and_tidy(function: WasmFunction, deadline: float) -> None:
    function.invoke(EVENT, request_id="r", deadline=deadline)
    function.after_response()


def bare_wasmtime_call(module_bytes: bytes) -> object:
    engine = wasmtime.Engine()
    module = wasmtime.Module(engine, module_bytes)
    pre = wasmtime.Linker(engine).instantiate_pre(module)

    def run() -> None:
        store = wasmtime.Store(engine)
        instance = pre.instantiate(store)
        exports = instance.exports(store)
        handle = exports["handle"]
        assert isinstance(handle, wasmtime.Func)
        handle(store, 1024, 0)
        store.close()

    return run


def in_process_figures(base: Path, calls: int) -> dict[str, float]:
    echo = write_task_root(base / "inproc-wasi", ECHO)
    upper = write_task_root(base / "inproc-exports", EXPORTS_UPPER)
    wasi_box = Sandbox(FunctionConfig("echo", "handler.wasm", echo / "handler.wasm", None))
    exports_box = Sandbox(
        FunctionConfig("echo", "handler.wasm#handle", upper / "handler.wasm", "handle")
    )
    silent = WasmFunction(
        FunctionConfig("echo", "handler.wasm", echo / "handler.wasm", None),
        log=lambda data: None,
        metrics=lambda data: None,
    )
    deadline = time.monotonic() + 3600
    prewarmed_wasi = Sandbox(FunctionConfig("echo", "handler.wasm", echo / "handler.wasm", None))
    prewarmed_exports = Sandbox(
        FunctionConfig("echo", "handler.wasm#handle", upper / "handler.wasm", "handle")
    )
    return {
        "baseline: bare wasmtime-py instantiate + call (exports module)": per_call_us(
            bare_wasmtime_call(wasm(EXPORTS_UPPER)), calls
        ),
        "sandbox.run, exports ABI": per_call_us(
            lambda: exports_box.run(EVENT, deadline=deadline), calls
        ),
        "sandbox.run, wasi ABI": per_call_us(lambda: wasi_box.run(EVENT, deadline=deadline), calls),
        "sandbox.run after prewarm (the loop's path), exports ABI": on_path_us(
            prewarmed_exports, deadline, calls
        ),
        "sandbox.run after prewarm (the loop's path), wasi ABI": on_path_us(
            prewarmed_wasi, deadline, calls
        ),
        "whole cycle, wasi ABI: invoke + after_response (metric line, next instance)": (
            per_call_us(lambda: invoke_and_tidy(silent, deadline), calls)
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--busy-core", action="store_true", help="keep one core busy meanwhile")
    args = parser.parse_args()
    spinner = (
        subprocess.Popen([sys.executable, "-c", "while True: pass"]) if args.busy_core else None
    )
    try:
        run(args)
    finally:
        if spinner is not None:
            spinner.kill()
            spinner.wait()


def run(args: argparse.Namespace) -> None:
    compileall.compile_dir(str(REPO_ROOT / "runtime-layer" / "wasmdeploy_runtime"), quiet=1)
    with tempfile.TemporaryDirectory(prefix="bench-warm-") as tmp:
        base = Path(tmp)
        echo = write_task_root(base / "wasi", ECHO)
        (echo / "handler.cwasm").write_bytes(precompile(wasm(ECHO), fuel=False))
        upper = write_task_root(base / "exports", EXPORTS_UPPER)
        (upper / "handler.cwasm").write_bytes(precompile(wasm(EXPORTS_UPPER), fuel=False))
        ric_root = base / "ric"
        ric_root.mkdir()
        ric: list[float] = []
        wasi: list[float] = []
        exports: list[float] = []
        for round_ in range(3):  # interleaved, so load changes hit every side alike
            ric.append(awslambdaric_throughput(ric_root, base / f"ric-logs{round_}", args.events))
            wasi.append(wasmdeploy_throughput(echo, base / f"w{round_}", None, args.events))
            exports.append(
                wasmdeploy_throughput(
                    upper, base / f"e{round_}", "handler.wasm#handle", args.events
                )
            )
        in_process = in_process_figures(base, args.calls)
    baseline = statistics.median(ric)
    busy = ", one core kept busy" if args.busy_core else ""
    print(
        f"warm throughput, {args.events} sequential events, median of 3 rounds{busy}; goal >= 1.0x"
    )
    print(f"{'baseline: awslambdaric, Python echo handler':48s} {baseline:8.0f} inv/s")
    for name, samples in (
        ("wasmdeploy bootstrap, wasi echo", wasi),
        ("wasmdeploy bootstrap, exports ABI", exports),
    ):
        value = statistics.median(samples)
        print(f"{name:48s} {value:8.0f} inv/s   ratio {value / baseline:.2f}")
    print()
    print(f"in-process cost per invocation, median of 7 x {args.calls} calls; goal <= 200 us")
    base_us = next(iter(in_process.values()))
    for name, value in in_process.items():
        print(f"{name:76s} {value:7.1f} us   x{value / base_us:.2f}")


if __name__ == "__main__":
    main()
