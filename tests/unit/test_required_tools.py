"""A tool the tests need skips them locally when it is missing, and fails them in CI."""

from __future__ import annotations

import pytest

from tests.required_tools import tool_missing


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
