"""Tools some tests need that are not Python packages (installed by `.ci/run`).

Locally a missing tool skips the tests that need it; in CI (`CI` set, as `.ci/run` and
every CI service set it) it fails them, so a broken install cannot pass as a skip.
"""

from __future__ import annotations

import os

import pytest


def tool_missing(reason: str) -> None:
    """Skip the test (fail it in CI): `reason` says what is missing and how to install it."""
    if os.environ.get("CI", "").lower() not in ("", "0", "false"):
        pytest.fail(f"{reason} (CI is set: .ci/run must install it)", pytrace=False)
    pytest.skip(reason)
