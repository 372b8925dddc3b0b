"""The working tree: where the repository root is, which GitHub repository it pushes to."""

from __future__ import annotations

from pathlib import Path

import pytest

from wasmdeploy.ci.files import (
    find_repository_root,
    github_repository,
    relative_posix,
    repository_from_url,
    write_new_file,
)
from wasmdeploy.errors import UserError


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("git@github.com:acme/images.git", "acme/images"),
        ("https://github.com/acme/images", "acme/images"),
        ("https://token@github.com/acme/my.repo.git", "acme/my.repo"),
        ("ssh://git@github.com/acme/images.git", "acme/images"),
        ("https://gitlab.com/acme/images.git", None),
        ("git@github.com:acme", None),
    ],
)
def test_github_repository_is_read_from_the_remote_url(url: str, expected: str | None) -> None:
    assert repository_from_url(url) == expected


def test_repository_root_is_the_nearest_directory_with_git(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    nested = tmp_path / "services" / "images"
    nested.mkdir(parents=True)
    assert find_repository_root(nested) == tmp_path.resolve()
    (nested / ".git").write_text("gitdir: ../../.git/worktrees/x\n")  # a worktree's .git file
    assert find_repository_root(nested) == nested.resolve()


def test_no_remote_or_no_config_means_no_repository(tmp_path: Path) -> None:
    assert github_repository(tmp_path) is None
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "config").write_text("[core]\n\tbare = false\n")
    assert github_repository(tmp_path) is None
    (tmp_path / ".git" / "config").write_text('[remote "origin"]\n\turl = git@github.com:a/b\n')
    assert github_repository(tmp_path) == "a/b"


def test_paths_outside_the_repository_are_user_errors(tmp_path: Path) -> None:
    assert relative_posix(tmp_path / "a" / "b", tmp_path, "manifest") == "a/b"
    assert relative_posix(tmp_path, tmp_path, "manifest") == "."
    with pytest.raises(UserError, match="outside the repository"):
        relative_posix(tmp_path.parent, tmp_path, "manifest")


def test_writing_creates_directories_and_never_clobbers_without_force(tmp_path: Path) -> None:
    target = tmp_path / ".github" / "workflows" / "x.yml"
    write_new_file(target, "one\n", force=False)
    assert target.read_text() == "one\n"
    with pytest.raises(UserError, match="exists already"):
        write_new_file(target, "two\n", force=False)
    write_new_file(target, "two\n", force=True)
    assert target.read_text() == "two\n"
    with pytest.raises(UserError, match="is a directory"):
        write_new_file(tmp_path, "x", force=True)
