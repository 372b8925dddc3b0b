"""The wasmtime wheel for a Lambda architecture, fetched with pip and cached.

Lambda runs Amazon Linux, so the layer carries wasmtime's manylinux wheel for
the function's architecture, whatever machine builds it. The version is the
installed one: a `.cwasm` only loads into the wasmtime that wrote it.
"""

from __future__ import annotations

import subprocess
import sys
import zipfile
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

from wasmdeploy.build.precompile import cache_root
from wasmdeploy.errors import UserError

WHEEL_PLATFORMS = {"x86_64": "manylinux2014_x86_64", "arm64": "manylinux2014_aarch64"}
_WHEEL_MACHINE = {"x86_64": "x86_64", "arm64": "aarch64"}
# Lambda's python runtimes and the bundled interpreter are 3.12+; the wheel is py3-none.
_PYTHON_VERSION = "3.12"


def wasmtime_version() -> str:
    return metadata.version("wasmtime")


def wheel_cache_dir() -> Path:
    return cache_root() / "wheels"


def cached_wheel(architecture: str, version: str, directory: Path) -> Path | None:
    machine = _WHEEL_MACHINE[architecture]
    matches = sorted(directory.glob(f"wasmtime-{version}-*manylinux*_{machine}.whl"))
    return matches[-1] if matches else None


def wasmtime_wheel(architecture: str, *, version: str | None = None) -> Path:
    """The manylinux wheel of wasmtime for `architecture`, downloading it once."""
    if architecture not in WHEEL_PLATFORMS:
        raise UserError(f"unknown architecture {architecture!r}; use x86_64 or arm64")
    version = version or wasmtime_version()
    directory = wheel_cache_dir()
    found = cached_wheel(architecture, version, directory)
    if found:
        return found
    directory.mkdir(parents=True, exist_ok=True)
    command = [
        sys.executable, "-m", "pip", "download", f"wasmtime=={version}",
        "--only-binary=:all:", "--no-deps", "--disable-pip-version-check",
        "--platform", WHEEL_PLATFORMS[architecture], "--python-version", _PYTHON_VERSION,
        "--dest", str(directory),
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    found = cached_wheel(architecture, version, directory)
    if result.returncode != 0 or found is None:
        tail = "\n".join((result.stderr or result.stdout).strip().splitlines()[-5:])
        raise UserError(
            f"could not download the wasmtime {version} wheel for {architecture} "
            f"({WHEEL_PLATFORMS[architecture]}) from PyPI:\n{tail}",
            hint=f"Put the wheel in {directory} (e.g. `pip download` it on a machine with "
            "network access) and run again.",
        )
    return found


def extract_wheel(
    wheel: Path, destination: Path, *, keep: Callable[[str], bool] | None = None
) -> None:
    """Unpack a wheel's files (laid out as installed), without RECORD: the paths change.
    `keep`, when given, chooses the files by their name in the wheel."""
    try:
        with zipfile.ZipFile(wheel) as archive:
            for member in archive.infolist():
                if member.is_dir() or not _is_safe(member.filename):
                    continue
                name = _installed_name(member.filename)
                if name is None or (keep is not None and not keep(name)):
                    continue
                target = destination / name
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(archive.read(member))
    except zipfile.BadZipFile:
        raise UserError(f"{wheel} is not a valid wheel", hint="Delete it and run again.") from None


def _installed_name(name: str) -> str | None:
    """Where a wheel member goes in site-packages: `<dist>.data/purelib|platlib/` at the
    root, other `.data` (scripts, headers) nowhere."""
    top, _, rest = name.partition("/")
    if not top.endswith(".data"):
        return name
    scheme, _, path = rest.partition("/")
    return path if scheme in ("purelib", "platlib") and path else None


def _is_safe(name: str) -> bool:
    parts = name.split("/")
    return not name.startswith("/") and ".." not in parts and not name.endswith(".dist-info/RECORD")
