"""The repository's composite action and its own CI workflow do what they promise.

The action's run script is executed for real, by bash, with a stand-in
`wasmdeploy` on PATH that records its arguments.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
ACTION = REPO_ROOT / "action.yml"
CI_WORKFLOW = REPO_ROOT / ".github" / "workflows" / "ci.yml"


def load(path: Path) -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(path.read_text())
    return document


def action_step(name_prefix: str) -> dict[str, Any]:
    steps: list[dict[str, Any]] = load(ACTION)["runs"]["steps"]
    return next(step for step in steps if step["name"].startswith(name_prefix))


def run_action_script(tmp_path: Path, **inputs: str) -> tuple[int, list[str], str]:
    """Run the action's command step as the runner would; return (status, argv, output)."""
    bash = shutil.which("bash")
    if bash is None:
        pytest.skip("bash is not installed")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    record = tmp_path / "argv"
    fake = bin_dir / "wasmdeploy"
    fake.write_text(f'#!{bash}\nprintf "%s\\n" "$@" > {shlex.quote(str(record))}\n')
    fake.chmod(0o755)
    step = action_step("wasmdeploy ")
    env = {"PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    for name, expression in step["env"].items():
        key = expression.removeprefix("${{ inputs.").removesuffix(" }}")
        env[name] = inputs.get(key.replace("-", "_"), "")
    result = subprocess.run(
        [bash, "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    argv = record.read_text().splitlines() if record.exists() else []
    return result.returncode, argv, result.stdout + result.stderr


def test_action_has_the_documented_inputs_and_only_command_is_required() -> None:
    inputs = load(ACTION)["inputs"]
    assert {"command", "stage", "manifest", "backend", "working-directory"} <= set(inputs)
    assert [name for name, spec in inputs.items() if spec.get("required")] == ["command"]


def test_action_installs_wasmdeploy_with_pip_and_pulumi_with_pulumis_action() -> None:
    runs = load(ACTION)["runs"]
    assert runs["using"] == "composite"
    assert "python -m pip install" in action_step("Install wasmdeploy")["run"]
    pulumi = action_step("Install the Pulumi CLI")
    assert pulumi["uses"] == "pulumi/actions@v6"
    assert "inputs.command" in pulumi["if"]


def test_action_runs_up_with_stage_backend_manifest_and_yes(tmp_path: Path) -> None:
    status, argv, _ = run_action_script(
        tmp_path, command="up", stage="prod", backend="s3://acme-state", manifest="svc.yml"
    )
    assert status == 0
    assert argv == [
        "up",
        "-f",
        "svc.yml",
        "--stage",
        "prod",
        "--backend",
        "s3://acme-state",
        "--yes",
    ]


def test_action_passes_no_backend_to_commands_without_state(tmp_path: Path) -> None:
    status, argv, _ = run_action_script(
        tmp_path, command="invoke", stage="dev", backend="s3://x", args="--remote processImage"
    )
    assert status == 0
    assert argv == ["invoke", "--stage", "dev", "--remote", "processImage"]


def test_action_validate_needs_nothing_else(tmp_path: Path) -> None:
    assert run_action_script(tmp_path, command="validate")[:2] == (0, ["validate"])


def test_action_refuses_an_unknown_command_without_running_anything(tmp_path: Path) -> None:
    status, argv, output = run_action_script(tmp_path, command="rm -rf /")
    assert status == 1
    assert argv == []
    assert "unknown wasmdeploy command" in output


def test_action_inputs_never_become_shell_code(tmp_path: Path) -> None:
    status, argv, _ = run_action_script(
        tmp_path, command="preview", stage="dev$(touch pwned)", backend="s3://b; touch pwned"
    )
    assert status == 0
    assert argv == ["preview", "--stage", "dev$(touch pwned)", "--backend", "s3://b; touch pwned"]
    assert not (tmp_path / "pwned").exists()


def test_project_ci_tests_on_python_311_312_313_with_the_ci_run_command() -> None:
    workflow = load(CI_WORKFLOW)
    test_job = workflow["jobs"]["test"]
    assert test_job["strategy"]["matrix"]["python-version"] == ["3.11", "3.12", "3.13"]
    runs = [step.get("run", "") for step in test_job["steps"]]
    ci_run = (REPO_ROOT / ".ci" / "run").read_text()
    command = "python3 -m pip install -e '.[dev]' && python3 -m pytest"
    assert command in ci_run
    assert command in runs


def test_project_ci_runs_ruff_and_mypy() -> None:
    runs = " ".join(step.get("run", "") for step in load(CI_WORKFLOW)["jobs"]["lint"]["steps"])
    assert "ruff check" in runs
    assert "mypy" in runs
