"""`wasmdeploy ci github` and `wasmdeploy ci aws-oidc-role` as a user runs them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import wasmtime
import yaml
from origin_manifest import ORIGIN_MANIFEST

WASI_COMMAND = '(module (memory (export "memory") 1) (func (export "_start")))'
INSTALL = ("--install", "wasmdeploy @ git+https://github.com/acme/wasmdeploy@0123abc")


def wasmdeploy(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "wasmdeploy", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.fixture
def service_repo(tmp_path: Path) -> Path:
    """A GitHub working tree with the origin's image service in services/images."""
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "config").write_text(
        '[remote "origin"]\n\turl = git@github.com:acme/images.git\n'
    )
    service = tmp_path / "services" / "images"
    (service / "tests").mkdir(parents=True)
    (service / "wasmdeploy.yml").write_text(ORIGIN_MANIFEST)
    (service / "wasm-handler.wasm").write_bytes(wasmtime.wat2wasm(WASI_COMMAND))
    (service / "tests" / "test_handler.py").write_text("def test_nothing() -> None: ...\n")
    return tmp_path


def test_ci_github_writes_a_workflow_that_validates_against_githubs_schema(
    service_repo: Path,
) -> None:
    result = wasmdeploy(
        "ci",
        "github",
        "--stage",
        "main=prod",
        "--stage",
        "develop=dev",
        "--backend",
        "s3://acme-pulumi-state",
        "--role-var",
        "DEPLOY_ROLE",
        *INSTALL,
        cwd=service_repo / "services" / "images",
    )
    assert result.returncode == 0, result.stderr
    path = service_repo / ".github" / "workflows" / "wasmdeploy.yml"
    assert f"Wrote {path}" in result.stdout
    assert "--repo acme/images --environment prod --environment dev --backend" in result.stdout
    assert "--repo acme/images --pull-requests --stage prod --stage dev --backend" in (
        result.stdout
    )
    schema = ["--builtin-schema", "vendor.github-workflows"]
    validated = subprocess.run(  # a dev dependency: run by this interpreter, venv or not
        [sys.executable, "-m", "check_jsonschema", *schema, str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert validated.returncode == 0, validated.stdout + validated.stderr
    workflow = yaml.safe_load(path.read_text())
    deploy = workflow["jobs"]["deploy-prod"]
    assert deploy["environment"] == {"name": "prod"}
    assert "wasmdeploy up --stage prod --yes" in json.dumps(deploy)
    assert "python -m pytest" in json.dumps(workflow["jobs"]["check"])


def test_ci_github_reads_the_functions_from_the_manifest_for_the_smoke_test(
    service_repo: Path,
) -> None:
    result = wasmdeploy("ci", "github", *INSTALL, cwd=service_repo / "services" / "images")
    assert result.returncode == 0, result.stderr
    assert "Warning" not in result.stderr, result.stderr
    text = (service_repo / ".github" / "workflows" / "wasmdeploy.yml").read_text()
    assert "wasmdeploy invoke --remote processImage --stage prod" in text
    assert "name: wasmdeploy-wasm-function-service" in text


def test_ci_github_keeps_an_existing_workflow_unless_forced(service_repo: Path) -> None:
    service = service_repo / "services" / "images"
    assert wasmdeploy("ci", "github", "-o", "wf.yml", *INSTALL, cwd=service).returncode == 0
    again = wasmdeploy("ci", "github", "-o", "wf.yml", *INSTALL, cwd=service)
    assert again.returncode == 1
    assert again.stderr.startswith(f"Error: {service / 'wf.yml'} exists already")
    assert "--force" in again.stderr
    assert "Traceback" not in again.stderr
    forced = wasmdeploy("ci", "github", "-o", "wf.yml", "--force", *INSTALL, cwd=service)
    assert forced.returncode == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--stage", "main"], "Error: --stage 'main' is not BRANCH=STAGE"),
        (["--backend", "file://state"], "is local: CI runners are thrown away"),
        (["--role-arn", "nope"], "is not an IAM role ARN"),
        (["--smoke", "resize"], "the manifest has no such function"),
    ],
)
def test_ci_github_mistakes_are_one_clear_error(
    service_repo: Path, args: list[str], message: str
) -> None:
    result = wasmdeploy("ci", "github", *args, *INSTALL, cwd=service_repo / "services" / "images")
    assert result.returncode == 1
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert not (service_repo / ".github").exists()


