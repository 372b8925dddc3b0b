"""The generated GitHub workflow holds the pieces a safe deploy pipeline needs."""

from __future__ import annotations

import shlex
from dataclasses import replace
from typing import Any

import pytest

from wasmdeploy.ci import Reference, WorkflowOptions, build_workflow, parse_stage_mappings
from wasmdeploy.ci.workflow_steps import ACTIONS

OPTIONS = WorkflowOptions(
    stages=parse_stage_mappings(["main=prod", "develop=dev"]),
    role=Reference(literal="arn:aws:iam::123456789012:role/deploy"),
    backend=Reference(literal="s3://acme-state"),
    region="eu-central-1",
    smoke_function="processImage",
)


def steps_of(job: dict[str, Any]) -> list[dict[str, Any]]:
    steps: list[dict[str, Any]] = job["steps"]
    return steps


def runs(job: dict[str, Any]) -> str:
    return "\n".join(step.get("run", "") for step in steps_of(job))


def step_using(job: dict[str, Any], action: str) -> dict[str, Any]:
    return next(step for step in steps_of(job) if step.get("uses") == ACTIONS[action])


def test_runs_on_pull_requests_into_and_pushes_to_the_mapped_branches() -> None:
    triggers = build_workflow(OPTIONS)["on"]
    assert triggers["pull_request"]["branches"] == ["main", "develop"]
    assert triggers["push"]["branches"] == ["main", "develop"]


def test_a_manual_run_on_a_mapped_branch_deploys_its_stage_again() -> None:
    workflow = build_workflow(OPTIONS)
    assert workflow["on"]["workflow_dispatch"] == {}
    assert "github.event_name == 'workflow_dispatch'" in workflow["jobs"]["deploy-dev"]["if"]
    assert "workflow_dispatch" not in workflow["jobs"]["preview-dev"]["if"]


def test_default_mapping_deploys_main_to_prod() -> None:
    workflow = build_workflow(replace(OPTIONS, stages=parse_stage_mappings([])))
    assert set(workflow["jobs"]) == {"check", "preview-prod", "deploy-prod"}
    assert workflow["jobs"]["deploy-prod"]["if"].endswith("github.ref == 'refs/heads/main'")


def test_check_job_validates_and_runs_tests_only_when_the_service_has_them() -> None:
    without = build_workflow(OPTIONS)["jobs"]["check"]
    assert "wasmdeploy validate" in runs(without)
    assert "pytest" not in runs(without)
    with_tests = build_workflow(
        replace(OPTIONS, run_tests=True, test_requirements=("requirements-dev.txt",))
    )["jobs"]["check"]
    assert "python -m pip install pytest -r requirements-dev.txt\npython -m pytest" in runs(
        with_tests
    )


def test_pull_request_previews_the_stage_of_the_target_branch_and_posts_the_plan() -> None:
    job = build_workflow(OPTIONS)["jobs"]["preview-dev"]
    assert "github.event_name == 'pull_request'" in job["if"]
    assert "github.base_ref == 'develop'" in job["if"]
    assert "wasmdeploy preview --stage dev" in runs(job)
    assert '--backend "$WASMDEPLOY_BACKEND"' in runs(job)
    post = step_using(job, "github-script")
    assert post["if"] == "always() && steps.preview.outcome != 'skipped'"
    assert "createComment" in post["with"]["script"]
    assert "updateComment" in post["with"]["script"]
    assert "core.summary" in post["with"]["script"]
    assert post["env"]["STAGE"] == "dev"
    assert post["env"]["COMMENT"] == "true"


def test_previews_skip_pull_requests_from_forks_which_get_no_oidc_token() -> None:
    job = build_workflow(OPTIONS)["jobs"]["preview-prod"]
    assert "github.event.pull_request.head.repo.full_name == github.repository" in job["if"]


