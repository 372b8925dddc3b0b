"""The pulumi CLI is found where its installers put it, and its version is checked."""

from __future__ import annotations

from pathlib import Path

import pytest

from wasmdeploy.errors import UserError
from wasmdeploy.stacks.pulumi_cli import find_pulumi_cli, read_version


def executable(path: Path, text: str = "#!/bin/sh\necho v3.210.0\n", mode: int = 0o755) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(mode)
    return path


def test_the_tool_cache_x64_folder_on_path_is_found_first(tmp_path: Path) -> None:
    cached = executable(tmp_path / "hostedtoolcache" / "pulumi" / "3.210.0" / "x64" / "pulumi")
    executable(tmp_path / "home" / ".pulumi" / "bin" / "pulumi")
    assert find_pulumi_cli(str(cached.parent), tmp_path / "home") == cached


def test_off_path_the_installers_folders_are_searched_newest_version_first(
    tmp_path: Path,
) -> None:
    home = tmp_path / "home"
    executable(home / ".pulumi" / "versions" / "3.99.0" / "bin" / "pulumi")
    newest = executable(home / ".pulumi" / "versions" / "3.150.2" / "bin" / "pulumi")
    executable(home / ".pulumi" / "versions" / "3.200.0" / "bin" / "pulumi", mode=0o644)
    assert find_pulumi_cli(str(tmp_path / "empty"), home) == newest
    installed = executable(home / ".pulumi" / "bin" / "pulumi")
    assert find_pulumi_cli(str(tmp_path / "empty"), home) == installed


def test_no_cli_anywhere_says_how_to_install_it(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="The pulumi CLI is not installed") as raised:
        find_pulumi_cli(str(tmp_path), tmp_path)
    assert raised.value.hint and "https://get.pulumi.com" in raised.value.hint
    assert "pulumi/actions" in raised.value.hint


def test_the_version_is_read_with_the_given_environment(tmp_path: Path) -> None:
    cli = executable(tmp_path / "pulumi", '#!/bin/sh\necho "v3.$MINOR.1"\n')
    assert str(read_version(cli, {"MINOR": "204", "PATH": "/usr/bin:/bin"})) == "3.204.1"
