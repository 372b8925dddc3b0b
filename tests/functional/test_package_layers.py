"""Runtime layers: content, bytecode, reproducibility, the CPython override.

The network is not used: the wheels and the CPython are stand-ins made by
`package_fakes`.
"""

from __future__ import annotations

import hashlib
import shutil
import stat
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest
from package_fakes import (
    STDLIB,
    TAG,
    add_file,
    boto3_cache_dir,
    write_boto3_wheels,
    write_python_dist,
    write_wheels,
)

from wasmdeploy.build.layer import LayerOptions, build_layer
from wasmdeploy.build.precompile import host_architecture
from wasmdeploy.errors import UserError


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private cache holding small wasmtime wheels for both architectures, and
    small boto3 wheels for this interpreter's version."""
    root = tmp_path / "cache"
    monkeypatch.setenv("WASMDEPLOY_CACHE_DIR", str(root))
    monkeypatch.delenv("WASMDEPLOY_PYTHON_DIST", raising=False)
    write_wheels(root)
    write_boto3_wheels(root)
    return root


@pytest.fixture
def python_dist(tmp_path: Path) -> Path:
    return write_python_dist(tmp_path / "cpython-install_only.tar.gz")


def names(artifact_path: Path) -> list[str]:
    with zipfile.ZipFile(artifact_path) as archive:
        return archive.namelist()


def test_managed_python_layer_puts_runtime_and_wheel_under_python(
    cache: Path, tmp_path: Path
) -> None:
    built = build_layer("arm64", "python", tmp_path / "layer.zip")
    listing = names(built.artifact.path)
    assert "python/wasmdeploy_runtime/units.py" in listing
    assert "python/wasmtime/linux-aarch64/_libwasmtime.so" in listing
    assert not any(n.endswith("RECORD") for n in listing)
    assert not any(n.startswith("python/bin/") for n in listing)  # no interpreter
    assert "bootstrap" not in listing
    assert not any("boto" in n for n in listing)  # Lambda's python runtimes have boto3


def test_layers_are_reproducible_and_reused_while_inputs_are_unchanged(
    cache: Path, tmp_path: Path
) -> None:
    first = build_layer("x86_64", "python", tmp_path / "one.zip")
    second = build_layer("x86_64", "python", tmp_path / "two.zip")
    assert first.artifact.path.read_bytes() == second.artifact.path.read_bytes()
    again = build_layer("x86_64", "python", tmp_path / "one.zip")
    assert again.reused and again.artifact == first.artifact


def test_custom_runtime_layer_has_bootstrap_interpreter_and_unchecked_pycs(
    cache: Path, tmp_path: Path, python_dist: Path
) -> None:
    options = LayerOptions(python_dist=str(python_dist))
    built = build_layer("x86_64", "provided", tmp_path / "layer.zip", options)
    with zipfile.ZipFile(built.artifact.path) as archive:
        listing = archive.namelist()
        assert stat.S_IMODE(archive.getinfo("bootstrap").external_attr >> 16) == 0o755
        assert stat.S_ISLNK(archive.getinfo("python/bin/python3").external_attr >> 16)
        runtime_pyc = archive.read(f"wasmdeploy_runtime/__pycache__/units.{TAG}.pyc")
        stdlib_pyc = archive.read(f"python/lib/{STDLIB}/__pycache__/os.{TAG}.pyc")
    # PEP 552 flags: 0b01 = hash-based, 0b10 = check_source; unchecked-hash is 0b01
    assert int.from_bytes(runtime_pyc[4:8], "little") == 1
    assert int.from_bytes(stdlib_pyc[4:8], "little") == 1
    assert b"/opt/wasmdeploy_runtime/units.py" in runtime_pyc
    assert "wasmtime/__init__.py" in listing
    assert not any(n.startswith(f"python/lib/{STDLIB}/test/") for n in listing)
    assert not any("site-packages/pip" in n for n in listing)
    assert "python/bin/pip3" not in listing and "python/include/Python.h" not in listing
    assert built.python_versions == [f"{sys.version_info.major}.{sys.version_info.minor}"]