def test_aws_oidc_role_prints_json_with_the_exact_subjects(service_repo: Path) -> None:
    result = wasmdeploy(
        "ci",
        "aws-oidc-role",
        "--repo",
        "acme/images",
        "--branch",
        "main",
        "--environment",
        "prod",
        "--account-id",
        "123456789012",
        "--backend",
        "s3://acme-pulumi-state",
        cwd=service_repo / "services" / "images",
    )
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["RoleName"] == "wasmdeploy-wasm-function-service-deploy"
    statements = document["Policies"]["wasmdeploy-deploy"]["Statement"]
    buckets = next(s for s in statements if s["Sid"] == "ServiceBuckets")
    assert buckets["Resource"] == ["arn:aws:s3:::image-processing-bucket"]
    functions = next(s for s in statements if s["Sid"] == "ServiceFunctions")
    assert functions["Resource"] == [
        "arn:aws:lambda:us-east-1:123456789012:function:wasm-function-service-prod-*"
    ]
    condition = document["AssumeRolePolicyDocument"]["Statement"][0]["Condition"]
    assert condition["StringEquals"]["token.actions.githubusercontent.com:sub"] == [
        "repo:acme/images:ref:refs/heads/main",
        "repo:acme/images:environment:prod",
    ]
    assert condition["StringEquals"]["token.actions.githubusercontent.com:aud"] == (
        "sts.amazonaws.com"
    )


def test_aws_oidc_role_prints_a_pulumi_program(service_repo: Path) -> None:
    result = wasmdeploy(
        "ci",
        "aws-oidc-role",
        "--repo",
        "acme/images",
        "--pull-requests",
        "--stage",
        "prod",
        "--format",
        "pulumi",
        "--backend",
        "s3://acme-pulumi-state",
        cwd=service_repo / "services" / "images",
    )
    assert result.returncode == 0, result.stderr
    compile(result.stdout, "__main__.py", "exec")
    assert "aws.iam.OpenIdConnectProvider(" in result.stdout
    assert "repo:acme/images:pull_request" in result.stdout
    assert 'name="wasmdeploy-preview"' in result.stdout  # pull requests: read-only


def test_aws_oidc_role_refuses_one_role_for_pull_requests_and_deploys(service_repo: Path) -> None:
    result = wasmdeploy(
        "ci",
        "aws-oidc-role",
        "--repo",
        "acme/images",
        "--environment",
        "prod",
        "--pull-requests",
        "--account-id",
        "123456789012",
        "--backend",
        "s3://acme-pulumi-state",
        cwd=service_repo / "services" / "images",
    )
    assert result.returncode == 1
    assert "read-only preview role" in result.stderr
    assert "Traceback" not in result.stderr


def test_aws_oidc_role_without_a_scope_account_or_manifest_is_a_clear_error(
    service_repo: Path, tmp_path: Path
) -> None:
    service = service_repo / "services" / "images"
    no_scope = wasmdeploy(
        "ci", "aws-oidc-role", "--repo", "acme/images", "--backend", "s3://b-state", cwd=service
    )
    assert no_scope.returncode == 1
    assert "Error: say which workflow runs may assume the role" in no_scope.stderr
    no_account = wasmdeploy(
        "ci",
        "aws-oidc-role",
        "--repo",
        "acme/images",
        "--branch",
        "main",
        "--backend",
        "s3://b-state",
        cwd=service,
    )
    assert no_account.returncode == 1
    assert "needs --account-id" in no_account.stderr
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    no_manifest = wasmdeploy(
        "ci",
        "aws-oidc-role",
        "--repo",
        "acme/images",
        "--branch",
        "main",
        "--account-id",
        "123456789012",
        "--backend",
        "s3://b-state",
        cwd=elsewhere,
    )
    assert no_manifest.returncode == 1
    assert "scoped to one service's resources: no manifest found" in no_manifest.stderr
