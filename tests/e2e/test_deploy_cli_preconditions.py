"""The deploy commands as a user runs them, on a machine without the pulumi CLI.

Without the CLI each command says what to install and exits 1; with it but
without a passphrase for a self-managed backend, it says what to set. Both
checks come before any packaging.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
ORIGIN_EXAMPLE = EXAMPLES / "s3-event-log"  # the origin's manifest, unchanged


@pytest.fixture
def service_dir(tmp_path: Path) -> Path:
    copy = tmp_path / "service"
    shutil.copytree(ORIGIN_EXAMPLE, copy, ignore=shutil.ignore_patterns("build", ".wasmdeploy"))
    return copy


def clean_env(tmp_path: Path, path: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("PULUMI_") and key != "PATH"
    }
    env["PATH"] = path
    env["HOME"] = str(tmp_path / "home")  # no ~/.pulumi/bin either
    return env


def wasmdeploy(*args: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "wasmdeploy", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def path_without_pulumi() -> str:
    return os.pathsep.join(
        entry
        for entry in os.environ.get("PATH", "").split(os.pathsep)
        if entry and not (Path(entry) / "pulumi").exists()
    )


@pytest.mark.parametrize(
    "command",
    [["up", "--yes"], ["preview"], ["destroy", "--yes"], ["refresh", "--yes"], ["outputs"]],
    ids=lambda c: c[0],
)
def test_without_the_pulumi_cli_the_command_says_how_to_install_it(
    command: list[str], service_dir: Path, tmp_path: Path
) -> None:
    result = wasmdeploy(*command, cwd=service_dir, env=clean_env(tmp_path, path_without_pulumi()))
    assert result.returncode == 1
    assert result.stderr.startswith("Error: The pulumi CLI is not installed")
    assert "curl -fsSL https://get.pulumi.com | sh" in result.stderr
    assert "pulumi/actions" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (service_dir / ".wasmdeploy").exists()  # nothing was packaged


def fake_pulumi_on_path(tmp_path: Path) -> str:
    """An executable named pulumi that must never run: the passphrase check comes first."""
    bin_dir = tmp_path / "fake-bin"
    bin_dir.mkdir()
    fake = bin_dir / "pulumi"
    fake.write_text("#!/bin/sh\necho 'the fake pulumi CLI was run' >&2\nexit 99\n")
    fake.chmod(0o755)
    return os.pathsep.join([str(bin_dir), path_without_pulumi()])


@pytest.mark.parametrize("command", [["up", "--yes"], ["outputs"]], ids=lambda c: c[0])
def test_missing_passphrase_says_what_to_set(
    command: list[str], service_dir: Path, tmp_path: Path
) -> None:
    env = clean_env(tmp_path, fake_pulumi_on_path(tmp_path))
    result = wasmdeploy(*command, "--backend", "s3://team-state", cwd=service_dir, env=env)
    assert result.returncode == 1, result.stderr
    assert result.stderr.startswith("Error: PULUMI_CONFIG_PASSPHRASE is not set (the s3 backend")
    assert "export PULUMI_CONFIG_PASSPHRASE=" in result.stderr
    assert "fake pulumi CLI was run" not in result.stderr
    assert "Traceback" not in result.stderr
