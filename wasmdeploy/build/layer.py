"""The runtime layers, one per (architecture, kind).

- kind "provided" (custom runtime, `provided.al2023`): `bootstrap` at the root,
  a relocatable CPython in `python/`, and `wasmdeploy_runtime`, wasmtime and boto3
  (with its dependencies; that runtime has none) at the root (the bootstrap puts
  `/opt` on PYTHONPATH), all with pycs.
- kind "python" (managed `python3.12` / `python3.13`): `python/wasmdeploy_runtime`
  and `python/wasmtime` (Lambda puts `/opt/python` on sys.path), with pycs for
  both Python versions when interpreters for them are on this machine.

A built layer is reused while its inputs (runtime files, wheels, interpreter,
compilers) are unchanged, recorded in `<layer>.zip.inputs`.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from wasmdeploy.build import aws_sdk
from wasmdeploy.build.bytecode import Version, compile_tree, find_compiler, version_text
from wasmdeploy.build.python_dist import PythonDist, cached_interpreters, resolve_python_dist
from wasmdeploy.build.runtime_files import bootstrap_file, runtime_package_files, stage_runtime
from wasmdeploy.build.wheels import wasmtime_version, wasmtime_wheel
from wasmdeploy.build.zips import Artifact, ZipBuilder, file_digest

LayerKind = Literal["provided", "python"]
LAYER_KINDS: tuple[LayerKind, ...] = ("provided", "python")
MANAGED_PYTHON_VERSIONS: tuple[Version, ...] = ((3, 12), (3, 13))
LAYER_ROOT = "/opt"

# Parts of the CPython distribution a Lambda function never uses (paths under python/).
_DIST_EXCLUDED_DIRS = ("include", "share", "lib/pkgconfig")
_DIST_EXCLUDED_GLOBS = (
    "lib/tcl*",
    "lib/tk*",
    "lib/itcl*",
    "lib/thread*",
    "lib/libtcl*",
    "lib/libtk*",
)
_STDLIB_EXCLUDED = (
    "test",
    "idlelib",
    "tkinter",
    "turtledemo",
    "ensurepip",
    "lib2to3",
    "site-packages",
)
_BIN_KEPT_PREFIX = "python3"
_BIN_EXCLUDED_SUFFIX = "-config"


@dataclass(frozen=True)
class LayerOptions:
    python_dist: str | None = None  # path or URL overriding the pinned CPython
    compile_bytecode: bool = True


@dataclass
class LayerBuild:
    artifact: Artifact
    python_versions: list[str] = field(default_factory=list)  # versions with pycs
    notes: list[str] = field(default_factory=list)
    reused: bool = False


def layer_filename(architecture: str, kind: LayerKind) -> str:
    return f"wasmdeploy-runtime-{kind}-{architecture}.zip"


def build_layer(
    architecture: str, kind: LayerKind, destination: Path, options: LayerOptions | None = None
) -> LayerBuild:
    """Build (or reuse) the layer zip at `destination`."""
    options = options or LayerOptions()
    wheel = wasmtime_wheel(architecture)
    dist = resolve_python_dist(architecture, options.python_dist) if kind == "provided" else None
    versions = [dist.version] if dist else list(MANAGED_PYTHON_VERSIONS)
    # Lambda's managed python runtimes include boto3.
    sdk_wheels = aws_sdk.boto3_wheels(architecture, dist.version) if dist else []
    compilers = _compilers(versions, dist) if options.compile_bytecode else {}
    fingerprint = _fingerprint(architecture, kind, [wheel, *sdk_wheels], dist, compilers)
    stamp = destination.with_name(destination.name + ".inputs")
    previous = _read_stamp(stamp)
    if destination.is_file() and previous.get("inputs") == fingerprint:
        sha256, size = file_digest(destination)
        artifact = Artifact(destination, sha256, size, previous.get("unzipped_size"))
        versions_text = list(previous.get("python_versions", []))
        return LayerBuild(artifact, versions_text, list(previous.get("notes", [])), reused=True)

    with tempfile.TemporaryDirectory(prefix="wasmdeploy-layer-") as temporary:
        staging = Path(temporary)
        location = LAYER_ROOT if kind == "provided" else f"{LAYER_ROOT}/python"
        staged = stage_runtime(
            architecture,
            staging / "site",
            versions=versions if options.compile_bytecode else [],
            runtime_location=location,
            find=compilers.get,
            sdk_wheels=sdk_wheels,
        )
        builder = ZipBuilder()
        if kind == "provided":
            assert dist is not None
            builder.add_file("bootstrap", bootstrap_file(), executable=True)
            builder.add_tree("", staged.directory)
            python_dir = _stage_python(dist, staging / "python", compilers.get(dist.version))
            builder.add_tree("python", python_dir)
        else:
            builder.add_tree("python", staged.directory)
        artifact = builder.write(destination)
    notes = list(staged.notes)
    if not options.compile_bytecode:
        notes.append("bytecode compilation turned off: .py files compile at each cold start")
    built = LayerBuild(artifact, [version_text(v) for v in staged.compiled_for], notes)
    record = {
        "inputs": fingerprint,
        "unzipped_size": artifact.unzipped_size,
        "python_versions": built.python_versions,
        "notes": built.notes,
    }
    stamp.write_text(json.dumps(record, indent=2))
    return built


def _compilers(versions: list[Version], dist: PythonDist | None) -> dict[Version, Path]:
    # The distributions already in the cache can write pycs for their version too.
    preferred = [dist.interpreter] if dist else []
    preferred += sorted(cached_interpreters())
    found = {version: find_compiler(version, preferred) for version in versions}
    return {version: path for version, path in found.items() if path is not None}


def _stage_python(dist: PythonDist, destination: Path, compiler: Path | None) -> Path:
    """Copy the distribution without what Lambda never runs, and compile its stdlib."""
    source = dist.python_dir
    excluded = {source / d for d in _DIST_EXCLUDED_DIRS}
    excluded |= {p for pattern in _DIST_EXCLUDED_GLOBS for p in source.glob(pattern)}
    excluded |= {dist.stdlib / name for name in _STDLIB_EXCLUDED}
    excluded |= {
        p
        for p in (source / "bin").iterdir()
        if not p.name.startswith(_BIN_KEPT_PREFIX) or p.name.endswith(_BIN_EXCLUDED_SUFFIX)
    }
    excluded |= set(dist.stdlib.glob("config-*"))

    def ignore(directory: str, names: list[str]) -> list[str]:
        return [n for n in names if Path(directory, n) in excluded or n == "__pycache__"]

    shutil.copytree(source, destination, symlinks=True, ignore=ignore)
    if compiler is not None:
        stdlib = destination / dist.stdlib.relative_to(source)
        compile_tree(compiler, stdlib, f"{LAYER_ROOT}/python/{dist.stdlib.relative_to(source)}")
    return destination


def _fingerprint(
    architecture: str,
    kind: LayerKind,
    wheels: list[Path],
    dist: PythonDist | None,
    compilers: dict[Version, Path],
) -> str:
    digest = hashlib.sha256(f"{architecture}|{kind}|{wasmtime_version()}|".encode())
    for wheel in wheels:
        digest.update(f"{wheel.name}|{wheel.stat().st_size}|".encode())
    runtime_files = runtime_package_files()
    if kind == "provided":
        runtime_files.append((bootstrap_file(), Path("bootstrap")))
    for path, relative in runtime_files:
        digest.update(relative.as_posix().encode() + b"\0" + path.read_bytes())
    if dist:
        digest.update(f"{dist.root}|{dist.version}|{dist.root.stat().st_mtime_ns}|".encode())
    for version, compiler in sorted(compilers.items()):
        digest.update(f"{version}|{compiler}|".encode())
    # A change to how layers are made, or to what is kept of boto3, rebuilds them.
    digest.update(Path(__file__).read_bytes())
    digest.update(Path(aws_sdk.__file__).read_bytes())
    return digest.hexdigest()


def _read_stamp(stamp: Path) -> dict[str, Any]:
    try:
        value = json.loads(stamp.read_text())
    except (OSError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}
