"""The image pipeline's transform (PNG -> grayscale, inverted -> PNG) on a
1024x1024 RGBA PNG, every way it can run, in one process and one table:

- the wasmdeploy runtime in process (`wasmdeploy_runtime.function.WasmFunction`,
  sandbox limits on), WASI module and exports module; the WASI module built
  without simd128 and after wasm-opt -O3 (`image_builds.py`); any other builds
  given with `--module LABEL=PATH` (a previous build, say);
- wasmtime directly (default engine: no epoch interruption, no sandbox limits),
  both modules;
- `wasmdeploy invoke --object` (a whole local invocation: CLI, local S3,
  Runtime API, bootstrap process), when the CLI is installed;
- the same Zig source compiled natively for this machine (`zig build-exe`);
- Pillow (C; its luma rounds a little differently, so its pixels may differ by 1);
- pure Python (zlib for deflate, Python loops for filters and pixels).

Every output is compared with the module's, byte for byte and decoded; ratios
compare each variant's fastest run with the native build's. The variants take
turns (one run of each per round), so a busy machine slows them alike.

    python benchmarks/bench_image.py [--repeat 5] [--size 1024] [--python-repeat 1]
        [--module LABEL=PATH ...] [--json]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import image_builds
from image_references import photo_like_png, pillow_transform, python_transform
from PIL import Image

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "image-pipeline"
WASI_MODULE = EXAMPLE / "grayscale-invert.wasm"
EXPORTS_MODULE = EXAMPLE / "grayscale-invert-exports.wasm"
sys.path.insert(0, str(REPO / "runtime-layer"))


# ---------------------------------------------------------------- wasmtime, runtime, native


def wasmtime_direct(
    module_path: Path, *, exports: bool, engine: Any = None
) -> Callable[[bytes], bytes]:
    """The module run by wasmtime itself: the default engine (no epoch interruption, no
    sandbox limits), or `engine` with an epoch deadline that no tick reaches."""
    import wasmtime

    engine = engine or wasmtime.Engine()
    module = wasmtime.Module.from_file(engine, str(module_path))
    if exports:

        def call_exports(png: bytes) -> bytes:
            store = wasmtime.Store(engine)
            ex = wasmtime.Instance(store, module, []).exports(store)
            memory, alloc, handle = ex["memory"], ex["alloc"], ex["handle"]
            pointer = alloc(store, len(png))  # type: ignore[operator]
            memory.write(store, png, pointer)  # type: ignore[union-attr]
            packed = handle(store, pointer, len(png)) & 0xFFFF_FFFF_FFFF_FFFF  # type: ignore[operator]
            start, length = packed >> 32, packed & 0xFFFF_FFFF
            return bytes(memory.read(store, start, start + length))  # type: ignore[union-attr]

        return call_exports

    linker = wasmtime.Linker(engine)
    linker.define_wasi()
    work = Path(tempfile.mkdtemp(prefix="bench-image-"))

    def call_wasi(png: bytes) -> bytes:
        (work / "in").write_bytes(png)
        config = wasmtime.WasiConfig()
        config.stdin_file = str(work / "in")
        config.stdout_file = str(work / "out")
        store = wasmtime.Store(engine)
        store.set_wasi(config)
        store.set_epoch_deadline(1)  # used only by an engine with epoch interruption
        start = linker.instantiate(store, module).exports(store)["_start"]
        try:
            start(store)  # type: ignore[operator]
        except wasmtime.ExitTrap as exit_trap:
            if exit_trap.code != 0:
                raise
        return (work / "out").read_bytes()

    return call_wasi


def runtime_in_process(module_path: Path, export: str | None) -> Callable[[bytes], bytes]:
    from wasmdeploy_runtime.config import FunctionConfig, SandboxLimits
    from wasmdeploy_runtime.function import WasmFunction

    config = FunctionConfig(
        function_name="processImage",
        handler=module_path.name + (f"#{export}" if export else ""),
        module_path=module_path,
        export=export,
        sandbox=SandboxLimits(memory_limit=256 * 1024 * 1024, max_time=25.0),
    )
    function = WasmFunction(config, log=lambda _: None, metrics=lambda _: None)

    def call(png: bytes) -> bytes:
        result = function.invoke(png)
        if result.body is None:
            raise RuntimeError(f"function error: {result.error}")
        return result.body

    return call


def native_build(tmp: Path) -> Callable[[bytes], bytes] | str:
    """The module's source compiled for this machine; a reason string when it cannot be."""
    binary = image_builds.native_binary(tmp)
    if isinstance(binary, str):
        return binary

    def call(png: bytes) -> bytes:
        return subprocess.run([str(binary)], input=png, capture_output=True, check=True).stdout

    return call


def runtime_build(built: Path | str) -> Callable[[bytes], bytes] | str:
    """A WASI module of `image_builds` through the runtime; its reason when it was not built."""
    return built if isinstance(built, str) else runtime_in_process(built, None)


def cli_invoke(tmp: Path, png: bytes) -> Callable[[bytes], bytes] | str:
    (tmp / "in.png").write_bytes(png)
    out = tmp / "out.png"
    command = [sys.executable, "-m", "wasmdeploy", "invoke", "processImage",
               "--object", str(tmp / "in.png"), "--out", str(out)]  # fmt: skip
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench"}

    def call(_: bytes) -> bytes:
        subprocess.run(command, cwd=EXAMPLE, env=env, check=True, capture_output=True)
        return out.read_bytes()

    try:
        call(png)
    except (OSError, subprocess.CalledProcessError) as error:
        return f"wasmdeploy invoke failed: {getattr(error, 'stderr', b'')[-300:]!r}"
    return call


