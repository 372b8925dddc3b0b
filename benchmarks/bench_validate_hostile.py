"""Time and peak memory of `wasmdeploy validate` refusing manifests that multiply themselves.

YAML aliases of aliases (the "billion laughs"), merge keys that double, and
`${self:}` variables that double strings or structures must be refused quickly
and in bounded memory. Each runs as a fresh subprocess, as a user runs it; the
baseline, measured in the same run, is `validate` of an ordinary 200-function
manifest. Targets: under 2 s and under 200 MB peak for every case.

    python benchmarks/bench_validate_hostile.py [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_validate import write_service

TARGET_SECONDS = 2.0
TARGET_MB = 200.0
HEAD = "service: hostile\nprovider:\n  name: aws\ncustom:\n"
TAIL = "functions:\n  f:\n    handler: f\n"


def chain(first: str, line: str, levels: int) -> str:
    """`first`, then `levels - 1` lines each built from the one before by `line`."""
    lines = [f"  v0: {first}"]
    lines += [f"  v{n}: " + line.format(n=n, p=n - 1) for n in range(1, levels)]
    return "\n".join(lines) + "\n"


CASES = {
    "alias lists, 10 levels of 10 (1e10 values)": chain(
        "&v0 [" + ", ".join(["lol"] * 10) + "]", "&v{n} [" + ", ".join(["*v{p}"] * 10) + "]", 10
    ),
    "alias mappings, 40 levels of 2": chain("&v0 {a: x}", "&v{n} {{a: *v{p}, b: *v{p}}}", 40),
    "merge keys, 40 levels of 2": chain("&v0 {k0: 1}", "&v{n} {{<<: [*v{p}, *v{p}], k{n}: 1}}", 40),
    "${self:} strings, 40 doublings": chain(
        "ha", "'${{self:custom.v{p}}}${{self:custom.v{p}}}'", 40
    ),
    "${self:} lists, 40 doublings": chain(
        "[ha]", "['${{self:custom.v{p}}}', '${{self:custom.v{p}}}']", 40
    ),
}


def measure(command: list[str], cwd: Path, runs: int) -> tuple[float, float]:
    """Median seconds and largest peak RSS (MB) of `runs` runs; each must exit 0 or 1."""
    seconds, peaks = [], []
    for _ in range(runs):
        start = time.perf_counter()
        process = subprocess.Popen(
            command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        _, status, usage = os.wait4(process.pid, 0)
        seconds.append(time.perf_counter() - start)
        peaks.append(usage.ru_maxrss / 1024)
        code = os.waitstatus_to_exitcode(status)
        if code not in (0, 1):
            error = process.stderr.read().decode() if process.stderr else ""
            raise SystemExit(f"{' '.join(command)} exited {code}:\n{error}")
        process.returncode = code
        if process.stderr:
            process.stderr.close()
    return statistics.median(seconds), max(peaks)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    validate = [sys.executable, "-m", "wasmdeploy", "validate"]
    rows = []
    with tempfile.TemporaryDirectory() as base_dir, tempfile.TemporaryDirectory() as hostile_dir:
        base, hostile = Path(base_dir), Path(hostile_dir)
        write_service(base, 200, distinct_modules=10)
        baseline = measure(validate, base, args.runs)
        rows.append(("baseline: validate, 200 functions", *baseline))
        for name, custom in CASES.items():
            (hostile / "wasmdeploy.yml").write_text(HEAD + custom + TAIL)
            rows.append((name, *measure(validate, hostile, args.runs)))
    width = max(len(name) for name, _, _ in rows)
    print(
        f"{'manifest'.ljust(width)}  median s  x baseline  peak MB  x baseline  "
        f"target {TARGET_SECONDS:.0f} s, {TARGET_MB:.0f} MB"
    )
    for name, seconds, peak in rows:
        verdict = "ok" if seconds < TARGET_SECONDS and peak < TARGET_MB else "OVER"
        print(
            f"{name.ljust(width)}  {seconds:8.3f}  {seconds / baseline[0]:10.2f}  "
            f"{peak:7.1f}  {peak / baseline[1]:10.2f}  {verdict}"
        )


if __name__ == "__main__":
    main()