def test_preview_permissions_allow_oidc_and_pr_comments_only_when_commenting() -> None:
    commenting = build_workflow(OPTIONS)["jobs"]["preview-prod"]["permissions"]
    assert commenting == {"contents": "read", "id-token": "write", "pull-requests": "write"}
    quiet = build_workflow(replace(OPTIONS, comment_on_pr=False))["jobs"]["preview-prod"]
    assert quiet["permissions"] == {"contents": "read", "id-token": "write"}
    assert step_using(quiet, "github-script")["env"]["COMMENT"] == "false"


def test_push_deploys_with_up_yes_then_smoke_invokes_the_chosen_function() -> None:
    job = build_workflow(OPTIONS)["jobs"]["deploy-prod"]
    assert job["if"] == (
        "(github.event_name == 'push' || github.event_name == 'workflow_dispatch')"
        " && github.ref == 'refs/heads/main'"
    )
    commands = [step["run"] for step in steps_of(job) if "run" in step]
    assert commands[-2] == 'wasmdeploy up --stage prod --yes --backend "$WASMDEPLOY_BACKEND"'
    assert commands[-1] == "wasmdeploy invoke --remote processImage --stage prod"
    assert job["needs"] == "check"


def test_no_smoke_step_without_a_smoke_function() -> None:
    job = build_workflow(replace(OPTIONS, smoke_function=None))["jobs"]["deploy-prod"]
    assert "invoke" not in runs(job)


def test_deploy_runs_in_the_stage_environment_and_never_cancels_a_running_deploy() -> None:
    job = build_workflow(OPTIONS)["jobs"]["deploy-dev"]
    assert job["environment"] == {"name": "dev"}
    assert job["concurrency"] == {"group": "wasmdeploy-deploy-dev", "cancel-in-progress": False}
    assert job["permissions"] == {"contents": "read", "id-token": "write"}


def test_deploys_assume_the_deploy_role_and_previews_the_read_only_one() -> None:
    workflow = build_workflow(OPTIONS)
    expected = {
        "preview-prod": "${{ vars.AWS_PREVIEW_ROLE_ARN }}",
        "deploy-prod": "arn:aws:iam::123456789012:role/deploy",
    }
    for job_id, role in expected.items():
        credentials = step_using(workflow["jobs"][job_id], "aws-credentials")
        assert credentials["with"] == {"role-to-assume": role, "aws-region": "eu-central-1"}
    assert workflow["permissions"] == {"contents": "read"}


def test_role_and_backend_can_come_from_repository_variables() -> None:
    workflow = build_workflow(
        replace(
            OPTIONS,
            role=Reference(variable="DEPLOY_ROLE"),
            backend=Reference(variable="STATE_URL"),
            preview_role=Reference(variable="PREVIEW_ROLE"),
        )
    )
    deploy = step_using(workflow["jobs"]["deploy-prod"], "aws-credentials")
    preview = step_using(workflow["jobs"]["preview-prod"], "aws-credentials")
    assert deploy["with"]["role-to-assume"] == "${{ vars.DEPLOY_ROLE }}"
    assert preview["with"]["role-to-assume"] == "${{ vars.PREVIEW_ROLE }}"
    assert workflow["env"]["WASMDEPLOY_BACKEND"] == "${{ vars.STATE_URL }}"


def test_passphrase_reaches_only_the_jobs_that_open_the_stack() -> None:
    workflow = build_workflow(replace(OPTIONS, passphrase_secret="STACK_PASSPHRASE"))
    assert "PULUMI_CONFIG_PASSPHRASE" not in workflow["env"]
    assert "env" not in workflow["jobs"]["check"]  # the service's own tests never see it
    for job_id in ("preview-prod", "deploy-prod"):
        env = workflow["jobs"][job_id]["env"]
        assert env["PULUMI_CONFIG_PASSPHRASE"] == "${{ secrets.STACK_PASSPHRASE }}"
    assert workflow["jobs"]["deploy-prod"]["environment"] == {"name": "prod"}
    assert "environment" not in workflow["jobs"]["preview-prod"]


