"""Package a service: one zip per function, and the runtime layers they use.

The Pulumi program and `wasmdeploy package` both call `package_service`. Each
function zip holds the task root (module, `.cwasm` when this machine can make
it, `wasmdeploy.json`); Lambda@Edge has no layers, so an edge function's zip
also carries the runtime package and wasmtime (x86_64). Zips are reproducible:
unchanged inputs give the same bytes and the same `sha256`, so Lambda is not
updated.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from wasmdeploy.build.bytecode import Version, find_compiler
from wasmdeploy.build.layer import (
    LayerBuild,
    LayerKind,
    LayerOptions,
    build_layer,
    layer_filename,
)
from wasmdeploy.build.limits import check_edge_package, check_unzipped_total, direct_upload_warning
from wasmdeploy.build.precompile import Precompiler
from wasmdeploy.build.python_dist import cached_interpreters
from wasmdeploy.build.runtime_files import StagedRuntime, stage_runtime
from wasmdeploy.build.task_root import TaskRootFiles, task_root_files
from wasmdeploy.build.zips import Artifact, ZipBuilder
from wasmdeploy.manifest.model import Function, Service

__all__ = ["Artifact", "LayerKey", "PackageResult", "lambda_handler", "package_service"]

LayerKey = tuple[str, LayerKind]  # (architecture, kind)
MANAGED_HANDLER = "wasmdeploy_runtime.managed.handler"
EDGE_TASK_ROOT = "/var/task"

Progress = Callable[[str], None]


@dataclass
class PackageResult:
    """What `package_service` built.

    `functions[name]` is the function's zip; `layers[(architecture, kind)]` the
    runtime layer for functions of that architecture and kind ("provided" for
    custom runtimes, "python" for managed Python runtimes; edge functions use
    none). `layer_for[name]` names the layer each function needs.
    """

    out_dir: Path
    functions: dict[str, Artifact] = field(default_factory=dict)
    layers: dict[LayerKey, Artifact] = field(default_factory=dict)
    layer_for: dict[str, LayerKey] = field(default_factory=dict)
    precompiled: dict[str, bool] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def layer_kind(function: Function) -> LayerKind:
    return "provided" if function.runtime.startswith("provided") else "python"


def lambda_handler(function: Function) -> str:
    """The Lambda `handler` setting: the manifest's handler for the custom runtime
    (it reaches the bootstrap as `_HANDLER`), the runtime's entry for Python."""
    if function.is_edge or layer_kind(function) == "python":
        return MANAGED_HANDLER
    return function.handler


def python_version(runtime: str) -> Version:
    """(3, 13) for "python3.13"."""
    major, _, minor = runtime.removeprefix("python").partition(".")
    return int(major), int(minor)


def default_out_dir(service: Service) -> Path:
    return service.root / ".wasmdeploy" / "build" / service.stage


def package_service(
    service: Service,
    *,
    out_dir: Path | None = None,
    build_layers: bool = True,
    precompile: bool = True,
    precompiler: Precompiler | None = None,
    layer_options: LayerOptions | None = None,
    progress: Progress | None = None,
) -> PackageResult:
    """Build every function's zip and (with `build_layers`) the layers they use.

    With `build_layers=False` no layer is built and edge functions (which embed the
    runtime and the wasmtime wheel) are not either: those artifacts have
    `sha256=None` and the path where they would be.
    """
    report = progress or (lambda _message: None)
    out = out_dir or default_out_dir(service)
    result = PackageResult(out)
    precompiler = precompiler or Precompiler()
    for function in service.functions:
        if not function.is_edge:
            result.layer_for[function.name] = (function.architecture, layer_kind(function))

    for architecture, kind in sorted(set(result.layer_for.values())):
        path = out / "layers" / layer_filename(architecture, kind)
        if not build_layers:
            result.layers[(architecture, kind)] = Artifact(path, None, None)
            continue
        report(f"layer {kind} ({architecture})")
        built = build_layer(architecture, kind, path, layer_options)
        result.layers[(architecture, kind)] = built.artifact
        _collect_layer_notes(result, f"{kind} layer ({architecture})", built)

    edge_runtimes: dict[Version, StagedRuntime] = {}
    with tempfile.TemporaryDirectory(prefix="wasmdeploy-package-") as temporary:
        for function in service.functions:
            path = out / "functions" / f"{function.name}.zip"
            if function.is_edge and not build_layers:
                result.functions[function.name] = Artifact(path, None, None)
                continue
            report(f"function {function.name}")
            files = task_root_files(function, precompiler=precompiler, precompile=precompile)
            result.precompiled[function.name] = files.precompiled
            if files.note and precompile:
                result.notes.append(f"{function.name}: {files.note}")
            if function.is_edge:
                version = python_version(function.runtime)
                if version not in edge_runtimes:
                    staging = Path(temporary) / f"edge-{version[0]}{version[1]}"
                    edge_runtimes[version] = _stage_edge_runtime(function, staging, version)
                    notes = edge_runtimes[version].notes
                    result.notes.extend(f"edge functions: {note}" for note in notes)
                artifact = _write_function_zip(path, files, edge_runtimes[version])
                check_edge_package(function.name, artifact)
            else:
                artifact = _write_function_zip(path, files, None)
            result.functions[function.name] = artifact
            warning = direct_upload_warning(f"function {function.name!r}", artifact)
            if warning:
                result.warnings.append(warning)

    _check_totals(service, result)
    return result


def _stage_edge_runtime(function: Function, staging: Path, version: Version) -> StagedRuntime:
    return stage_runtime(
        function.architecture,
        staging,
        versions=[version],
        runtime_location=EDGE_TASK_ROOT,
        find=lambda wanted: find_compiler(wanted, cached_interpreters()),
    )


def _write_function_zip(
    path: Path, files: TaskRootFiles, runtime: StagedRuntime | None
) -> Artifact:
    builder = ZipBuilder()
    if runtime is not None:
        builder.add_tree("", runtime.directory)
    for relpath, data in files.files.items():
        builder.add_bytes(relpath, data)
    return builder.write(path)


def _collect_layer_notes(result: PackageResult, label: str, built: LayerBuild) -> None:
    result.notes.extend(f"{label}: {note}" for note in built.notes)
    warning = direct_upload_warning(label, built.artifact)
    if warning:
        result.warnings.append(warning)


def _check_totals(service: Service, result: PackageResult) -> None:
    for function in service.functions:
        artifacts = [result.functions[function.name]]
        if function.name in result.layer_for:
            artifacts.append(result.layers[result.layer_for[function.name]])
        check_unzipped_total(function.name, artifacts)
