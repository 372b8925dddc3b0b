"""Cold start of the custom runtime, beside `python -c "import wasmtime"`.

A cold start here is what Lambda's Init phase plus the first invocation cost
inside the sandbox: a fresh `runtime-layer/bootstrap` process (sh, then
Python, wasmtime, the runtime package, the module from its `.cwasm`) until its
first response reaches a Runtime API on loopback. The baseline, measured in
the same run and interleaved with it, is a fresh interpreter importing
wasmtime (timed until it says so on a pipe). Goal: ratio <= 1.25.

    python benchmarks/bench_runtime_cold.py [--runs 15]
"""

from __future__ import annotations

import argparse
import compileall
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))
sys.path.insert(0, str(REPO_ROOT / "runtime-layer"))

from wasmdeploy_runtime.engine import precompile  # noqa: E402

from tests.functional.runtime_api_server import RuntimeApiServer  # noqa: E402
from tests.functional.runtime_modules import (  # noqa: E402
    ECHO,
    EXPORTS_UPPER,
    wasm,
    write_task_root,
)
from tests.functional.runtime_process import BootstrapProcess  # noqa: E402


def time_import_wasmtime() -> float:
    """Until the fresh interpreter has imported wasmtime (not until it has exited: the
    runtime is timed to its first response, not to its exit)."""
    started = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-c", "import wasmtime, os; os.write(1, b'ready')"],
        stdout=subprocess.PIPE,
    )
    assert child.stdout is not None
    ready = child.stdout.read(5)
    elapsed = time.perf_counter() - started
    child.wait()
    if ready != b"ready":
        raise RuntimeError("the baseline interpreter failed to import wasmtime")
    return elapsed


def time_cold_start(root: Path, logs: Path, handler: str | None, payload: bytes) -> float:
    api = RuntimeApiServer()
    invocation = api.submit(payload)
    started = time.perf_counter()
    process = BootstrapProcess(api.address, root, logs, handler=handler)
    try:
        if not invocation.done.wait(60):
            raise RuntimeError(f"no answer from the runtime: {process.stderr}")
        elapsed = time.perf_counter() - started
    finally:
        process.stop()
        api.close()
    if invocation.error is not None:
        raise RuntimeError(invocation.error.decode())
    return elapsed


def task_roots(base: Path) -> dict[str, tuple[Path, str | None, bytes]]:
    event = b'{"cold": true}'
    roots: dict[str, tuple[Path, str | None, bytes]] = {}
    echo = write_task_root(base / "wasi-cwasm", ECHO)
    (echo / "handler.cwasm").write_bytes(precompile(wasm(ECHO), fuel=False))
    roots["wasi echo, .cwasm"] = (echo, None, event)
    upper = write_task_root(base / "exports-cwasm", EXPORTS_UPPER)
    (upper / "handler.cwasm").write_bytes(precompile(wasm(EXPORTS_UPPER), fuel=False))
    roots["exports echo, .cwasm"] = (upper, "handler.wasm#handle", event)
    roots["wasi echo, compiled at init"] = (
        write_task_root(base / "wasi-compile", ECHO),
        None,
        event,
    )
    image = REPO_ROOT / "examples" / "image-pipeline" / "grayscale-invert.wasm"
    sample = image.with_name("sample.png")
    if image.is_file() and sample.is_file():
        image_root = write_task_root(base / "image", image.read_bytes())
        (image_root / "handler.cwasm").write_bytes(precompile(image.read_bytes(), fuel=False))
        roots["image function on sample.png, .cwasm"] = (image_root, None, sample.read_bytes())
    return roots


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    # The layer ships the runtime's .pyc files; a checkout may not have them yet.
    compileall.compile_dir(str(REPO_ROOT / "runtime-layer" / "wasmdeploy_runtime"), quiet=1)
    with tempfile.TemporaryDirectory(prefix="bench-cold-") as tmp:
        base = Path(tmp)
        roots = task_roots(base)
        baseline: list[float] = []
        cold: dict[str, list[float]] = {name: [] for name in roots}
        time_import_wasmtime()  # warm the page cache for both sides
        for run in range(args.runs):
            baseline.append(time_import_wasmtime())
            for name, (root, handler, payload) in roots.items():
                cold[name].append(time_cold_start(root, base / f"logs{run}", handler, payload))
    base_median = statistics.median(baseline)
    print(f"cold start, {args.runs} runs each, median (min) in ms; goal ratio <= 1.25")
    label = 'baseline: python -c "import wasmtime"'
    print(f"{label:46s} {base_median * 1000:8.1f} ({min(baseline) * 1000:.1f})")
    for name, samples in cold.items():
        median = statistics.median(samples)
        print(
            f"{'bootstrap to first response: ' + name:46s} {median * 1000:8.1f} "
            f"({min(samples) * 1000:.1f})   ratio {median / base_median:.2f}"
        )


if __name__ == "__main__":
    main()
