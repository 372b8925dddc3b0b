"""The plain Pulumi project in `stacks/`, driven by `pulumi preview` as a user runs it there.

The recording CLI stands in for Pulumi; its language host would run
`__main__.py` with the Python on PATH (Pulumi.yaml names no virtualenv), so
the test checks what that host needs: the project files as the CLI read them,
the manifest the stack's config names, and every import of the program
resolving in that Python.
"""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from fake_pulumi import FakePulumi, install_fake_pulumi

REPO = Path(__file__).resolve().parents[2]


def pulumi(fake: FakePulumi, *args: str, cwd: Path, env: dict[str, str]) -> None:
    result = subprocess.run(
        [str(fake.executable), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copytree(REPO / "stacks", tmp_path / "stacks")
    shutil.copytree(
        REPO / "examples" / "image-pipeline",
        tmp_path / "examples" / "image-pipeline",
        ignore=shutil.ignore_patterns("build", ".wasmdeploy"),
    )
    return tmp_path / "stacks"


def test_pulumi_preview_in_stacks_reads_the_project_its_stack_and_a_resolvable_program(
    project: Path, tmp_path: Path
) -> None:
    fake = install_fake_pulumi(tmp_path / "runner")
    env = {
        **os.environ,
        "PATH": f"{fake.directory}{os.pathsep}{os.environ['PATH']}",
        "PULUMI_BACKEND_URL": f"file://{tmp_path / 'state'}",
        "PULUMI_CONFIG_PASSPHRASE": "pass",
    }
    pulumi(fake, "stack", "init", "dev", "--secrets-provider", "passphrase", cwd=project, env=env)
    pulumi(fake, "preview", "--stack", "dev", cwd=project, env=env)

    [preview] = fake.operations("preview")
    assert preview.cwd == str(project)
    settings = yaml.safe_load(preview.files["Pulumi.yaml"])
    assert settings["runtime"] == {"name": "python"}  # the host runs `python3` from PATH
    assert settings["name"] == "wasmdeploy-service"
    config = yaml.safe_load(preview.files["Pulumi.dev.yaml"])["config"]
    manifest = (project / config["wasmdeploy:manifest"]).resolve()
    assert manifest.is_file()
    validated = subprocess.run(
        [sys.executable, "-m", "wasmdeploy", "validate", "-f", str(manifest), "--json"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert validated.returncode == 0, validated.stdout + validated.stderr
    assert json.loads(validated.stdout)["valid"]

    program = ast.parse((project / "__main__.py").read_text())
    names = [
        (node.module, alias.name)
        for node in ast.walk(program)
        if isinstance(node, ast.ImportFrom) and node.module
        for alias in node.names
    ]
    assert ("wasmdeploy.stacks.role_guard", "guarded") in names
    probe = "import importlib, sys\n" + "".join(
        f"assert hasattr(importlib.import_module({module!r}), {name!r}), {module!r}\n"
        for module, name in names
    )
    python = shutil.which("python3", path=env["PATH"])
    assert python is not None
    imported = subprocess.run(
        [python, "-c", probe], cwd=project, env=env, capture_output=True, text=True, timeout=120
    )
    assert imported.returncode == 0, imported.stderr
