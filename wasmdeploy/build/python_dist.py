"""The relocatable CPython the custom-runtime layer bundles.

A python-build-standalone `install_only_stripped` release, pinned by URL and
SHA-256 per architecture, downloaded once into the cache. Machines that cannot
reach GitHub point `--python-dist` / `$WASMDEPLOY_PYTHON_DIST` (or the per-arch
`$WASMDEPLOY_PYTHON_DIST_X86_64` / `_ARM64`) at a local tarball, an extracted
directory, or another URL (`#sha256=<hex>` on a URL checks its digest).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tarfile
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from wasmdeploy.build.precompile import cache_root
from wasmdeploy.errors import UserError

PYTHON_DIST_ENV = "WASMDEPLOY_PYTHON_DIST"
_RELEASES = "https://github.com/astral-sh/python-build-standalone/releases/download"


@dataclass(frozen=True)
class PinnedDist:
    url: str
    sha256: str  # hex


PINNED_DISTS: dict[str, PinnedDist] = {
    "x86_64": PinnedDist(
        f"{_RELEASES}/20261021/cpython-3.13.17%2B20261021-x86_64-unknown-linux-gnu-install_only_stripped.tar.gz",
        "f829adc9d888e76c8801b4799ed444188d35239fcae3a9808a99ec5cb0d8d92c",
    ),
    "arm64": PinnedDist(
        f"{_RELEASES}/20261021/cpython-3.13.17%2B20261021-aarch64-unknown-linux-gnu-install_only_stripped.tar.gz",
        "c6857c65b996701a5da104cbb49b35249c0c026dc0664239b04f7156aa88326a",
    ),
}

_ELF_MACHINES = {62: "x86_64", 183: "arm64"}
_DOWNLOAD_TIMEOUT = 60


@dataclass(frozen=True)
class PythonDist:
    """An extracted distribution: `root/python/bin/python3`, `root/python/lib/python3.X/`."""

    root: Path
    version: tuple[int, int]
    architecture: str

    @property
    def python_dir(self) -> Path:
        return self.root / "python"

    @property
    def interpreter(self) -> Path:
        return self.python_dir / "bin" / "python3"

    @property
    def stdlib(self) -> Path:
        return self.python_dir / "lib" / f"python{self.version[0]}.{self.version[1]}"


def dist_override(architecture: str, explicit: str | None = None) -> str | None:
    """The distribution the user chose: the option, else the per-arch env, else the env."""
    per_arch = os.environ.get(f"{PYTHON_DIST_ENV}_{architecture.upper()}")
    return explicit or per_arch or os.environ.get(PYTHON_DIST_ENV) or None


def resolve_python_dist(architecture: str, override: str | None = None) -> PythonDist:
    """Find, fetch, verify and extract the distribution for `architecture`."""
    source = dist_override(architecture, override)
    if source is None:
        pin = PINNED_DISTS[architecture]
        tarball = _download(pin.url, pin.sha256, architecture, overridden=False)
    elif re.match(r"^(https?|file)://", source):
        url, _, fragment = source.partition("#sha256=")
        tarball = _download(url, fragment.lower() or None, architecture, overridden=True)
    else:
        path = Path(source).expanduser()
        if path.is_dir():
            return _describe(path if (path / "python").is_dir() else path.parent, architecture)
        if not path.is_file():
            raise UserError(f"python distribution {source} does not exist")
        tarball = path
    return _describe(_extract(tarball), architecture)


def _cache_dir() -> Path:
    return cache_root() / "python"


def cached_interpreters() -> list[Path]:
    """The interpreters of every distribution extracted in the cache."""
    return [p for p in _cache_dir().glob("*/python/bin/python3") if ".partial" not in str(p)]


def _download(url: str, sha256: str | None, architecture: str, *, overridden: bool) -> Path:
    key = sha256 or hashlib.sha256(url.encode()).hexdigest()
    destination = _cache_dir() / f"{key}.tar.gz"
    if destination.is_file():
        return destination
    destination.parent.mkdir(parents=True, exist_ok=True)
    partial = destination.with_suffix(f".{os.getpid()}.partial")
    digest = hashlib.sha256()
    try:
        with (
            urllib.request.urlopen(url, timeout=_DOWNLOAD_TIMEOUT) as response,
            partial.open("wb") as out,
        ):
            while chunk := response.read(1024 * 1024):
                digest.update(chunk)
                out.write(chunk)
    except (urllib.error.URLError, OSError, ValueError) as error:
        partial.unlink(missing_ok=True)
        what = "the Python distribution" if overridden else "the pinned Python distribution"
        raise UserError(
            f"could not download {what} for {architecture} from {url}: {error}",
            hint=f"Download a python-build-standalone install_only tarball for {architecture} "
            f"and pass it with --python-dist PATH (or set {PYTHON_DIST_ENV}).",
        ) from None
    if sha256 and digest.hexdigest() != sha256:
        partial.unlink(missing_ok=True)
        raise UserError(
            f"the Python distribution from {url} has SHA-256 {digest.hexdigest()}, "
            f"expected {sha256}",
            hint="The download is corrupt or was replaced; try again or use --python-dist.",
        )
    partial.replace(destination)
    return destination


def _extract(tarball: Path) -> Path:
    digest = hashlib.sha256()
    with tarball.open("rb") as stream:
        while chunk := stream.read(1024 * 1024):
            digest.update(chunk)
    destination = _cache_dir() / digest.hexdigest()
    if (destination / "python").is_dir():
        return destination
    partial = destination.with_name(f"{destination.name}.{os.getpid()}.partial")
    shutil.rmtree(partial, ignore_errors=True)
    try:
        with tarfile.open(tarball, "r:*") as archive:
            archive.extractall(partial, filter="data")
    except (tarfile.TarError, OSError, EOFError) as error:
        shutil.rmtree(partial, ignore_errors=True)
        raise UserError(f"cannot unpack the Python distribution {tarball}: {error}") from None
    shutil.rmtree(destination, ignore_errors=True)
    partial.rename(destination)
    return destination


def _describe(root: Path, architecture: str) -> PythonDist:
    interpreter = root / "python" / "bin" / "python3"
    if not (interpreter.exists() or interpreter.is_symlink()):
        raise UserError(
            f"{root} is not a python-build-standalone install_only distribution "
            "(no python/bin/python3)"
        )
    versions = sorted(
        (int(m.group(1)), int(m.group(2)))
        for d in (root / "python" / "lib").glob("python3.*")
        if (m := re.fullmatch(r"python(\d+)\.(\d+)", d.name)) and (d / "os.py").is_file()
    )
    if not versions:
        raise UserError(f"{root}: no standard library found under python/lib/python3.X/")
    found_arch = elf_architecture(interpreter)
    if found_arch is not None and found_arch != architecture:
        raise UserError(
            f"the Python distribution {root} is built for {found_arch}, not {architecture}"
        )
    return PythonDist(root, versions[-1], architecture)


def elf_architecture(path: Path) -> str | None:
    """The Lambda architecture of an ELF executable, None when it is not ELF (a script)."""
    try:
        with path.open("rb") as stream:
            header = stream.read(20)
    except OSError:
        return None
    if len(header) < 20 or header[:4] != b"\x7fELF":
        return None
    machine = int.from_bytes(header[18:20], "little" if header[5] == 1 else "big")
    return _ELF_MACHINES.get(machine, "unknown")
