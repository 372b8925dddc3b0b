"""The image pipeline's transform (PNG -> grayscale, inverted -> PNG) on a
1024x1024 RGBA PNG, every way it can run, in one process and one table:

- the wasmdeploy runtime in process (`wasmdeploy_runtime.function.WasmFunction`,
  sandbox limits on), WASI module and exports module;
- wasmtime directly (no sandbox limits, no runtime), both modules;
- `wasmdeploy invoke --object` (a whole local invocation: CLI, local S3,
  Runtime API, bootstrap process), when the CLI is installed;
- the same Zig source compiled natively for this machine (`zig build-exe`);
- Pillow (C; its luma rounds a little differently, so its pixels may differ by 1);
- pure Python (zlib for deflate, Python loops for filters and pixels).

Every output is decoded and compared with the module's; ratios compare each
variant's fastest run with the native build's.

    python benchmarks/bench_image.py [--repeat 5] [--size 1024] [--python-repeat 1]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import struct
import subprocess
import sys
import tempfile
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageChops, ImageOps

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "image-pipeline"
WASI_MODULE = EXAMPLE / "grayscale-invert.wasm"
EXPORTS_MODULE = EXAMPLE / "grayscale-invert-exports.wasm"
sys.path.insert(0, str(REPO / "runtime-layer"))


# ---------------------------------------------------------------- the input


def photo_like_png(size: int) -> bytes:
    """A size x size RGBA PNG with gradients, texture and a soft alpha: compresses like a photo."""
    red = Image.linear_gradient("L").resize((size, size))
    green = Image.radial_gradient("L").resize((size, size))
    blue = Image.effect_noise((size, size), 40).point(lambda v: (v + 64) % 256)
    alpha = ImageChops.invert(Image.radial_gradient("L").resize((size, size)))
    image = Image.merge("RGBA", (red, green, ImageChops.add(blue, red, scale=2), alpha))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


# ---------------------------------------------------------------- pure Python


def _paeth(a: int, b: int, c: int) -> int:
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def python_transform(png: bytes) -> bytes:
    """The module's algorithm in Python: 8-bit RGBA in, gray+alpha out, adaptive filters."""
    pos, idat, header = 8, bytearray(), b""
    while pos < len(png):
        (length,) = struct.unpack(">I", png[pos : pos + 4])
        kind, data = png[pos + 4 : pos + 8], png[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            header = data
        elif kind == b"IDAT":
            idat += data
        pos += 12 + length
    width, height, depth, colour = struct.unpack(">IIBB", header[:10])
    if (depth, colour) != (8, 6):
        raise ValueError("this Python version takes 8-bit RGBA only")
    raw = zlib.decompress(bytes(idat))
    stride, row_len = 4, width * 4
    previous = bytearray(row_len)
    out_rows = []
    for y in range(height):
        start = y * (row_len + 1)
        kind, row = raw[start], bytearray(raw[start + 1 : start + 1 + row_len])
        for i in range(row_len):
            a = row[i - stride] if i >= stride else 0
            b = previous[i]
            c = previous[i - stride] if i >= stride else 0
            predicted = (0, a, b, (a + b) >> 1, _paeth(a, b, c) if kind == 4 else 0)[kind]
            row[i] = (row[i] + predicted) & 0xFF
        gray_alpha = bytearray(width * 2)
        for x in range(width):
            r, g, b_, alpha = row[4 * x : 4 * x + 4]
            gray_alpha[2 * x] = 255 - (299 * r + 587 * g + 114 * b_ + 500) // 1000
            gray_alpha[2 * x + 1] = alpha
        out_rows.append(bytes(gray_alpha))
        previous = row
    return _python_encode(width, height, out_rows)


def _python_encode(width: int, height: int, rows: list[bytes]) -> bytes:
    stride, filtered = 2, bytearray()
    previous = bytes(width * 2)
    for row in rows:
        best: tuple[int, int, bytes] | None = None
        for kind in range(5):
            line = bytearray(len(row))
            cost = 0
            for i, x in enumerate(row):
                a = row[i - stride] if i >= stride else 0
                b = previous[i]
                c = previous[i - stride] if i >= stride else 0
                predicted = (0, a, b, (a + b) >> 1, _paeth(a, b, c) if kind == 4 else 0)[kind]
                v = (x - predicted) & 0xFF
                line[i] = v
                cost += v if v < 128 else 256 - v
            if best is None or cost < best[0]:
                best = (cost, kind, bytes(line))
        assert best is not None
        filtered.append(best[1])
        filtered += best[2]
        previous = row

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 4, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(bytes(filtered), 4))
        + chunk(b"IEND", b"")
    )


