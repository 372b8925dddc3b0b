"""Shared fixtures: paths and small helpers every tier uses."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
RUNTIME_LAYER = REPO_ROOT / "runtime-layer"
BOOTSTRAP = RUNTIME_LAYER / "bootstrap"
EXAMPLES = REPO_ROOT / "examples"
SCHEMA = REPO_ROOT / "schemas" / "wasmdeploy.schema.json"


@pytest.fixture(autouse=True)
def _no_real_aws(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test may reach AWS: fake credentials, and a default region."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_SECURITY_TOKEN", "testing")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", os.environ.get("WASMDEPLOY_TEST_REGION", "us-east-1"))
