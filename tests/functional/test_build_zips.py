"""Reproducible zips: same inputs, same bytes."""

from __future__ import annotations

import base64
import hashlib
import os
import stat
import zipfile
from pathlib import Path

import pytest

from wasmdeploy.build.zips import FIXED_DATE_TIME, ZipBuilder


def build(tmp_path: Path, name: str, entries: dict[str, bytes]) -> Path:
    builder = ZipBuilder()
    for entry_name, data in entries.items():
        builder.add_bytes(entry_name, data, executable=entry_name == "bootstrap")
    return builder.write(tmp_path / name).path


def test_same_entries_in_any_order_give_identical_bytes(tmp_path: Path) -> None:
    entries = {"b.txt": b"two", "a/x.wasm": b"\0asm", "bootstrap": b"#!/bin/sh\n"}
    first = build(tmp_path, "one.zip", entries)
    second = build(tmp_path, "two.zip", dict(reversed(list(entries.items()))))
    assert first.read_bytes() == second.read_bytes()


def test_changed_content_changes_the_hash(tmp_path: Path) -> None:
    builder = ZipBuilder()
    builder.add_bytes("mod.wasm", b"one")
    first = builder.write(tmp_path / "one.zip")
    builder.add_bytes("mod.wasm", b"two")
    second = builder.write(tmp_path / "two.zip")
    assert first.sha256 != second.sha256


def test_sha256_is_base64_of_the_zip_digest_like_lambda_source_code_hash(tmp_path: Path) -> None:
    builder = ZipBuilder()
    builder.add_bytes("a", b"a")
    artifact = builder.write(tmp_path / "a.zip")
    expected = base64.b64encode(hashlib.sha256(artifact.path.read_bytes()).digest()).decode()
    assert artifact.sha256 == expected
    assert artifact.size == artifact.path.stat().st_size
    assert artifact.unzipped_size == 1


def test_entries_are_sorted_with_fixed_dates_and_permissions(tmp_path: Path) -> None:
    path = build(tmp_path, "a.zip", {"z": b"1", "bootstrap": b"#!/bin/sh\n", "a/b": b"2"})
    with zipfile.ZipFile(path) as archive:
        infos = archive.infolist()
    assert [i.filename for i in infos] == ["a/b", "bootstrap", "z"]
    assert all(i.date_time == FIXED_DATE_TIME for i in infos)
    modes = {i.filename: stat.S_IMODE(i.external_attr >> 16) for i in infos}
    assert modes == {"a/b": 0o644, "bootstrap": 0o755, "z": 0o644}


def test_files_from_disk_ignore_their_timestamps_and_keep_the_executable_bit(
    tmp_path: Path,
) -> None:
    tree = tmp_path / "tree"
    (tree / "bin").mkdir(parents=True)
    (tree / "bin" / "tool").write_bytes(b"#!/bin/sh\n")
    (tree / "bin" / "tool").chmod(0o700)
    (tree / "data.txt").write_bytes(b"data")
    first = ZipBuilder()
    first.add_tree("root", tree)
    one = first.write(tmp_path / "one.zip")
    os.utime(tree / "data.txt", (1_000_000, 1_000_000))
    (tree / "data.txt").chmod(0o600)
    second = ZipBuilder()
    second.add_tree("root", tree)
    assert second.write(tmp_path / "two.zip").sha256 == one.sha256
    with zipfile.ZipFile(one.path) as archive:
        mode = archive.getinfo("root/bin/tool").external_attr >> 16
    assert stat.S_IMODE(mode) == 0o755


def test_symlinks_are_stored_as_symlinks(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "python3.12").write_bytes(b"binary")
    (tree / "python3").symlink_to("python3.12")
    builder = ZipBuilder()
    builder.add_tree("bin", tree)
    artifact = builder.write(tmp_path / "a.zip")
    with zipfile.ZipFile(artifact.path) as archive:
        info = archive.getinfo("bin/python3")
        assert stat.S_ISLNK(info.external_attr >> 16)
        assert archive.read(info) == b"python3.12"


@pytest.mark.parametrize("name", ["../escape", "a/../../b", ""])
def test_unsafe_archive_names_are_refused(name: str) -> None:
    with pytest.raises(ValueError):
        ZipBuilder().add_bytes(name, b"")
