"""The runtime's own files as they ship: the `wasmdeploy_runtime` package, wasmtime
from the target's manylinux wheel, boto3 when the target has none, and their pycs,
staged in one directory.

The same staged directory feeds the custom-runtime layer (at `/opt`), the
managed-Python layer (at `/opt/python`) and Lambda@Edge bundles (at `/var/task`).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import wasmdeploy_runtime

from wasmdeploy.build.aws_sdk import extract_aws_sdk
from wasmdeploy.build.bytecode import Version, compile_tree, find_compiler, version_text
from wasmdeploy.build.wheels import extract_wheel, wasmtime_wheel
from wasmdeploy.errors import UserError

RUNTIME_PACKAGE = "wasmdeploy_runtime"
_SKIP_DIRS = {"__pycache__", "tests"}
_SKIP_SUFFIXES = {".pyc", ".pyo"}
# The package carries a link to `bootstrap` for wheel installs; the layer has it at its root.
_SKIP_FILES = {"bootstrap"}

CompilerFinder = Callable[[Version], Path | None]


@dataclass
class StagedRuntime:
    """A directory holding the runtime package and wasmtime, and what was compiled."""

    directory: Path
    compiled_for: list[Version] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def runtime_package_dir() -> Path:
    return Path(next(iter(wasmdeploy_runtime.__path__))).resolve()


def bootstrap_file() -> Path:
    """`runtime-layer/bootstrap` beside the package (a source checkout), or inside it."""
    package = runtime_package_dir()
    for candidate in (package.parent / "bootstrap", package / "bootstrap"):
        if candidate.is_file():
            return candidate
    raise UserError(
        f"the runtime's bootstrap script is missing (looked beside {package})",
        hint="Reinstall wasmdeploy; the custom-runtime layer cannot be built without it.",
    )


def runtime_package_files() -> list[tuple[Path, Path]]:
    """(path, path relative to the package) of each runtime package file that ships."""
    source = runtime_package_dir()
    files = []
    for path in sorted(source.rglob("*")):
        relative = path.relative_to(source)
        if (
            any(part in _SKIP_DIRS for part in relative.parts)
            or path.suffix in _SKIP_SUFFIXES
            or str(relative) in _SKIP_FILES
        ):
            continue
        if path.is_file():
            files.append((path, relative))
    return files


def copy_runtime_package(destination: Path) -> None:
    """Copy the runtime package's sources (no caches) to `destination/wasmdeploy_runtime`."""
    target = destination / RUNTIME_PACKAGE
    for path, relative in runtime_package_files():
        (target / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target / relative)


def stage_runtime(
    architecture: str,
    staging: Path,
    *,
    versions: Sequence[Version],
    runtime_location: str,
    find: CompilerFinder = find_compiler,
    sdk_wheels: Sequence[Path] = (),
) -> StagedRuntime:
    """Stage the runtime package, wasmtime and the `sdk_wheels` (boto3 and its
    dependencies) under `staging`, with pycs for each of `versions` that an
    interpreter on this machine can write."""
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir(parents=True)
    extract_wheel(wasmtime_wheel(architecture), staging)
    extract_aws_sdk(sdk_wheels, staging)
    copy_runtime_package(staging)
    staged = StagedRuntime(staging)
    for version in versions:
        compiler = find(version)
        if compiler is None:
            staged.notes.append(
                f"no Python {version_text(version)} interpreter here: the runtime's .pyc files "
                f"for {version_text(version)} are left out (compiled at each cold start instead)"
            )
            continue
        compile_tree(compiler, staging, runtime_location)
        staged.compiled_for.append(version)
    return staged
