"""A tool the tests need skips them locally when it is missing, and fails them in CI."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.required_tools import console_script, tool_missing


@pytest.mark.parametrize("value", ["true", "1", "yes", "TRUE"])
def test_in_ci_a_missing_tool_fails_the_test(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("CI", value)
    with pytest.raises(pytest.fail.Exception, match=r"lint is not installed.*CI is set"):
        tool_missing("lint is not installed")


@pytest.mark.parametrize("value", [None, "", "false", "0"])
def test_outside_ci_a_missing_tool_skips_the_test(
    monkeypatch: pytest.MonkeyPatch, value: str | None
) -> None:
    if value is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", value)
    with pytest.raises(pytest.skip.Exception, match="lint is not installed"):
        tool_missing("lint is not installed")


def test_a_command_beside_the_interpreter_is_found_without_path(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    script = tmp_path / "bin" / "lint"
    script.parent.mkdir()
    script.write_text("#!/bin/sh\n")
    script.chmod(0o755)
    monkeypatch.setattr(sys, "executable", str(tmp_path / "bin" / "python"))
    monkeypatch.setenv("PATH", "/nonexistent")
    assert console_script("lint", "pip install lint") == str(script)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="nope is not installed: pip install nope"):
        console_script("nope", "pip install nope")
