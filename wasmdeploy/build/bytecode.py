"""Bytecode (.pyc) for read-only file systems.

Lambda's file system is read-only, so a module without a matching `.pyc` is
compiled again at every cold start. The files are compiled ahead of time as
*unchecked-hash* pycs (never revalidated against the source) by an interpreter
of the exact target minor version: the bytecode format changes with every
minor release, so a 3.11 interpreter cannot write 3.12 pycs. `-s/-p` rewrite
the recorded source path to where the files live on Lambda, which also makes
the output independent of the build directory.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from wasmdeploy.errors import UserError

Version = tuple[int, int]
_PROBE = "import sys; print('%d.%d' % sys.version_info[:2])"


def version_text(version: Version) -> str:
    return f"{version[0]}.{version[1]}"


@cache
def interpreter_version(interpreter: Path | str) -> Version | None:
    """The interpreter's minor version, None when it does not run on this machine.
    Cached: each layer and edge bundle looks for compilers among the same interpreters."""
    try:
        result = subprocess.run(
            [str(interpreter), "-I", "-c", _PROBE],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    major, _, minor = result.stdout.strip().partition(".")
    if result.returncode != 0 or not (major.isdigit() and minor.isdigit()):
        return None
    return int(major), int(minor)


def find_compiler(version: Version, preferred: Iterable[Path] = ()) -> Path | None:
    """An interpreter of `version` that runs here: `preferred` first, then this
    interpreter, then `python3.X` on PATH."""
    candidates: list[Path] = list(preferred)
    candidates.append(Path(sys.executable))
    on_path = shutil.which(f"python{version_text(version)}")
    if on_path:
        candidates.append(Path(on_path))
    for candidate in candidates:
        if interpreter_version(candidate) == version:
            return candidate
    return None


def compile_tree(interpreter: Path, directory: Path, runtime_location: str) -> None:
    """Write unchecked-hash pycs for every .py under `directory`, recording source
    paths as `runtime_location/<relative path>`."""
    command = [
        str(interpreter), "-s", "-m", "compileall", "-q", "-f", "-j", "0",
        "--invalidation-mode", "unchecked-hash",
        "-s", str(directory), "-p", runtime_location,
        str(directory),
    ]  # fmt: skip
    # Not -I/-E: they would drop PYTHONHASHSEED, and a fixed seed keeps frozenset
    # constants in one order, so the pycs are the same on every build.
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    environment["PYTHONHASHSEED"] = "0"
    result = subprocess.run(command, capture_output=True, text=True, check=False, env=environment)
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-10:])
        raise UserError(f"compiling {directory} with {interpreter} failed:\n{tail}")