# ---------------------------------------------------------------- Pillow


def pillow_transform(png: bytes) -> bytes:
    image = Image.open(io.BytesIO(png))
    alpha = image.getchannel("A")
    gray = ImageOps.invert(image.convert("L"))  # Pillow's ITU-R 601-2 luma
    buffer = io.BytesIO()
    Image.merge("LA", (gray, alpha)).save(buffer, "PNG", compress_level=4)
    return buffer.getvalue()


# ---------------------------------------------------------------- wasmtime, runtime, native


def wasmtime_direct(module_path: Path, *, exports: bool) -> Callable[[bytes], bytes]:
    import wasmtime

    engine = wasmtime.Engine()
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
    binary = tmp / "grayscale-invert-native"
    command = [sys.executable, "-m", "ziglang", "build-exe", "src/wasi_main.zig", "-O",
               "ReleaseFast", "-fstrip", f"-femit-bin={binary}"]  # fmt: skip
    try:
        subprocess.run(command, cwd=EXAMPLE, check=True, capture_output=True, timeout=300)
    except (OSError, subprocess.CalledProcessError) as error:
        return f"zig build-exe failed: {error}"

    def call(png: bytes) -> bytes:
        return subprocess.run([str(binary)], input=png, capture_output=True, check=True).stdout

    return call


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


def measure(call: Callable[[bytes], bytes], png: bytes, repeat: int) -> tuple[list[float], bytes]:
    output = call(png)  # warm-up: compile caches, imports
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        output = call(png)
        times.append(time.perf_counter() - started)
    return times, output


def compare_pixels(output: bytes, reference: bytes) -> str:
    got = Image.open(io.BytesIO(output)).tobytes()
    want = Image.open(io.BytesIO(reference)).tobytes()
    if got == want:
        return "identical"
    diff = max(abs(a - b) for a, b in zip(got, want, strict=True))
    return f"max diff {diff}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per variant")
    parser.add_argument("--size", type=int, default=1024, help="image width and height")
    parser.add_argument("--python-repeat", type=int, default=1, help="timed pure-Python runs")
    parser.add_argument("--json", action="store_true", help="print the rows as JSON too")
    args = parser.parse_args()

    png = photo_like_png(args.size)
    tmp = Path(tempfile.mkdtemp(prefix="bench-image-"))
    reference = wasmtime_direct(WASI_MODULE, exports=False)(png)

    repeat = args.repeat
    variants: list[tuple[str, Callable[[bytes], bytes] | str, int]] = [
        ("native (zig build-exe, subprocess)", native_build(tmp), repeat),
        ("wasmtime direct, exports ABI", wasmtime_direct(EXPORTS_MODULE, exports=True), repeat),
        ("wasmtime direct, WASI", wasmtime_direct(WASI_MODULE, exports=False), repeat),
        ("wasmdeploy runtime, exports ABI", runtime_in_process(EXPORTS_MODULE, "handle"), repeat),
        ("wasmdeploy runtime, WASI", runtime_in_process(WASI_MODULE, None), repeat),
        ("wasmdeploy invoke --object (CLI)", cli_invoke(tmp, png), max(1, repeat // 2)),
        ("Pillow", pillow_transform, repeat),
        ("pure Python (zlib + loops)", python_transform, args.python_repeat),
    ]

    rows: list[Row] = []
    skipped: list[tuple[str, str]] = []
    for name, call, repeat in variants:
        if isinstance(call, str):
            skipped.append((name, call))
            continue
        times, output = measure(call, png, repeat)
        rows.append(Row(name, times, compare_pixels(output, reference)))
        print(f"  measured {name}", file=sys.stderr)

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
    console = Console()
    console.print(table)
    for name, reason in skipped:
        console.print(f"skipped {name}: {reason}")


if __name__ == "__main__":
    main()
