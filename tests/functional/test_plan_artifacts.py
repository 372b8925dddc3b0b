"""`plan_artifacts`: real zips for built modules, placeholders for the rest, no layer build."""

from __future__ import annotations

import shutil
from pathlib import Path

from stacks_factories import make_edge_function, make_function, make_service

from wasmdeploy.stacks.artifacts import plan_artifacts

MODULE = Path(__file__).resolve().parents[2] / "examples" / "http-api" / "http-api.wasm"


def test_built_modules_are_zipped_and_missing_ones_are_noted(tmp_path: Path) -> None:
    shutil.copy(MODULE, tmp_path / "built.wasm")
    built = make_function(tmp_path, "built")
    missing = make_function(tmp_path, "missing", architecture="arm64", build="make missing.wasm")
    edge = make_edge_function(tmp_path, "edge")
    service = make_service(tmp_path, [built, missing, edge])
    shutil.copy(MODULE, tmp_path / "edge.wasm")

    result = plan_artifacts(service, tmp_path / "out")

    assert result.functions["built"].sha256 and result.functions["built"].path.is_file()
    assert result.functions["missing"].sha256 is None
    assert result.functions["edge"].sha256 is None  # edge zips embed the runtime: not built
    assert any("missing.wasm is not built yet" in note for note in result.notes)
    assert set(result.layers) == {("x86_64", "provided"), ("arm64", "provided")}
    assert all(layer.sha256 is None for layer in result.layers.values())
    assert not any(layer.path.exists() for layer in result.layers.values())
