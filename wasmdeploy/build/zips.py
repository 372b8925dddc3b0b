"""Reproducible zip files: the same inputs always give the same bytes.

Entries are sorted, timestamps fixed at 1980-01-01 (the earliest a zip can
hold), permissions fixed (0644, or 0755 for executables), symlinks kept as
symlinks, and every entry deflated at zlib's default level. So a function whose module
and settings did not change keeps its hash, and Lambda is not updated.
"""

from __future__ import annotations

import base64
import hashlib
import os
import stat
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

FIXED_DATE_TIME = (1980, 1, 1, 0, 0, 0)
FILE_MODE = 0o644
EXECUTABLE_MODE = 0o755
_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class Artifact:
    """A built zip. `sha256` is base64 of the zip's SHA-256 (Lambda's `source_code_hash`);
    `sha256` and `size` are None for an artifact that was not built (`path` is where it
    would be). `unzipped_size` counts what Lambda extracts, for its 250 MB limit."""

    path: Path
    sha256: str | None
    size: int | None
    unzipped_size: int | None = None


@dataclass(frozen=True)
class _Entry:
    data: bytes | None  # in-memory content
    source: Path | None  # or a file to stream
    executable: bool = False
    symlink_target: str | None = None


class ZipBuilder:
    """Collects entries by archive name, then writes them in a reproducible order."""

    def __init__(self) -> None:
        self._entries: dict[str, _Entry] = {}

    def __contains__(self, name: str) -> bool:
        return name in self._entries

    def __len__(self) -> int:
        return len(self._entries)

    def names(self) -> list[str]:
        return sorted(self._entries)

    def add_bytes(self, name: str, data: bytes, *, executable: bool = False) -> None:
        self._entries[_archive_name(name)] = _Entry(data, None, executable)

    def add_file(self, name: str, source: Path, *, executable: bool | None = None) -> None:
        """Add a file; a symlink is stored as a symlink. Executable defaults to the file's x bit."""
        if source.is_symlink():
            target = os.readlink(source)
            self._entries[_archive_name(name)] = _Entry(None, None, False, target)
            return
        if executable is None:
            executable = bool(source.stat().st_mode & stat.S_IXUSR)
        self._entries[_archive_name(name)] = _Entry(None, source, executable)

    def add_tree(
        self, prefix: str, directory: Path, *, exclude_dirs: frozenset[str] = frozenset()
    ) -> None:
        """Add every file under `directory` as `prefix/<relative path>` ("" for the zip root)."""
        for path in _walk(directory, exclude_dirs):
            relative = path.relative_to(directory).as_posix()
            self.add_file(f"{prefix}/{relative}" if prefix else relative, path)

    def write(self, destination: Path) -> Artifact:
        """Write the zip (atomically) and describe it."""
        destination.parent.mkdir(parents=True, exist_ok=True)
        partial = destination.with_name(f".{destination.name}.{os.getpid()}.partial")
        unzipped = 0
        with zipfile.ZipFile(partial, "w") as archive:
            for name in sorted(self._entries):
                unzipped += _write_entry(archive, name, self._entries[name])
        partial.replace(destination)
        sha256, size = file_digest(destination)
        return Artifact(destination, sha256, size, unzipped)


def _archive_name(name: str) -> str:
    cleaned = name.replace(os.sep, "/").lstrip("/")
    if not cleaned or ".." in cleaned.split("/"):
        raise ValueError(f"unsafe archive name {name!r}")
    return cleaned


def _walk(directory: Path, exclude_dirs: frozenset[str]) -> Iterator[Path]:
    for root, dirs, files in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if d not in exclude_dirs)
        root_path = Path(root)
        for name in sorted(files):
            yield root_path / name
        # os.walk lists symlinks to directories in `dirs` and does not follow them
        for name in list(dirs):
            if (root_path / name).is_symlink():
                dirs.remove(name)
                yield root_path / name


def _zip_info(name: str, mode: int, compress: bool) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=FIXED_DATE_TIME)
    info.create_system = 3  # Unix, so external_attr carries the permission bits
    info.external_attr = mode << 16
    info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    return info


def _write_entry(archive: zipfile.ZipFile, name: str, entry: _Entry) -> int:
    if entry.symlink_target is not None:
        info = _zip_info(name, stat.S_IFLNK | 0o777, compress=False)
        target = entry.symlink_target.encode()
        archive.writestr(info, target)
        return len(target)
    mode = stat.S_IFREG | (EXECUTABLE_MODE if entry.executable else FILE_MODE)
    info = _zip_info(name, mode, compress=True)
    if entry.data is not None:
        archive.writestr(info, entry.data)
        return len(entry.data)
    assert entry.source is not None
    written = 0
    with entry.source.open("rb") as source, archive.open(info, "w") as sink:
        while chunk := source.read(_CHUNK):
            sink.write(chunk)
            written += len(chunk)
    return written


def file_digest(path: Path) -> tuple[str, int]:
    """(base64 SHA-256, size in bytes) of a file: what Lambda compares to skip updates."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as stream:
        while chunk := stream.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return base64.b64encode(digest.digest()).decode("ascii"), size
