"""The artifacts the program deploys: built for real by `up`, described for `plan`."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from wasmdeploy.build.package import PackageResult, layer_kind, package_service
from wasmdeploy.build.zips import Artifact
from wasmdeploy.manifest.model import Service


def plan_artifacts(service: Service, out_dir: Path) -> PackageResult:
    """Zips for a plan: no layer is built (nothing is downloaded), no module precompiled,
    and a function whose module is not built yet gets an artifact with no hash."""
    present = tuple(f for f in service.functions if f.module.is_file())
    result = package_service(
        replace(service, functions=present), out_dir=out_dir, build_layers=False, precompile=False
    )
    for function in service.functions:
        if function.name in result.functions:
            continue
        path = out_dir / "functions" / f"{function.name}.zip"
        result.functions[function.name] = Artifact(path, None, None)
        result.notes.append(f"{function.name}: module {function.module_relpath} is not built yet")
        if not function.is_edge:
            key = (function.architecture, layer_kind(function))
            result.layer_for[function.name] = key
            result.layers.setdefault(
                key, Artifact(out_dir / "layers" / f"{key[1]}-{key[0]}.zip", None, None)
            )
    return result
