"""Which Python `bootstrap` runs: $WASMDEPLOY_PYTHON, else the layer's bundled
python/bin/python3, else python3 from PATH, with the layer directory on PYTHONPATH."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.functional.runtime_api_server import RuntimeApiServer
from tests.functional.runtime_modules import ECHO, write_task_root
from tests.functional.runtime_process import BOOTSTRAP, REPO_ROOT


def layer_copy(tmp_path: Path) -> Path:
    """A layer directory holding bootstrap and the runtime package, as Lambda's /opt does."""
    layer = tmp_path / "opt"
    layer.mkdir()
    shutil.copy2(BOOTSTRAP, layer / "bootstrap")
    (layer / "wasmdeploy_runtime").symlink_to(REPO_ROOT / "runtime-layer" / "wasmdeploy_runtime")
    return layer


def recording_python(path: Path, marker: Path) -> Path:
    """An executable that notes it ran, then runs this interpreter with the same arguments."""
    path.parent.mkdir(parents=True, exist_ok=True)
    script = (
        f'#!/bin/sh\necho "$@" > "{marker}"\necho "$PYTHONPATH" > "{marker}.path"\n'
        f'exec "{sys.executable}" "$@"\n'
    )
    path.write_text(script)
    path.chmod(0o755)
    return path


def serve_one(layer: Path, tmp_path: Path, env: dict[str, str]) -> bytes | None:
    api = RuntimeApiServer()
    root = write_task_root(tmp_path / "task", ECHO)
    environment = {
        **env,
        "AWS_LAMBDA_RUNTIME_API": api.address,
        "LAMBDA_TASK_ROOT": str(root),
    }
    process = subprocess.Popen([str(layer / "bootstrap")], env=environment, cwd=root)
    try:
        return api.invoke(b"which python", wait=60).response
    finally:
        process.terminate()
        process.wait(10)
        api.close()


def base_environment() -> dict[str, str]:
    keep = ("HOME", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION")
    return {key: os.environ[key] for key in keep if key in os.environ}


def test_bundled_python_is_preferred_when_no_override_is_set(tmp_path: Path) -> None:
    layer = layer_copy(tmp_path)
    marker = tmp_path / "bundled-ran"
    recording_python(layer / "python" / "bin" / "python3", marker)
    env = {**base_environment(), "PATH": "/usr/bin:/bin"}
    assert serve_one(layer, tmp_path, env) == b"which python"
    assert marker.read_text().split() == ["-m", "wasmdeploy_runtime"]
    assert Path(f"{marker}.path").read_text().strip().split(":")[0] == str(layer)


def test_wasmdeploy_python_overrides_the_bundled_one(tmp_path: Path) -> None:
    layer = layer_copy(tmp_path)
    bundled = tmp_path / "bundled-ran"
    recording_python(layer / "python" / "bin" / "python3", bundled)
    chosen = tmp_path / "override-ran"
    override = recording_python(tmp_path / "elsewhere" / "python", chosen)
    env = {**base_environment(), "PATH": "/usr/bin:/bin", "WASMDEPLOY_PYTHON": str(override)}
    assert serve_one(layer, tmp_path, env) == b"which python"
    assert chosen.exists()
    assert not bundled.exists()


def test_python3_from_path_is_the_last_resort(tmp_path: Path) -> None:
    layer = layer_copy(tmp_path)
    marker = tmp_path / "path-ran"
    bin_dir = tmp_path / "bin"
    recording_python(bin_dir / "python3", marker)
    env = {**base_environment(), "PATH": f"{bin_dir}:/usr/bin:/bin"}
    assert serve_one(layer, tmp_path, env) == b"which python"
    assert marker.exists()


def test_copy_inside_the_installed_package_puts_the_packages_parent_on_the_path(
    tmp_path: Path,
) -> None:
    site = tmp_path / "site"
    package = site / "wasmdeploy_runtime"
    shutil.copytree(REPO_ROOT / "runtime-layer" / "wasmdeploy_runtime", package)
    shutil.copy2(BOOTSTRAP, package / "bootstrap")
    marker = tmp_path / "ran"
    recording_python(tmp_path / "bin" / "python3", marker)
    env = {**base_environment(), "PATH": f"{tmp_path / 'bin'}:/usr/bin:/bin"}
    assert serve_one(package, tmp_path, env) == b"which python"
    assert Path(f"{marker}.path").read_text().strip().split(":")[0] == str(site)


@pytest.mark.skipif(not Path("/bin/sh").exists(), reason="needs /bin/sh")
def test_no_python_anywhere_is_a_clear_error(tmp_path: Path) -> None:
    layer = layer_copy(tmp_path)
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    result = subprocess.run(
        ["/bin/sh", str(layer / "bootstrap")],
        env={"PATH": str(empty)},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 127
    assert "no Python found" in result.stderr
