"""`wasmdeploy plan` as a user runs it: no AWS account, no pulumi CLI, no downloads."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def copy_example(name: str, tmp_path: Path) -> Path:
    copy = tmp_path / name
    shutil.copytree(EXAMPLES / name, copy, ignore=shutil.ignore_patterns("build", ".wasmdeploy"))
    return copy


def plan(
    *args: str, cwd: Path, columns: str | None = "200", **terminal: str
) -> subprocess.CompletedProcess[str]:
    """`wasmdeploy plan`, its output piped (unless `terminal` forces one, e.g. FORCE_COLOR)."""
    ours = ("AWS_", "PULUMI_", "COLUMNS", "FORCE_COLOR")
    env = {k: v for k, v in os.environ.items() if not k.startswith(ours)}
    env.update({"COLUMNS": columns} if columns else {}, **terminal)
    return subprocess.run(
        [sys.executable, "-m", "wasmdeploy", "plan", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )


def plan_json(cwd: Path, *args: str) -> list[dict[str, Any]]:
    result = plan("--json", *args, cwd=cwd)
    assert result.returncode == 0, result.stderr
    entries = json.loads(result.stdout)
    assert isinstance(entries, list)
    return entries


def only(entries: list[dict[str, Any]], type_token: str) -> dict[str, Any]:
    [found] = [e for e in entries if e["type"] == type_token]
    return found


def test_origin_manifest_plans_an_s3_triggered_provided_al2023_function(tmp_path: Path) -> None:
    service = copy_example("s3-event-log", tmp_path)
    entries = plan_json(service)
    assert not (service / ".wasmdeploy").exists()  # plan leaves no build output behind
    function = only(entries, "aws:lambda/function:Function")
    assert function["inputs"]["runtime"] == "provided.al2023"  # the manifest said provided.al2
    assert function["inputs"]["name"] == "wasm-function-service-dev-processImage"
    assert function["provider"] == "us-east-1"
    assert len(function["inputs"]["layers"]) == 1
    notification = only(entries, "aws:s3/bucketNotification:BucketNotification")
    [target] = notification["inputs"]["lambdaFunctions"]
    assert target["events"] == ["s3:ObjectCreated:*"]
    assert target["lambdaFunctionArn"].endswith(":function:wasm-function-service-dev-processImage")
    permission = only(entries, "aws:lambda/permission:Permission")
    assert permission["inputs"]["principal"] == "s3.amazonaws.com"
    assert permission["inputs"]["sourceArn"] == "arn:aws:s3:::image-processing-bucket"
    bucket = only(entries, "aws:s3/bucket:Bucket")
    assert bucket["inputs"]["bucket"] == "image-processing-bucket"


def test_stage_option_names_the_deployed_resources(tmp_path: Path) -> None:
    entries = plan_json(copy_example("s3-event-log", tmp_path), "--stage", "prod")
    function = only(entries, "aws:lambda/function:Function")
    assert function["inputs"]["name"] == "wasm-function-service-prod-processImage"


def test_edge_example_plans_a_published_function_behind_cloudfront(tmp_path: Path) -> None:
    entries = plan_json(copy_example("edge-rewrite", tmp_path))
    function = only(entries, "aws:lambda/function:Function")
    assert function["inputs"]["publish"] is True
    assert function["inputs"]["architectures"] == ["x86_64"]
    role = only(entries, "aws:iam/role:Role")
    trusted = json.loads(role["inputs"]["assumeRolePolicy"])["Statement"][0]["Principal"]
    assert "edgelambda.amazonaws.com" in trusted["Service"]
    distribution = only(entries, "aws:cloudfront/distribution:Distribution")
    assert distribution["provider"] == "us-east-1"
    [association] = distribution["inputs"]["defaultCacheBehavior"]["lambdaFunctionAssociations"]
    assert association["eventType"] == "origin-request"
    assert association["lambdaArn"].endswith(":function:edge-rewrite-dev-rewrite:1")


def test_table_shows_types_names_parents_and_key_inputs(tmp_path: Path) -> None:
    result = plan(cwd=copy_example("http-api", tmp_path))
    assert result.returncode == 0, result.stderr
    for text in (
        "apigatewayv2.Route",
        "GET /hello/{name}",
        "$default",
        "http-api",
        "AWS_PROXY, 2.0",
    ):
        assert text in result.stdout
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("flag", ["--json", None])
def test_invalid_manifest_is_a_clean_error(tmp_path: Path, flag: str | None) -> None:
    (tmp_path / "wasmdeploy.yml").write_text("service: x\nprovider: {name: aws}\nfunctions: 3\n")
    result = plan(*([flag] if flag else []), cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith("Error:")
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("columns", [None, "40", "80"])
def test_piped_table_keeps_every_value_whole_on_its_row(
    tmp_path: Path, columns: str | None
) -> None:
    from wasmdeploy.stacks.plan import key_inputs

    service = copy_example("image-pipeline", tmp_path)
    entries = plan_json(service)
    result = plan(cwd=service, columns=columns)
    assert result.returncode == 0, result.stderr
    assert "…" not in result.stdout
    rows = result.stdout.splitlines()
    for entry in entries:
        values = [entry["name"], entry["parent"] or "", key_inputs(entry)]
        assert any(all(value in row for value in values) for row in rows), values


def test_on_a_narrow_terminal_long_values_fold_instead_of_being_cut(tmp_path: Path) -> None:
    service = copy_example("image-pipeline", tmp_path)
    result = plan(cwd=service, columns="70", FORCE_COLOR="1", TERM="xterm")
    assert result.returncode == 0, result.stderr
    assert "\x1b[" in result.stdout  # rendered as for a terminal
    assert "…" not in result.stdout
    assert all(len(line) <= 70 for line in _plain(result.stdout).splitlines())


def _plain(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;]*m", "", text)