# ---------------------------------------------------------------- measuring


@dataclass
class Row:
    name: str
    times: list[float]
    pixels_note: str


Variant = tuple[str, Callable[[bytes], bytes], int]


def measure(variants: list[Variant], png: bytes) -> dict[str, tuple[list[float], bytes]]:
    """Times each variant `repeat` times, in rounds of one run each; the last outputs."""
    outputs = {name: call(png) for name, call, _ in variants}  # warm-up: compiles, imports
    times: dict[str, list[float]] = {name: [] for name, _, _ in variants}
    for round_number in range(max(repeat for _, _, repeat in variants)):
        for name, call, repeat in variants:
            if round_number < repeat:
                started = time.perf_counter()
                outputs[name] = call(png)
                times[name].append(time.perf_counter() - started)
        print(f"  round {round_number + 1}", file=sys.stderr)
    return {name: (times[name], outputs[name]) for name, _, _ in variants}


def compare_pixels(output: bytes, reference: bytes) -> str:
    if output == reference:
        return "same bytes"
    got = Image.open(io.BytesIO(output)).tobytes()
    want = Image.open(io.BytesIO(reference)).tobytes()
    if got == want:
        return "same pixels"
    diff = max(abs(a - b) for a, b in zip(got, want, strict=True))
    return f"max diff {diff}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per variant")
    parser.add_argument("--size", type=int, default=1024, help="image width and height")
    parser.add_argument("--python-repeat", type=int, default=1, help="timed pure-Python runs")
    parser.add_argument("--json", action="store_true", help="print the rows as JSON too")
    parser.add_argument(
        "--module",
        action="append",
        default=[],
        metavar="LABEL=PATH",
        help="another build of the WASI module to run through the runtime (repeatable)",
    )
    args = parser.parse_args()

    png = photo_like_png(args.size)
    tmp = Path(tempfile.mkdtemp(prefix="bench-image-"))
    reference = wasmtime_direct(WASI_MODULE, exports=False)(png)

    repeat = args.repeat
    variants: list[tuple[str, Callable[[bytes], bytes] | str, int]] = [
        ("native (zig build-exe, subprocess)", native_build(tmp), repeat),
        ("wasmdeploy runtime, WASI", runtime_in_process(WASI_MODULE, None), repeat),
        ("wasmdeploy runtime, exports ABI", runtime_in_process(EXPORTS_MODULE, "handle"), repeat),
        (
            "wasmdeploy runtime, WASI, no simd128",
            runtime_build(image_builds.wasi_without_simd(tmp)),
            repeat,
        ),
        (
            "wasmdeploy runtime, WASI, wasm-opt -O3",
            runtime_build(image_builds.wasi_after_wasm_opt(tmp)),
            repeat,
        ),
        *[
            (f"wasmdeploy runtime, WASI, {label}", runtime_in_process(Path(path), None), repeat)
            for label, _, path in (spec.partition("=") for spec in args.module)
        ],
        ("wasmtime direct, WASI", wasmtime_direct(WASI_MODULE, exports=False), repeat),
        ("wasmtime direct, exports ABI", wasmtime_direct(EXPORTS_MODULE, exports=True), repeat),
        ("wasmdeploy invoke --object (CLI)", cli_invoke(tmp, png), max(1, repeat // 2)),
        ("Pillow", pillow_transform, repeat),
        ("pure Python (zlib + loops)", python_transform, args.python_repeat),
    ]

    skipped = [(name, call) for name, call, _ in variants if isinstance(call, str)]
    runnable = [(name, call, n) for name, call, n in variants if not isinstance(call, str)]
    results = measure(runnable, png)
    rows = [
        Row(name, times, compare_pixels(out, reference)) for name, (times, out) in results.items()
    ]

    print_table(rows, skipped, args.size, len(png))
    if args.json:
        rows_json = [{"name": r.name, "times_s": r.times, "pixels": r.pixels_note} for r in rows]
        print(json.dumps(rows_json))


def print_table(rows: list[Row], skipped: list[tuple[str, str]], size: int, png_len: int) -> None:
    from rich.console import Console
    from rich.table import Table

    # Ratios compare the fastest runs: the least disturbed by other work on the machine.
    baseline = next((r for r in rows if r.name.startswith("native")), rows[0])
    base = min(baseline.times)
    table = Table(
        title=f"grayscale + invert, {size}x{size} RGBA PNG ({png_len / 1024:.0f} KiB)",
        title_justify="left",
    )
    ratio_column = f"min / {baseline.name.split()[0]}"
    for column in ("variant", "median ms", "min ms", "runs", ratio_column, "pixels"):
        table.add_column(column, justify="left" if column in ("variant", "pixels") else "right")
    for row in rows:
        median = statistics.median(row.times)
        table.add_row(
            row.name,
            f"{median * 1000:.1f}",
            f"{min(row.times) * 1000:.1f}",
            str(len(row.times)),
            f"{min(row.times) / base:.2f}",
            row.pixels_note,
        )
    console = Console(width=max(Console().width, 112))  # one line per variant
    console.print(table)
    for name, reason in skipped:
        console.print(f"skipped {name}: {reason}")


if __name__ == "__main__":
    main()
