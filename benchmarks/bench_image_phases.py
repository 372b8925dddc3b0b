"""Where the image module's time goes, phase by phase, natively and under wasmtime.

`bench_image.py` times the whole transform; this splits it. `image_phases/phases.zig`
(beside a copy of the example's sources) times each phase inside the program, the
fastest of five rounds, on the same 1024x1024 photo-like PNG:

- native: `zig build-exe` for this machine (host CPU), ReleaseFast;
- wasm, as the runtime runs it: the example's own build flags (simd128, ReleaseFast),
  the runtime's engine (epoch interruption on: it is how `maxTime` stops a guest);
- wasm without epoch interruption: what that safety costs.

Two deflates are timed on the same filtered rows: the example's (std.compress.flate
level 4) and std's Huffman-only encoder, with their output sizes.

    python benchmarks/bench_image_phases.py [--size 1024] [--json]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

import image_builds
from bench_image import wasmtime_direct
from image_references import photo_like_png

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "runtime-layer"))
PHASES = Path(__file__).resolve().parent / "image_phases" / "phases.zig"


def build(tmp: Path) -> tuple[Path, Path] | str:
    """The phases program natively and as a WASI module; a reason when zig fails."""
    source = tmp / "src"
    shutil.copytree(image_builds.EXAMPLE / "src", source)
    shutil.copy(PHASES, source / "phases.zig")
    native, module = tmp / "phases-native", tmp / "phases.wasm"
    flags = [w for w in image_builds.wasi_build_args() if not w.startswith("-femit-bin=")]
    wasi_flags = [w for w in flags[1:] if not w.endswith(".zig")]  # after build-exe, no source
    failed = image_builds.run_zig(
        ["build-exe", "phases.zig", "-O", "ReleaseFast", "-fstrip", f"-femit-bin={native}"], source
    ) or image_builds.run_zig(
        ["build-exe", "phases.zig", *wasi_flags, f"-femit-bin={module}"], source
    )
    return failed or (native, module)


def parse(output: str) -> tuple[dict[str, float], tuple[int, int]]:
    phases, sizes = {}, (0, 0)
    for line in output.splitlines():
        name, *values = line.split("\t")
        if name == "sizes":
            sizes = (int(values[0]), int(values[1]))
        else:
            phases[name] = float(values[0])
    return phases, sizes


def run_native(binary: Path, png: bytes) -> str:
    import subprocess

    return subprocess.run([str(binary)], input=png, capture_output=True, check=True).stdout.decode()


def run_wasm(module: Path, png: bytes, *, epoch: bool) -> str:
    """The phases under the runtime's engine (epoch checks on), or wasmtime's default."""
    from wasmdeploy_runtime.engine import engine_for

    engine = engine_for(fuel=False, stack_limit=2 * 1024 * 1024) if epoch else None
    return wasmtime_direct(module, exports=False, engine=engine)(png).decode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1024, help="image width and height")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON too")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-image-phases-"))
    built = build(tmp)
    if isinstance(built, str):
        sys.exit(f"cannot build the phases program: {built}")
    native_binary, module = built
    png = photo_like_png(args.size)
    native, sizes = parse(run_native(native_binary, png))
    wasm, _ = parse(run_wasm(module, png, epoch=True))
    no_epoch, _ = parse(run_wasm(module, png, epoch=False))
    print_table(native, wasm, no_epoch, sizes)
    if args.json:
        deflate_bytes = {"level_4": sizes[0], "huffman_only": sizes[1]}
        figures = {"native_ms": native, "wasm_ms": wasm, "wasm_no_epoch_ms": no_epoch}
        print(json.dumps({**figures, "deflate_bytes": deflate_bytes}))


def print_table(
    native: dict[str, float],
    wasm: dict[str, float],
    no_epoch: dict[str, float],
    sizes: tuple[int, int],
) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="image pipeline phases (fastest of 5 rounds, ms)", title_justify="left")
    for column in ("phase", "native", "wasm", "wasm / native", "wasm, no epoch", "its ratio"):
        table.add_column(column, justify="left" if column == "phase" else "right")
    for name, base in native.items():
        table.add_row(
            name,
            f"{base:.2f}",
            f"{wasm[name]:.2f}",
            f"{wasm[name] / base:.2f}",
            f"{no_epoch[name]:.2f}",
            f"{no_epoch[name] / base:.2f}",
        )
    console = Console(width=max(Console().width, 100))
    console.print(table)
    console.print(f"deflate output: level 4 {sizes[0]} bytes, Huffman-only {sizes[1]} bytes")


if __name__ == "__main__":
    main()
