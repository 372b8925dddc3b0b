"""The generated workflow's install step, run as a runner would: in a fresh virtualenv.

A runner can reach a git remote, not this machine's directories. The test
gives this checkout a remote (a bare clone of it), generates the workflow as
from that checkout, and runs the workflow's own `Install wasmdeploy` command
with bash in a new virtualenv. The virtualenv sees the system's packages, so
only wasmdeploy itself is built (its build backend comes from pip's cache or
PyPI); the installed copy must be that exact commit, importable and runnable.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import wasmdeploy
from wasmdeploy.ci.github_setup import GithubRequest, generate_github_workflow
from wasmdeploy.ci.install_spec import Provenance

CHECKOUT = Path(wasmdeploy.__file__).resolve().parents[1]
SERVICE = "service: hello\nprovider:\n  name: aws\nfunctions: {}\n"


def git(*args: str, cwd: Path) -> str:
    result = subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, timeout=60, check=True
    )
    return result.stdout.strip()


@pytest.fixture(scope="module")
def published_checkout(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A clone of this checkout whose `origin` is a bare repository holding its commit."""
    if shutil.which("git") is None or not (CHECKOUT / ".git").exists():
        pytest.skip("wasmdeploy does not run from a git checkout here")
    root = tmp_path_factory.mktemp("published")
    git("clone", "--quiet", "--bare", str(CHECKOUT), str(root / "wasmdeploy.git"), cwd=root)
    git("clone", "--quiet", str(root / "wasmdeploy.git"), str(root / "checkout"), cwd=root)
    return root / "checkout", git("rev-parse", "HEAD", cwd=root / "checkout")


def fresh_venv(tmp_path: Path, **env: str) -> tuple[Path, dict[str, str]]:
    """A new virtualenv that sees the system's packages, and an environment with it first."""
    venv = tmp_path / "venv"
    subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", "--system-site-packages", str(venv)],
        check=True,
        timeout=60,
    )
    environment = {**os.environ, "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ['PATH']}"}
    environment.pop("PYTHONPATH", None)
    return venv, {**environment, **env}


def run_step(script: str, cwd: Path, env: dict[str, str]) -> None:
    """A workflow's `run:` as GitHub runs it: bash with -e and pipefail."""
    result = subprocess.run(
        ["bash", "-eo", "pipefail", "-c", script],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def in_venv(venv: Path, code: str, cwd: Path, env: dict[str, str]) -> str:
    result = subprocess.run(
        [str(venv / "bin" / "python"), "-c", code],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout


def install_step(repo: Path, checkout: Path) -> str:
    (repo / ".git").mkdir(parents=True)
    (repo / "wasmdeploy.yml").write_text(SERVICE)
    provenance = Provenance("0.1.0", {"url": checkout.as_uri(), "dir_info": {"editable": True}})
    generated = generate_github_workflow(
        GithubRequest(cwd=repo, backend="s3://acme-state", provenance=provenance)
    )
    workflow = yaml.safe_load(generated.text)
    steps = workflow["jobs"]["deploy-prod"]["steps"]
    [step] = [s for s in steps if s.get("name") == "Install wasmdeploy"]
    return str(step["run"])


@pytest.mark.slow
def test_the_workflows_install_command_installs_this_exact_wasmdeploy_in_a_fresh_venv(
    published_checkout: tuple[Path, str], tmp_path: Path
) -> None:
    checkout, commit = published_checkout
    command = install_step(tmp_path / "repo", checkout)
    assert f"@{commit}" in command and "git+file://localhost/" in command

    venv, env = fresh_venv(tmp_path)
    run_step(command, tmp_path, env)
    probe = (
        "import json, wasmdeploy\n"
        "from wasmdeploy.ci.install_spec import installed_provenance\n"
        "p = installed_provenance()\n"
        "print(json.dumps({'file': wasmdeploy.__file__, 'direct': p.direct_url}))\n"
    )
    facts = json.loads(in_venv(venv, probe, tmp_path, env))
    assert Path(facts["file"]).is_relative_to(venv)
    assert facts["direct"]["vcs_info"]["commit_id"] == commit
    version = subprocess.run(
        [str(venv / "bin" / "wasmdeploy"), "--version"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert version.returncode == 0 and "wasmdeploy" in version.stdout, version.stderr


@pytest.mark.slow
def test_the_actions_install_step_installs_the_actions_own_source_in_a_fresh_venv(
    published_checkout: tuple[Path, str], tmp_path: Path
) -> None:
    checkout, _ = published_checkout
    action = yaml.safe_load((CHECKOUT / "action.yml").read_text())
    [step] = [s for s in action["runs"]["steps"] if s.get("name") == "Install wasmdeploy"]
    venv, env = fresh_venv(tmp_path, GITHUB_ACTION_PATH=str(checkout), WASMDEPLOY_REQUIREMENT="")
    run_step(step["run"], tmp_path, env)
    located = in_venv(venv, "import wasmdeploy; print(wasmdeploy.__file__)", tmp_path, env)
    assert Path(located.strip()).is_relative_to(venv)
