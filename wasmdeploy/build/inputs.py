"""What a function's build depends on, as one digest.

The manifest has only a command string (`build: make`), so the inputs are
taken from the manifest's directory: the command itself, plus every source
file under the directory (by extension or well-known build-file name),
skipping hidden directories and the usual output and dependency directories.
A change to any of them, a missing module, or a module that differs from what
the last build produced means the command runs again.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

SOURCE_SUFFIXES = frozenset(
    {
        # C / C++
        ".c", ".h", ".cc", ".cpp", ".cxx", ".hpp", ".hh", ".inc", ".s", ".S",
        # Zig, Rust, Go, TinyGo, AssemblyScript / TypeScript, JavaScript
        ".zig", ".zon", ".rs", ".go", ".mod", ".sum", ".ts", ".mts", ".js", ".mjs",
        # WebAssembly text and interfaces, build and package descriptions
        ".wat", ".wast", ".wit", ".toml", ".json", ".lock", ".mk", ".cmake", ".txt",
        ".sh", ".py",
    }
)  # fmt: skip
SOURCE_NAMES = frozenset({"Makefile", "makefile", "GNUmakefile", "CMakeLists.txt", "build.zig"})
SKIPPED_DIRS = frozenset(
    {"node_modules", "target", "zig-out", "zig-cache", "__pycache__", "build", "dist", "out"}
)

RULE = (
    "A function is rebuilt when its command, or any source file under the manifest's "
    "directory (.c .h .zig .rs .go .ts .js .wat .toml .json Makefile ..., outside hidden, "
    "build, dist, out, target, zig-out and node_modules directories), changed since its "
    "last build, or when its module is missing or was changed since."
)


def source_files(root: Path) -> Iterator[Path]:
    """The files under `root` a build command may read, in a stable order."""
    for directory, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in SKIPPED_DIRS)
        for name in sorted(files):
            if name in SOURCE_NAMES or Path(name).suffix in SOURCE_SUFFIXES:
                yield Path(directory) / name


def inputs_digest(command: str, root: Path) -> str:
    """The hex digest of the command and the relative path and content of each source file."""
    digest = hashlib.sha256(command.encode() + b"\0")
    for path in source_files(root):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def file_sha256(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None