def test_custom_runtime_layer_carries_boto3_with_only_the_data_the_runtime_loads(
    cache: Path, tmp_path: Path, python_dist: Path
) -> None:
    options = LayerOptions(python_dist=str(python_dist))
    built = build_layer("x86_64", "provided", tmp_path / "layer.zip", options)
    listing = names(built.artifact.path)
    for kept in (
        "six.py",
        f"__pycache__/six.{TAG}.pyc",
        f"boto3/__pycache__/__init__.{TAG}.pyc",
        "boto3/data/s3/2006-03-01/resources-1.json",
        "botocore/data/endpoints.json",
        "botocore/data/_retry.json",
        "botocore/data/s3/2006-03-01/service-2.json.gz",
        "botocore/data/sts/2011-06-15/service-2.json.gz",
    ):
        assert kept in listing
    assert not any("/ec2/" in n for n in listing)
    assert "jmespath/__init__.py" in listing
    assert not any(".data/" in n or "jp.py" in n for n in listing)  # wheel scripts
    assert not any(n.endswith("RECORD") for n in listing)


def test_a_changed_boto3_wheel_rebuilds_the_custom_runtime_layer(
    cache: Path, tmp_path: Path, python_dist: Path
) -> None:
    options = LayerOptions(python_dist=str(python_dist))
    first = build_layer("x86_64", "provided", tmp_path / "layer.zip", options)
    with zipfile.ZipFile(boto3_cache_dir(cache) / "six-1.17.0-py2.py3-none-any.whl", "a") as six:
        six.writestr("six_extra.py", "")
    again = build_layer("x86_64", "provided", tmp_path / "layer.zip", options)
    assert not again.reused and again.artifact.sha256 != first.artifact.sha256
    assert "six_extra.py" in names(again.artifact.path)


