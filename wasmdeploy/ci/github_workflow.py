"""The GitHub Actions workflow that checks, previews and deploys a service.

Jobs:
- `check` on every pull request and push: install, validate, the service's tests.
- `preview-STAGE` on a pull request into the branch that deploys STAGE: the
  plan, posted to the job summary and as a PR comment, under the read-only
  preview role (pull requests run their own code). Pull requests from forks
  get no OIDC token, so they stop after `check`.
- `deploy-STAGE` on a push to that branch (or a manual run on it): `up`, then a
  smoke `invoke --remote`, in the GitHub environment STAGE (so production can
  require approval, and the stage's environment secrets reach only this job)
  and in a concurrency group that queues deploys of a stage and never cancels
  one running.

The passphrase reaches only the jobs that open the stack (previews need it to
read the stack too), never the `check` job that runs the service's tests.
"""

from __future__ import annotations

import re
from typing import Any

from wasmdeploy.ci import workflow_steps as steps
from wasmdeploy.ci.stage_map import StageMapping
from wasmdeploy.ci.workflow_options import WorkflowOptions

Workflow = dict[str, Any]
Job = dict[str, Any]

SAME_REPOSITORY = "github.event.pull_request.head.repo.full_name == github.repository"


def job_id(prefix: str, mapping: StageMapping, options: WorkflowOptions) -> str:
    """`deploy-prod`; `deploy-prod-release-v2` when several branches deploy the same stage."""
    shared = sum(1 for other in options.stages if other.stage == mapping.stage) > 1
    name = f"{mapping.stage}-{mapping.branch}" if shared else mapping.stage
    return f"{prefix}-{re.sub(r'[^A-Za-z0-9_-]', '-', name)}"


def concurrency_group(options: WorkflowOptions, kind: str, stage: str) -> str:
    return f"{options.name}-{kind}-{stage}"


def setup_steps(options: WorkflowOptions) -> list[steps.Step]:
    requirements = options.test_requirements if options.run_tests else ()
    return [
        steps.checkout(),
        steps.setup_python(options, requirements),
        steps.install_wasmdeploy(options),
    ]


def check_job(options: WorkflowOptions) -> Job:
    job_steps = [*setup_steps(options), steps.validate(options)]
    if options.run_tests:
        job_steps.append(steps.run_tests(options))
    return {
        "name": "Validate and test",
        "runs-on": options.runner,
        "timeout-minutes": 20,
        "steps": job_steps,
    }


def stack_env(options: WorkflowOptions) -> dict[str, str]:
    """What a job that opens the stack needs beside its role."""
    return {
        "PULUMI_CONFIG_PASSPHRASE": f"${{{{ secrets.{options.passphrase_secret} }}}}",
        "WASMDEPLOY_PERMISSIONS_BOUNDARY": options.permissions_boundary.expression,
    }


def preview_job(mapping: StageMapping, options: WorkflowOptions) -> Job:
    role = options.preview_role
    permissions = {"contents": "read", "id-token": "write"}
    if options.comment_on_pr:
        permissions["pull-requests"] = "write"
    return {
        "name": f"Preview {mapping.stage}",
        "needs": "check",
        "if": (
            f"github.event_name == 'pull_request' && github.base_ref == '{mapping.branch}'"
            f" && {SAME_REPOSITORY}"
        ),
        "runs-on": options.runner,
        "timeout-minutes": 30,
        "permissions": permissions,
        "concurrency": {
            "group": concurrency_group(options, "preview", mapping.stage)
            + "-${{ github.event.pull_request.number }}",
            "cancel-in-progress": True,
        },
        "env": stack_env(options),
        "steps": [
            *setup_steps(options),
            steps.aws_credentials(role.expression, options),
            steps.install_pulumi(),
            steps.preview(mapping.stage, options),
            steps.post_plan(mapping.stage, options),
        ],
    }


def deploy_job(mapping: StageMapping, options: WorkflowOptions) -> Job:
    job_steps = [
        *setup_steps(options),
        steps.aws_credentials(options.role.expression, options),
        steps.install_pulumi(),
        steps.deploy(mapping.stage, options),
    ]
    if options.smoke_function is not None:
        job_steps.append(steps.smoke_invoke(mapping.stage, options.smoke_function, options))
    return {
        "name": f"Deploy {mapping.stage}",
        "needs": "check",
        "if": (
            "(github.event_name == 'push' || github.event_name == 'workflow_dispatch')"
            f" && github.ref == '{mapping.ref}'"
        ),
        "runs-on": options.runner,
        "timeout-minutes": 60,
        "permissions": {"contents": "read", "id-token": "write"},
        "environment": {"name": mapping.stage},
        "concurrency": {
            "group": concurrency_group(options, "deploy", mapping.stage),
            "cancel-in-progress": False,
        },
        "env": stack_env(options),
        "steps": job_steps,
    }


def build_workflow(options: WorkflowOptions) -> Workflow:
    """The whole workflow as data, ready for `dump_workflow`."""
    branches = options.branches
    jobs: dict[str, Job] = {"check": check_job(options)}
    for mapping in options.stages:
        jobs[job_id("preview", mapping, options)] = preview_job(mapping, options)
    for mapping in options.stages:
        jobs[job_id("deploy", mapping, options)] = deploy_job(mapping, options)
    defaults: dict[str, Any] = {"shell": "bash"}
    if options.working_directory not in ("", "."):
        defaults["working-directory"] = options.working_directory
    trigger: dict[str, Any] = {"branches": branches}
    if options.working_directory not in ("", "."):
        # A service in a monorepo runs only when it (or this workflow) changes.
        trigger["paths"] = [f"{options.working_directory}/**", options.workflow_path]
    return {
        "name": options.name,
        # workflow_dispatch: "Run workflow" on a mapped branch deploys its stage again.
        "on": {"pull_request": dict(trigger), "push": dict(trigger), "workflow_dispatch": {}},
        "permissions": {"contents": "read"},
        "env": {"WASMDEPLOY_BACKEND": options.backend.expression},
        "defaults": {"run": defaults},
        "jobs": jobs,
    }
