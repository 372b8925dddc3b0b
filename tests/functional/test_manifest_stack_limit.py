"""validate accepts exactly the stackLimit values the runtime honours (at most 4MB)."""

from __future__ import annotations

from pathlib import Path

import pytest
from wasmdeploy_runtime.config import MAX_STACK_LIMIT

from wasmdeploy.manifest.check_function import LARGEST_STACK
from wasmdeploy.manifest.load import load_manifest


def stack_errors(tmp_path: Path, stack_limit: str) -> list[str]:
    manifest = tmp_path / "wasmdeploy.yml"
    manifest.write_text(
        "service: deep\nprovider: {name: aws}\nfunctions:\n  deep:\n"
        f"    handler: handler.wasm\n    sandbox: {{stackLimit: '{stack_limit}'}}\n"
    )
    result = load_manifest(manifest, inspect_modules=False)
    return [problem.render() for problem in result.errors if "stackLimit" in problem.path]


def test_validate_and_the_runtime_share_the_4mb_stack_cap() -> None:
    assert LARGEST_STACK == MAX_STACK_LIMIT == 4 * 1024 * 1024


@pytest.mark.parametrize("stack_limit", ["1MB", "3MB", "4MB"])
def test_stack_limits_up_to_4mb_are_valid(tmp_path: Path, stack_limit: str) -> None:
    assert stack_errors(tmp_path, stack_limit) == []


@pytest.mark.parametrize("stack_limit", ["5MB", "64MB"])
def test_stack_limits_over_4mb_are_refused_with_the_reason(
    tmp_path: Path, stack_limit: str
) -> None:
    [error] = stack_errors(tmp_path, stack_limit)
    assert "more than 4MB" in error and "functions.deep.sandbox.stackLimit" in error
