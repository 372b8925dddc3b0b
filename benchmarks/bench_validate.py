"""How long `wasmdeploy validate` takes on a 200-function manifest, and `wasmdeploy --help`.

Each command runs as a fresh subprocess (as a user runs it) several times; the
median is printed beside a baseline measured in the same run: a bare
interpreter importing the libraries validate cannot avoid (yaml, jsonschema,
wasmtime). The target is well under 2 s for both commands.

    python benchmarks/bench_validate.py [--functions 200] [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import wasmtime

TARGET_SECONDS = 2.0
MODULE_WAT = """
(module
  (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "_start") (drop (i32.const {n}))))
"""


def write_service(root: Path, functions: int, distinct_modules: int) -> Path:
    """A manifest with `functions` functions over `distinct_modules` different module contents."""
    modules = [wasmtime.wat2wasm(MODULE_WAT.format(n=n)) for n in range(distinct_modules)]
    lines = [
        "service: bench",
        "provider:",
        "  name: aws",
        "  stage: ${opt:stage, 'dev'}",
        "  sandbox: {memoryLimit: 64MB, maxTime: 5s}",
        "functions:",
    ]
    for index in range(functions):
        (root / f"fn{index}.wasm").write_bytes(modules[index % distinct_modules])
        kind = index % 3
        lines += [f"  fn{index}:", f"    handler: fn{index}", "    events:"]
        if kind == 0:
            lines.append(f"      - httpApi: 'GET /items{index}/{{id}}'")
        elif kind == 1:
            lines += [
                "      - s3:",
                f"          bucket: bench-${{sls:stage}}-{index}",
                "          rules: [{prefix: uploads/}]",
            ]
        else:
            lines.append(f"      - http: 'POST /orders{index}'")
    manifest = root / "wasmdeploy.yml"
    manifest.write_text("\n".join(lines) + "\n")
    return manifest


def median_seconds(command: list[str], cwd: Path, runs: int) -> float:
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        result = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
        timings.append(time.perf_counter() - start)
        if result.returncode != 0:
            raise SystemExit(f"{' '.join(command)} failed:\n{result.stdout}{result.stderr}")
    return statistics.median(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--functions", type=int, default=200)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    python = sys.executable
    with tempfile.TemporaryDirectory() as shared_dir, tempfile.TemporaryDirectory() as distinct_dir:
        shared, distinct = Path(shared_dir), Path(distinct_dir)
        write_service(shared, args.functions, distinct_modules=10)
        write_service(distinct, args.functions, distinct_modules=args.functions)
        baseline = median_seconds(
            [python, "-c", "import yaml, jsonschema, wasmtime"], shared, args.runs
        )
        rows = [
            ("baseline: import yaml, jsonschema, wasmtime", baseline),
            (
                "wasmdeploy --help",
                median_seconds([python, "-m", "wasmdeploy", "--help"], shared, args.runs),
            ),
            (
                f"validate, {args.functions} functions, 10 distinct modules",
                median_seconds([python, "-m", "wasmdeploy", "validate"], shared, args.runs),
            ),
            (
                f"validate, {args.functions} functions, {args.functions} distinct modules",
                median_seconds([python, "-m", "wasmdeploy", "validate"], distinct, args.runs),
            ),
        ]
    width = max(len(name) for name, _ in rows)
    print(f"{'command'.ljust(width)}  median s  x baseline  target {TARGET_SECONDS:.0f} s")
    for name, seconds in rows:
        verdict = "ok" if seconds < TARGET_SECONDS else "SLOW"
        print(f"{name.ljust(width)}  {seconds:8.3f}  {seconds / baseline:10.2f}  {verdict}")


if __name__ == "__main__":
    main()