def test_a_failed_boto3_download_says_how_to_fill_the_cache(
    cache: Path, tmp_path: Path, python_dist: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.rmtree(boto3_cache_dir(cache))
    (tmp_path / "no-wheels").mkdir()
    monkeypatch.setenv("PIP_NO_INDEX", "1")  # pip looks only in the empty directory
    monkeypatch.setenv("PIP_FIND_LINKS", str(tmp_path / "no-wheels"))
    options = LayerOptions(python_dist=str(python_dist))
    with pytest.raises(UserError) as raised:
        build_layer("x86_64", "provided", tmp_path / "layer.zip", options)
    assert "could not download the boto3" in raised.value.message
    hint = raised.value.hint or ""
    assert str(boto3_cache_dir(cache)) in hint and "PIP_FIND_LINKS" in hint
    assert not boto3_cache_dir(cache).exists()


def test_custom_runtime_layer_bytes_do_not_depend_on_the_build(
    cache: Path, tmp_path: Path, python_dist: Path
) -> None:
    options = LayerOptions(python_dist=str(python_dist))
    first = build_layer("x86_64", "provided", tmp_path / "one.zip", options)
    (tmp_path / "one.zip.inputs").unlink()
    rebuilt = build_layer("x86_64", "provided", tmp_path / "one.zip", options)
    assert not rebuilt.reused
    assert rebuilt.artifact.sha256 == first.artifact.sha256


def test_a_distribution_for_another_architecture_is_refused(cache: Path, tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    (dist / "python" / "bin").mkdir(parents=True)
    (dist / "python" / "lib" / "python3.13").mkdir(parents=True)
    (dist / "python" / "lib" / "python3.13" / "os.py").write_text("")
    # an ELF header whose e_machine is 183 (aarch64)
    header = b"\x7fELF\x02\x01\x01" + bytes(11) + (183).to_bytes(2, "little")
    (dist / "python" / "bin" / "python3").write_bytes(header + bytes(100))
    with pytest.raises(UserError, match="built for arm64, not x86_64"):
        build_layer("x86_64", "provided", tmp_path / "l.zip", LayerOptions(python_dist=str(dist)))


def test_an_unreachable_distribution_url_names_the_override(cache: Path, tmp_path: Path) -> None:
    options = LayerOptions(python_dist="http://127.0.0.1:9/cpython.tar.gz")
    with pytest.raises(UserError) as raised:
        build_layer("x86_64", "provided", tmp_path / "l.zip", options)
    assert "could not download" in raised.value.message
    assert raised.value.hint is not None and "--python-dist" in raised.value.hint


def test_a_tarball_that_is_not_a_python_distribution_is_refused(
    cache: Path, tmp_path: Path
) -> None:
    path = tmp_path / "other.tar.gz"
    with tarfile.open(path, "w:gz") as archive:
        add_file(archive, "README", b"hello")
    with pytest.raises(UserError, match="no python/bin/python3"):
        build_layer("x86_64", "provided", tmp_path / "l.zip", LayerOptions(python_dist=str(path)))


@pytest.mark.skipif(
    not (sys.platform.startswith("linux") and host_architecture() == "x86_64"),
    reason="runs the layer's interpreter and wasmtime: needs a Linux x86_64 host",
)
def test_the_extracted_layer_imports_runtime_and_wasmtime_from_its_own_pycs(
    cache: Path, tmp_path: Path, python_dist: Path
) -> None:
    write_wheels(cache, real_x86_64=True)
    options = LayerOptions(python_dist=str(python_dist))
    built = build_layer("x86_64", "provided", tmp_path / "layer.zip", options)
    opt = tmp_path / "opt"
    with zipfile.ZipFile(built.artifact.path) as archive:
        archive.extractall(opt)
    (opt / "python" / "bin" / "python3").unlink()  # zipfile writes symlinks as files
    (opt / "python" / "bin" / "python3").symlink_to(STDLIB)
    for executable in ("bootstrap", f"python/bin/{STDLIB}"):
        (opt / executable).chmod(0o755)
    script = (
        "import wasmtime, wasmdeploy_runtime.engine as e; print(wasmtime.__file__);"
        "print(len(e.precompile(wasmtime.wat2wasm('(module)'), fuel=False)))"
    )
    result = subprocess.run(
        [str(opt / "python" / "bin" / "python3"), "-v", "-c", script],
        env={"PYTHONPATH": str(opt), "PYTHONDONTWRITEBYTECODE": "1", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.splitlines()[0] == str(opt / "wasmtime" / "__init__.py")
    # `python -v` names the file each module's code came from: a pyc, or a source it compiled
    code_from = [
        line for line in result.stderr.splitlines() if line.startswith("# code object from")
    ]
    assert any(f"{opt}/wasmdeploy_runtime/__pycache__/engine.{TAG}.pyc" in c for c in code_from)
    assert any(f"{opt}/wasmtime/__pycache__/_module.{TAG}.pyc" in c for c in code_from)
    compiled_at_import = [c for c in code_from if str(opt) in c and c.endswith(".py'")]
    assert compiled_at_import == []


def test_a_distribution_url_is_downloaded_once_and_its_sha256_checked(
    cache: Path, tmp_path: Path, python_dist: Path
) -> None:
    digest = hashlib.sha256(python_dist.read_bytes()).hexdigest()
    good = LayerOptions(python_dist=f"{python_dist.as_uri()}#sha256={digest}")
    built = build_layer("x86_64", "provided", tmp_path / "layer.zip", good)
    assert "python/bin/python3" in names(built.artifact.path)
    assert (cache / "python" / f"{digest}.tar.gz").is_file()
    bad = LayerOptions(python_dist=f"{python_dist.as_uri()}#sha256={'0' * 64}")
    with pytest.raises(UserError, match="expected 0000"):
        build_layer("x86_64", "provided", tmp_path / "other.zip", bad)
