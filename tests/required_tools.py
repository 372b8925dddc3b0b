"""Tools some tests need that are not Python packages (installed by `.ci/run`).

Locally a missing tool skips the tests that need it; in CI (`CI` set, as `.ci/run` and
every CI service set it) it fails them, so a broken install cannot pass as a skip.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest


def tool_missing(reason: str) -> None:
    """Skip the test (fail it in CI): `reason` says what is missing and how to install it."""
    if os.environ.get("CI", "").lower() not in ("", "0", "false"):
        pytest.fail(f"{reason} (CI is set: .ci/run must install it)", pytrace=False)
    pytest.skip(reason)


def console_script(name: str, install: str) -> str:
    """The path of a dev dependency's command (`aws`): beside this interpreter first, so it is
    found in a virtualenv that is not activated, else on PATH; else the test skips (fails in
    CI), saying `install`."""
    beside = Path(sys.executable).parent / name
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    found = shutil.which(name)
    if found is None:
        tool_missing(f"{name} is not installed: {install}")
        raise AssertionError("unreachable")  # tool_missing skips or fails
    return found