def test_deploy_jobs_put_the_service_roles_under_the_permissions_boundary() -> None:
    workflow = build_workflow(
        replace(OPTIONS, permissions_boundary=Reference(literal="wasmdeploy/images/b"))
    )
    for job_id in ("preview-prod", "deploy-prod"):
        env = workflow["jobs"][job_id]["env"]
        assert env["WASMDEPLOY_PERMISSIONS_BOUNDARY"] == "wasmdeploy/images/b"


def test_pulumi_cli_comes_from_pulumis_action_before_any_pulumi_command() -> None:
    for job_id in ("preview-prod", "deploy-prod"):
        job_steps = steps_of(build_workflow(OPTIONS)["jobs"][job_id])
        uses = [step.get("uses") for step in job_steps]
        pulumi_at = uses.index("pulumi/actions@v6")
        first_pulumi_command = next(
            i for i, step in enumerate(job_steps) if "--backend" in step.get("run", "")
        )
        assert pulumi_at < first_pulumi_command
        assert "with" not in job_steps[pulumi_at]  # no command: install the CLI only


def test_pip_cache_is_keyed_on_the_workflow_and_the_services_requirements() -> None:
    options = replace(
        OPTIONS,
        working_directory="services/images",
        run_tests=True,
        test_requirements=("requirements.txt",),
    )
    setup = step_using(build_workflow(options)["jobs"]["check"], "setup-python")
    assert setup["with"]["cache"] == "pip"
    assert setup["with"]["cache-dependency-path"].splitlines() == [
        ".github/workflows/wasmdeploy.yml",
        "services/images/requirements.txt",
    ]


def test_every_action_is_pinned_to_a_major_version_tag() -> None:
    workflow = build_workflow(replace(OPTIONS, run_tests=True))
    used = {
        step["uses"] for job in workflow["jobs"].values() for step in job["steps"] if "uses" in step
    }
    assert used == set(ACTIONS.values())
    for action in used:
        assert action.rsplit("@", 1)[1].startswith("v")
        assert action.rsplit("@", 1)[1][1:].isdigit()


def test_service_in_a_subdirectory_runs_there_and_only_when_it_changes() -> None:
    workflow = build_workflow(
        replace(OPTIONS, working_directory="services/images", manifest_name="serverless.yml")
    )
    assert workflow["defaults"]["run"] == {"shell": "bash", "working-directory": "services/images"}
    assert workflow["on"]["push"]["paths"] == [
        "services/images/**",
        ".github/workflows/wasmdeploy.yml",
    ]
    assert "wasmdeploy up --stage prod --yes -f serverless.yml" in runs(
        workflow["jobs"]["deploy-prod"]
    )


def test_service_at_the_root_runs_on_every_change() -> None:
    workflow = build_workflow(OPTIONS)
    assert workflow["defaults"]["run"] == {"shell": "bash"}
    assert "paths" not in workflow["on"]["push"]


def test_two_branches_deploying_one_stage_get_distinct_jobs_sharing_one_queue() -> None:
    options = replace(OPTIONS, stages=parse_stage_mappings(["main=prod", "hotfix=prod"]))
    jobs = build_workflow(options)["jobs"]
    assert {"deploy-prod-main", "deploy-prod-hotfix"} <= set(jobs)
    groups = {jobs[j]["concurrency"]["group"] for j in ("deploy-prod-main", "deploy-prod-hotfix")}
    assert groups == {"wasmdeploy-deploy-prod"}


@pytest.mark.parametrize("spec", ["wasmdeploy==0.1.0", "wasmdeploy @ git+https://x/y@v1"])
def test_install_step_installs_the_given_requirement_as_one_argument(spec: str) -> None:
    job = build_workflow(replace(OPTIONS, install_spec=spec))["jobs"]["check"]
    install = next(step for step in steps_of(job) if step["name"] == "Install wasmdeploy")
    assert shlex.split(install["run"]) == ["python", "-m", "pip", "install", spec]
