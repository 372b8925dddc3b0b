"""`wasmdeploy plan` on a 200-function manifest: wall time and peak memory.

Each command runs as its own process (as a user runs it), measured with
`os.wait4` for that child's peak RSS, beside baselines measured in the same
run: an empty interpreter, `import pulumi_aws`, and a one-function plan.

    python benchmarks/bench_plan.py [--functions 200] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.table import Table

REPO = Path(__file__).resolve().parent.parent
MODULE = REPO / "examples" / "http-api" / "http-api.wasm"


@dataclass(frozen=True)
class Measure:
    label: str
    seconds: float  # best of the repeats
    cpu_seconds: float  # user + system of the best run: steadier than wall time on a busy host
    peak_mb: float  # the largest peak RSS of the repeats
    detail: str = ""


def run_measured(command: list[str], cwd: Path) -> tuple[float, float, float, bytes]:
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    stdout = process.stdout.read() if process.stdout else b""
    stderr = process.stderr.read() if process.stderr else b""
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{stderr.decode()}")
    cpu = usage.ru_utime + usage.ru_stime
    return seconds, cpu, usage.ru_maxrss / 1024, stdout  # ru_maxrss is in KiB on Linux


def measure(label: str, command: list[str], cwd: Path, repeat: int) -> Measure:
    runs = [run_measured(command, cwd) for _ in range(repeat)]
    detail = ""
    output = runs[-1][3]
    if output.startswith(b"["):
        entries = json.loads(output)
        aws = sum(1 for entry in entries if entry["type"].startswith("aws:"))
        detail = f"{len(entries)} entries, {aws} AWS resources"
    best = min(runs, key=lambda run: run[0])
    return Measure(label, best[0], best[1], max(run[2] for run in runs), detail)


def function_entry(index: int) -> str:
    """Cycles through the event kinds, so the plan has every component in it."""
    name = f"fn{index:03d}"
    kind = index % 4
    lines = [f"  {name}:", "    handler: handler.wasm"]
    if kind == 0:
        lines += [
            "    events:",
            "      - s3:",
            f"          bucket: bench-uploads-{index // 40}",
            "          event: s3:ObjectCreated:*",
            "          rules:",
            f"            - prefix: in/{name}/",
        ]
    elif kind == 1:
        lines += ["    events:", f"      - httpApi: 'GET /{name}/{{id}}'"]
    elif kind == 2:
        lines += ["    architecture: arm64", "    events:", f"      - http: 'POST /{name}'"]
    return "\n".join(lines)


def write_manifest(directory: Path, functions: int) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    shutil.copy(MODULE, directory / "handler.wasm")
    body = "\n".join(function_entry(i) for i in range(functions))
    manifest = directory / "wasmdeploy.yml"
    manifest.write_text(
        f"service: bench{functions}\nprovider:\n  name: aws\n  region: eu-west-1\n"
        f"functions:\n{body}\n"
    )
    return manifest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--functions", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    python = sys.executable
    with tempfile.TemporaryDirectory(prefix="bench-plan-") as temporary:
        root = Path(temporary)
        big = write_manifest(root / "big", args.functions)
        small = write_manifest(root / "small", 1)
        plan = [python, "-m", "wasmdeploy", "plan", "--json", "-f"]
        results = [
            measure("python -c pass", [python, "-c", "pass"], root, args.repeat),
            measure("import pulumi_aws", [python, "-c", "import pulumi_aws"], root, args.repeat),
            measure("plan, 1 function", [*plan, str(small)], root, args.repeat),
            measure(f"plan, {args.functions} functions", [*plan, str(big)], root, args.repeat),
        ]
    table = Table(title=f"wasmdeploy plan (best of {args.repeat}; {os.cpu_count()} CPUs)")
    table.add_column("Command")
    table.add_column("Wall time", justify="right")
    table.add_column("CPU time", justify="right")
    table.add_column("Peak RSS", justify="right")
    table.add_column("Plan")
    for result in results:
        table.add_row(
            result.label,
            f"{result.seconds:.2f} s",
            f"{result.cpu_seconds:.2f} s",
            f"{result.peak_mb:.0f} MB",
            result.detail,
        )
    Console().print(table)
    baseline = results[1].cpu_seconds
    per_function = (results[3].cpu_seconds - results[2].cpu_seconds) / max(args.functions - 1, 1)
    Console().print(
        f"CPU: plan of {args.functions} functions = {results[3].cpu_seconds / baseline:.1f}x "
        f"`import pulumi_aws`; {per_function * 1000:.1f} ms per extra function "
        f"(load average {os.getloadavg()[0]:.1f} during the run)."
    )


if __name__ == "__main__":
    main()
