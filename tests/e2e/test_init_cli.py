"""`wasmdeploy init`, as a user runs it: a new service that validates and
invokes at once, and never a clobbered directory."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from PIL import Image
from png_samples import inverted_luma

SCHEMA_ID = "https://wasmdeploy.dev/schemas/wasmdeploy.schema.json"


def wasmdeploy(
    *args: str, cwd: Path, stdin: bytes | None = None
) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "wasmdeploy", *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        timeout=120,
    )


def init(name: str, template: str, cwd: Path, *extra: str) -> Path:
    result = wasmdeploy("init", name, "--template", template, *extra, cwd=cwd)
    assert result.returncode == 0, result.stderr.decode()
    return cwd / name


def invoke_with_event(service: Path, function: str, *event_args: str) -> object:
    event = wasmdeploy("events", *event_args, cwd=service)
    assert event.returncode == 0, event.stderr.decode()
    result = wasmdeploy("invoke", function, "-e", "-", cwd=service, stdin=event.stdout)
    assert result.returncode == 0, result.stdout.decode() + result.stderr.decode()
    return json.loads(result.stdout)


@pytest.mark.parametrize("template", ["http", "s3-image", "edge"])
def test_new_service_validates_at_once(template: str, tmp_path: Path) -> None:
    service = init("fresh-service", template, tmp_path)
    manifest = (service / "wasmdeploy.yml").read_text()
    assert manifest.splitlines()[0] == f"# yaml-language-server: $schema={SCHEMA_ID}"
    assert yaml.safe_load(manifest)["service"] == "fresh-service"
    assert "fresh-service" in (service / "README.md").read_text()
    result = wasmdeploy("validate", cwd=service)
    assert result.returncode == 0, result.stdout.decode() + result.stderr.decode()
    assert b"service fresh-service" in result.stdout


def test_http_service_answers_a_generated_request(tmp_path: Path) -> None:
    service = init("orders", "http", tmp_path)
    response = invoke_with_event(
        service, "api", "apigw", "http", "--path", "/hello/ada", "--route", "/hello/{name}"
    )
    assert isinstance(response, dict)
    assert response["statusCode"] == 200
    assert json.loads(response["body"]) == {"message": "Hello, ada!"}


def test_edge_service_rewrites_a_generated_origin_request(tmp_path: Path) -> None:
    service = init("site", "edge", tmp_path)
    request = invoke_with_event(service, "rewrite", "cloudfront", "origin-request", "--uri", "/a/")
    assert isinstance(request, dict)
    assert request["uri"] == "/a/index.html"


def test_s3_image_service_processes_its_sample(tmp_path: Path) -> None:
    service = init("thumbs", "s3-image", tmp_path)
    result = wasmdeploy(
        "invoke", "processImage", "--object", "sample.png", "--out", "processed.png", cwd=service
    )
    assert result.returncode == 0, result.stderr.decode()
    source = Image.open(service / "sample.png").convert("RGBA")
    output = Image.open(io.BytesIO((service / "processed.png").read_bytes()))
    assert output.mode == "LA" and output.size == source.size
    rgba = source.tobytes()
    expected = [inverted_luma(*rgba[i : i + 3]) for i in range(0, len(rgba), 4)]
    assert list(output.tobytes()[0::2]) == expected


def test_a_github_workflow_is_written_for_a_service_outside_any_repository(
    tmp_path: Path,
) -> None:
    requirement = "wasmdeploy @ git+https://github.com/acme/wasmdeploy@0123abc"
    service = init("ci-ready", "http", tmp_path, "--install", requirement)
    workflow = yaml.safe_load((service / ".github" / "workflows" / "wasmdeploy.yml").read_text())
    assert workflow["jobs"]
    assert "wasmdeploy validate" in json.dumps(workflow)
    install = workflow["jobs"]["check"]["steps"][2]
    assert install["run"] == f"python -m pip install '{requirement}'"


def test_no_workflow_is_written_inside_an_existing_repository(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    result = wasmdeploy("init", "inner", cwd=tmp_path)
    assert result.returncode == 0, result.stderr.decode()
    assert not (tmp_path / "inner" / ".github").exists()
    assert b"wasmdeploy ci github" in result.stdout


def test_dir_option_places_the_service(tmp_path: Path) -> None:
    result = wasmdeploy("init", "placed", "--dir", "nested/here", "--no-workflow", cwd=tmp_path)
    assert result.returncode == 0, result.stderr.decode()
    assert (tmp_path / "nested" / "here" / "wasmdeploy.yml").is_file()
    assert not (tmp_path / "nested" / "here" / ".github").exists()


def test_an_existing_directory_is_never_overwritten(tmp_path: Path) -> None:
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "wasmdeploy.yml").write_text("service: mine\n")
    result = wasmdeploy("init", "taken", cwd=tmp_path)
    assert result.returncode == 1
    assert b"Error:" in result.stderr and b"not empty" in result.stderr
    assert b"Traceback" not in result.stderr
    assert (tmp_path / "taken" / "wasmdeploy.yml").read_text() == "service: mine\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken"]  # no staging left behind


@pytest.mark.parametrize("name", ["Upper", "under_score", "9lives", "trail-", "a" * 41, "x--y"])
def test_a_bad_service_name_is_a_user_error(name: str, tmp_path: Path) -> None:
    result = wasmdeploy("init", name, cwd=tmp_path)
    assert result.returncode == 1
    assert b"invalid service name" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_an_unknown_template_is_refused(tmp_path: Path) -> None:
    result = wasmdeploy("init", "svc", "--template", "graphql", cwd=tmp_path)
    assert result.returncode != 0
    assert b"graphql" in result.stderr
    assert list(tmp_path.iterdir()) == []
