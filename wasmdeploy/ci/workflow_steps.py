"""The steps of a generated workflow, each built as data.

Actions are pinned by major version tag. Every `run:` step runs in the
manifest's directory (the workflow's `defaults.run.working-directory`) under
bash with pipefail.
"""

from __future__ import annotations

import shlex
from typing import Any

from wasmdeploy.ci.workflow_options import WorkflowOptions

Step = dict[str, Any]

ACTIONS: dict[str, str] = {
    "checkout": "actions/checkout@v4",
    "setup-python": "actions/setup-python@v5",
    "aws-credentials": "aws-actions/configure-aws-credentials@v4",
    "pulumi": "pulumi/actions@v6",
    "github-script": "actions/github-script@v7",
}

PLAN_FILE = "${{ runner.temp }}/wasmdeploy-preview.txt"
# github-script has no shell: this posts (or updates) one comment per stage, and the summary.
POST_PLAN_SCRIPT = """\
const fs = require('fs');
const { STAGE, MARKER, OUTCOME, PLAN_FILE, COMMENT } = process.env;
let plan = fs.existsSync(PLAN_FILE) ? fs.readFileSync(PLAN_FILE, 'utf8') : '(no output)';
const limit = 60000;
if (plan.length > limit) {
  plan = '... (cut: see the job log for the full plan)\\n' + plan.slice(-limit);
}
const title = `wasmdeploy preview of stage \\`${STAGE}\\`: ${OUTCOME}`;
await core.summary.addHeading(title, 3).addCodeBlock(plan).write();
if (COMMENT !== 'true') {
  return;
}
const body = [MARKER, `### ${title}`, '', '```', plan, '```'].join('\\n');
const { owner, repo } = context.repo;
const issue_number = context.issue.number;
const comments = await github.paginate(github.rest.issues.listComments, {
  owner, repo, issue_number,
});
const previous = comments.find((c) => c.body && c.body.startsWith(MARKER));
if (previous) {
  await github.rest.issues.updateComment({ owner, repo, comment_id: previous.id, body });
} else {
  await github.rest.issues.createComment({ owner, repo, issue_number, body });
}
"""


def checkout() -> Step:
    return {"name": "Check out", "uses": ACTIONS["checkout"]}


def setup_python(options: WorkflowOptions, requirement_files: tuple[str, ...]) -> Step:
    """Python with pip's cache keyed on this workflow (it pins the install) and requirements.

    `cache-dependency-path` is relative to the repository root, not the working directory.
    """
    directory = options.working_directory.strip("/")
    prefix = "" if directory in ("", ".") else f"{directory}/"
    paths = [options.workflow_path, *(prefix + path for path in requirement_files)]
    return {
        "name": "Set up Python",
        "uses": ACTIONS["setup-python"],
        "with": {
            "python-version": options.python_version,
            "cache": "pip",
            "cache-dependency-path": "\n".join(paths),
        },
    }


def install_wasmdeploy(options: WorkflowOptions) -> Step:
    return {
        "name": "Install wasmdeploy",
        "run": f"python -m pip install {shlex.quote(options.install_spec)}",
    }


def validate(options: WorkflowOptions) -> Step:
    return {"name": "Validate the manifest", "run": f"wasmdeploy validate{options.manifest_args}"}


def run_tests(options: WorkflowOptions) -> Step:
    requirements = "".join(f" -r {shlex.quote(path)}" for path in options.test_requirements)
    return {
        "name": "Run the service's tests",
        "run": f"python -m pip install pytest{requirements}\npython -m pytest\n",
    }


def aws_credentials(role_expression: str, options: WorkflowOptions) -> Step:
    return {
        "name": "Configure AWS credentials (OIDC)",
        "uses": ACTIONS["aws-credentials"],
        "with": {"role-to-assume": role_expression, "aws-region": options.region},
    }


def install_pulumi() -> Step:
    """pulumi/actions without a `command` installs the Pulumi CLI and nothing else."""
    return {"name": "Install the Pulumi CLI", "uses": ACTIONS["pulumi"]}


def preview(stage: str, options: WorkflowOptions) -> Step:
    command = (
        f'wasmdeploy preview --stage {stage}{options.manifest_args} --backend "$WASMDEPLOY_BACKEND"'
    )
    return {
        "name": f"Preview {stage}",
        "id": "preview",
        "run": f'{command} 2>&1 | tee "$PLAN_FILE"\n',
        "env": {"PLAN_FILE": PLAN_FILE, "NO_COLOR": "1"},
    }


def post_plan(stage: str, options: WorkflowOptions) -> Step:
    """The plan goes to the job summary, and to a PR comment updated on each push."""
    return {
        "name": "Post the plan" + (" on the pull request" if options.comment_on_pr else ""),
        "if": "always() && steps.preview.outcome != 'skipped'",
        "uses": ACTIONS["github-script"],
        "env": {
            "STAGE": stage,
            "MARKER": f"<!-- wasmdeploy-preview:{options.name}:{stage} -->",
            "OUTCOME": "${{ steps.preview.outcome }}",
            "PLAN_FILE": PLAN_FILE,
            "COMMENT": "true" if options.comment_on_pr else "false",
        },
        "with": {"script": POST_PLAN_SCRIPT},
    }


def deploy(stage: str, options: WorkflowOptions) -> Step:
    return {
        "name": f"Deploy {stage}",
        "run": (
            f"wasmdeploy up --stage {stage} --yes{options.manifest_args}"
            ' --backend "$WASMDEPLOY_BACKEND"'
        ),
    }


def smoke_invoke(stage: str, function: str, options: WorkflowOptions) -> Step:
    return {
        "name": f"Smoke test: invoke {function}",
        "run": (
            f"wasmdeploy invoke --remote {shlex.quote(function)} --stage {stage}"
            f"{options.manifest_args}"
        ),
    }
