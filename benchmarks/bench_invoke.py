"""A cold `wasmdeploy invoke` end to end, beside `python -c "import wasmtime"`.

Everything a user waits for: the CLI starting, the manifest loading, the task
root staged, a runtime process started (Python + wasmtime), the module
compiled, one invocation, and the sandbox torn down. The baseline, measured
in the same run, is what importing wasmtime alone costs a fresh interpreter.

    python benchmarks/bench_invoke.py [--runs 7]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import wasmtime

HELLO_WAT = """
(module
  (memory (export "memory") 1)
  (data (i32.const 64) "{\\"message\\":\\"hello\\"}")
  (func (export "alloc") (param i32) (result i32) (i32.const 4096))
  (func (export "handle") (param i32 i32) (result i64)
    (i64.or (i64.shl (i64.const 64) (i64.const 32)) (i64.const 19))))
"""
MANIFEST = """
service: bench
provider:
  name: aws
  runtime: provided.al2023
functions:
  hello:
    handler: hello.wasm#handle
    sandbox:
      allowedImports: []
"""


def timed(command: list[str], cwd: Path) -> float:
    began = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, capture_output=True, env=os.environ)
    elapsed = time.perf_counter() - began
    if result.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{result.stderr.decode()}")
    return elapsed * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-invoke-") as directory:
        root = Path(directory)
        (root / "hello.wasm").write_bytes(wasmtime.wat2wasm(HELLO_WAT))
        (root / "wasmdeploy.yml").write_text(textwrap.dedent(MANIFEST))
        commands = {
            'python -c "import wasmtime"': [sys.executable, "-c", "import wasmtime"],
            "wasmdeploy invoke hello": [sys.executable, "-m", "wasmdeploy", "invoke", "hello"],
        }
        figures: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.runs):  # interleaved, so both see the same machine load
            for name, command in commands.items():
                figures[name].append(timed(command, root))
    base = statistics.median(figures['python -c "import wasmtime"'])
    print(f"{args.runs} cold runs each, median and min wall time, CPUs: {os.cpu_count()}")
    print(f"{'command':<30}{'median ms':>12}{'min ms':>10}{'vs baseline':>14}")
    for name, values in figures.items():
        median = statistics.median(values)
        print(f"{name:<30}{median:>12.0f}{min(values):>10.0f}{median / base:>13.1f}x")


if __name__ == "__main__":
    main()
