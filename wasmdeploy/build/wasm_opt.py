"""binaryen's `wasm-opt`, run on a built module: `build: {optimize: O3, strip: true}`.

The optimizer is found on PATH (Debian's and Homebrew's `binaryen`), else in
npm's global `binaryen` package. It rewrites the module in place only when its
output is valid WebAssembly for wasmtime, so a failed optimisation never
leaves a broken module behind.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from wasmdeploy.errors import UserError

LEVELS = ("O1", "O2", "O3", "O4", "Os", "Oz")
# WebAssembly 2.0's features, all on in wasmtime: a stripped module (zig -fstrip, for one)
# has no target_features section for wasm-opt to read them from. wasmtime checks the result.
FEATURES = (
    "--enable-sign-ext",
    "--enable-mutable-globals",
    "--enable-nontrapping-float-to-int",
    "--enable-bulk-memory",
    "--enable-simd",
    "--enable-multivalue",
    "--enable-reference-types",
)
INSTALL_HINT = (
    "Install binaryen: `apt-get install binaryen` (Debian, Ubuntu), `brew install binaryen`, "
    "or `npm install -g binaryen`."
)


@dataclass(frozen=True)
class WasmOpt:
    command: tuple[str, ...]
    source: str  # where it was found, for the user: "PATH (/usr/bin/wasm-opt)", "npm ..."


@dataclass(frozen=True)
class Optimized:
    size_after: int
    tool: WasmOpt


def find_wasm_opt() -> WasmOpt | None:
    """`WASM_OPT` if set, else wasm-opt on PATH, else npm's global binaryen package."""
    explicit = os.environ.get("WASM_OPT")
    if explicit:
        return WasmOpt((explicit,), f"WASM_OPT ({explicit})")
    on_path = shutil.which("wasm-opt")
    if on_path:
        return WasmOpt((on_path,), f"PATH ({on_path})")
    npm = shutil.which("npm")
    if npm is None:
        return None
    try:
        root = subprocess.run(
            [npm, "root", "--global"], capture_output=True, text=True, timeout=30, check=True
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    script = Path(root) / "binaryen" / "bin" / "wasm-opt"
    node = shutil.which("node")
    if script.is_file() and node:
        return WasmOpt((node, str(script)), f"npm's binaryen ({script})")
    return None


def optimize_module(
    module: Path, *, level: str | None, strip: bool, tool: WasmOpt | None = None
) -> Optimized:
    """Run wasm-opt on `module` in place; raise UserError if it is missing or fails."""
    found = tool or find_wasm_opt()
    if found is None:
        raise UserError(
            f"{module.name}: `build.optimize`/`build.strip` need binaryen's wasm-opt, "
            "which is not installed",
            hint=INSTALL_HINT,
        )
    flags = [f"-{level}"] if level else []
    if strip:
        flags += ["--strip-debug", "--strip-producers"]
    output = module.with_name(module.name + ".opt")
    command = [*found.command, str(module), *FEATURES, *flags, "-o", str(output)]
    try:
        try:
            result = subprocess.run(command, capture_output=True, text=True, timeout=600)
        except (OSError, subprocess.SubprocessError) as error:
            raise UserError(f"{module.name}: cannot run wasm-opt: {error}") from None
        if result.returncode != 0:
            tail = "\n".join(result.stderr.strip().splitlines()[-10:])
            raise UserError(
                f"{module.name}: wasm-opt {' '.join(flags)} failed (exit {result.returncode})"
                + (f":\n{tail}" if tail else ""),
                hint="The module was left as the build command wrote it.",
            )
        _check_valid(output, module.name)
        os.replace(output, module)
    finally:
        output.unlink(missing_ok=True)
    return Optimized(module.stat().st_size, found)


def _check_valid(path: Path, name: str) -> None:
    import wasmtime

    from wasmdeploy.build.inspect import wasmtime_reason

    try:
        wasmtime.Module.validate(wasmtime.Engine(), path.read_bytes())
    except wasmtime.WasmtimeError as error:
        raise UserError(
            f"{name}: wasm-opt produced a module wasmtime refuses ({wasmtime_reason(error)})",
            hint="The module was left as the build command wrote it; try another level.",
        ) from None
