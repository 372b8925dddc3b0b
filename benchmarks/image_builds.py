"""Builds of the image pipeline's source for `bench_image.py`, made in a scratch directory.

- native: the source compiled for this machine (`zig build-exe`, host CPU);
- the WASI module built with the manifest's own command minus `-mcpu=generic+simd128`
  (what the SIMD filter pass is worth; without simd128 Zig's vectors become scalar code);
- the committed WASI module after binaryen's wasm-opt, as `build: {optimize: O3,
  strip: true}` runs it (`wasmdeploy.build.wasm_opt`).

Each function returns the built file, or a string saying why it could not be built.
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "image-pipeline"
SIMD_FLAG = "-mcpu=generic+simd128"


def run_zig(args: list[str], cwd: Path) -> str | None:
    """Runs `python -m ziglang ARGS`; the error's last lines, or None on success."""
    try:
        subprocess.run(
            [sys.executable, "-m", "ziglang", *args],
            cwd=cwd,
            check=True,
            capture_output=True,
            text=True,
            timeout=300,
        )
    except subprocess.CalledProcessError as error:
        return f"zig {' '.join(args[:2])} failed: {error.stderr.strip()[-300:]}"
    except (OSError, subprocess.SubprocessError) as error:
        return f"zig {' '.join(args[:2])} failed: {error}"
    return None


def native_binary(tmp: Path) -> Path | str:
    binary = tmp / "grayscale-invert-native"
    args = ["build-exe", "src/wasi_main.zig", "-O", "ReleaseFast", "-fstrip"]
    return run_zig([*args, f"-femit-bin={binary}"], EXAMPLE) or binary


def wasi_build_args() -> list[str]:
    """The zig arguments of the manifest's processImage build command."""
    manifest = yaml.safe_load((EXAMPLE / "wasmdeploy.yml").read_text())
    words = shlex.split(manifest["functions"]["processImage"]["build"])
    return words[words.index("ziglang") + 1 :]


def wasi_without_simd(tmp: Path) -> Path | str:
    module = tmp / "grayscale-invert-scalar.wasm"
    args = [word for word in wasi_build_args() if word != SIMD_FLAG]
    args = [word for word in args if not word.startswith("-femit-bin=")]
    return run_zig([*args, f"-femit-bin={module}"], EXAMPLE) or module


def wasi_after_wasm_opt(tmp: Path, level: str = "O3") -> Path | str:
    from wasmdeploy.build.wasm_opt import find_wasm_opt, optimize_module
    from wasmdeploy.errors import UserError

    if find_wasm_opt() is None:
        return "binaryen's wasm-opt is not installed"
    module = tmp / f"grayscale-invert-wasm-opt-{level}.wasm"
    shutil.copyfile(EXAMPLE / "grayscale-invert.wasm", module)
    try:
        optimize_module(module, level=level, strip=True)
    except UserError as error:
        return str(error)
    return module
