"""The init templates: in step with the examples they come from, valid once
rendered, and written without clobbering anything."""

from __future__ import annotations

import io
import json
from pathlib import Path

import jsonschema
import pytest
import yaml
from PIL import Image

from wasmdeploy.errors import UserError
from wasmdeploy.templates import TEMPLATES, check_service_name, create_service
from wasmdeploy.templates.sample_png import sample_png

REPO = Path(__file__).resolve().parents[2]
TEMPLATE_DIR = REPO / "wasmdeploy" / "templates"
SCHEMA = json.loads((REPO / "schemas" / "wasmdeploy.schema.json").read_text())

# Template files that are copies of an example's (the example is the source of truth).
COPIED_FROM_EXAMPLES = {
    "http": ("http-api", ["src/main.zig", "http-api.wasm"]),
    "s3-image": (
        "image-pipeline",
        [
            "src/png_decode.zig",
            "src/png_encode.zig",
            "src/png_filter.zig",
            "src/grayscale.zig",
            "src/wasi_main.zig",
            "grayscale-invert.wasm",
        ],
    ),
    "edge": ("edge-rewrite", ["src/main.zig", "edge-rewrite.wasm"]),
}


@pytest.mark.parametrize("template", list(TEMPLATES))
def test_template_sources_and_modules_match_their_example(template: str) -> None:
    example, files = COPIED_FROM_EXAMPLES[template]
    for relative in files:
        copied = (TEMPLATE_DIR / template / relative).read_bytes()
        original = (REPO / "examples" / example / relative).read_bytes()
        assert copied == original, f"templates/{template}/{relative} is stale: copy {example}'s"


@pytest.mark.parametrize("template", list(TEMPLATES))
def test_template_build_commands_match_their_example(template: str) -> None:
    example, _ = COPIED_FROM_EXAMPLES[template]
    template_manifest = yaml.safe_load((TEMPLATE_DIR / template / "wasmdeploy.yml").read_text())
    example_manifest = yaml.safe_load((REPO / "examples" / example / "wasmdeploy.yml").read_text())
    example_builds = {f["build"] for f in example_manifest["functions"].values()}
    for function in template_manifest["functions"].values():
        assert function["build"] in example_builds


@pytest.mark.parametrize("template", list(TEMPLATES))
def test_created_service_is_schema_valid_and_names_itself(template: str, tmp_path: Path) -> None:
    created = create_service("my-service", template, tmp_path / "svc")
    manifest_text = (created.directory / "wasmdeploy.yml").read_text()
    assert "__SERVICE__" not in manifest_text
    assert "__SERVICE__" not in (created.directory / "README.md").read_text()
    manifest = yaml.safe_load(manifest_text)
    assert manifest["service"] == "my-service"
    jsonschema.validate(manifest, SCHEMA)
    for function in manifest["functions"].values():
        module = function["handler"].split("#")[0]
        assert (created.directory / module).is_file()
    on_disk = sorted(
        str(p.relative_to(created.directory)) for p in created.directory.rglob("*") if p.is_file()
    )
    assert on_disk == list(created.files)


def test_s3_image_service_gets_a_sample_png(tmp_path: Path) -> None:
    created = create_service("imgs", "s3-image", tmp_path / "imgs")
    image = Image.open(created.directory / "sample.png")
    assert (image.mode, image.size) == ("RGBA", (96, 64))


def rgba_at(png: bytes, x: int, y: int) -> tuple[int, int, int, int]:
    image = Image.open(io.BytesIO(png))
    assert image.mode == "RGBA"
    width = image.size[0]
    data = image.tobytes()
    r, g, b, a = data[4 * (y * width + x) : 4 * (y * width + x) + 4]
    return r, g, b, a


def test_sample_png_decodes_to_the_gradient_it_describes() -> None:
    small = sample_png(10, 8)
    assert rgba_at(small, 0, 0) == (0, 0, 127, 96)  # corner: translucent border
    assert rgba_at(small, 9, 7)[:2] == (255, 255)
    assert rgba_at(small, 5, 4)[3] == 96  # 10x8 is all border within 6 pixels
    assert rgba_at(sample_png(), 48, 32)[3] == 255


def test_an_empty_directory_may_be_used(tmp_path: Path) -> None:
    target = tmp_path / "empty"
    target.mkdir()
    created = create_service("svc", "http", target)
    assert (created.directory / "wasmdeploy.yml").is_file()


def test_a_non_empty_directory_is_refused_and_untouched(tmp_path: Path) -> None:
    target = tmp_path / "busy"
    target.mkdir()
    (target / "notes.txt").write_text("keep me")
    with pytest.raises(UserError, match="not empty"):
        create_service("svc", "edge", target)
    assert [p.name for p in target.iterdir()] == ["notes.txt"]


def test_a_file_in_the_way_is_refused(tmp_path: Path) -> None:
    (tmp_path / "svc").write_text("a file")
    with pytest.raises(UserError, match="is a file"):
        create_service("svc", "http", tmp_path / "svc")


def test_unknown_template_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="unknown template"):
        create_service("svc", "lambda", tmp_path / "svc")
    assert not (tmp_path / "svc").exists()


@pytest.mark.parametrize("name", ["a", "api", "image-pipeline-2", "x" * 40])
def test_service_names_that_fit_bucket_and_function_names_are_accepted(name: str) -> None:
    assert check_service_name(name) == name


@pytest.mark.parametrize("name", ["", "A", "9lives", "a_b", "a.b", "end-", "a--b", "x" * 41])
def test_service_names_that_would_break_bucket_names_are_refused(name: str) -> None:
    with pytest.raises(UserError, match="invalid service name"):
        check_service_name(name)


def test_a_directory_that_cannot_be_made_is_a_user_error(tmp_path: Path) -> None:
    (tmp_path / "plain-file").write_text("not a directory")
    with pytest.raises(UserError, match="cannot create"):
        create_service("svc", "http", tmp_path / "plain-file" / "svc")
