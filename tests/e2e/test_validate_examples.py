"""The shipped examples validate, and `print` of each is a manifest that loads to the same model."""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from wasmdeploy.manifest.load import load_service
from wasmdeploy.manifest.render import render_service

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
MANIFESTS = sorted(EXAMPLES.glob("*/wasmdeploy.yml"))


@pytest.mark.parametrize("manifest", MANIFESTS, ids=lambda p: p.parent.name)
def test_example_validates(manifest: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "wasmdeploy", "validate"],
        cwd=manifest.parent,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("manifest", MANIFESTS, ids=lambda p: p.parent.name)
def test_printed_example_loads_back_to_the_same_service(manifest: Path, tmp_path: Path) -> None:
    copy = tmp_path / manifest.parent.name
    shutil.copytree(manifest.parent, copy, ignore=shutil.ignore_patterns("build", "*.zip"))
    original = load_service(copy / "wasmdeploy.yml", stage="prod")
    (copy / "printed.yml").write_text(render_service(original))
    reloaded = load_service(copy / "printed.yml")
    # print shows the runtime that deploys: provided.al2 comes back as provided.al2023 itself.
    expected = dataclasses.replace(
        original,
        functions=tuple(dataclasses.replace(f, requested_runtime=None) for f in original.functions),
    )
    assert dataclasses.replace(reloaded, manifest_path=original.manifest_path) == expected
