"""`wasmdeploy ci`: deploy from CI.

`ci github` writes a GitHub Actions workflow for the service; `ci aws-oidc-role`
prints the IAM role that workflow assumes. Both only parse options here and
call plain functions in `wasmdeploy.ci`.
"""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

import click

from wasmdeploy.ci.service_facts import read_service_facts
from wasmdeploy.ci.workflow_options import (
    DEFAULT_PASSPHRASE_SECRET,
    DEFAULT_PYTHON,
)
from wasmdeploy.cli.options import manifest_file_option


@click.group("ci")
def ci() -> None:
    """Generate CI workflows and the AWS OIDC role they assume."""


@ci.command("github")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Where to write the workflow (default: .github/workflows/wasmdeploy.yml "
    "at the repository root).",
)
@manifest_file_option
@click.option(
    "--stage",
    "stages",
    multiple=True,
    metavar="BRANCH=STAGE",
    help="A push to BRANCH deploys STAGE; pull requests into it preview STAGE. "
    "Repeatable (default: main=prod).",
)
@click.option("--role-arn", default=None, help="The IAM role to assume (written literally).")
@click.option(
    "--role-var",
    default=None,
    metavar="NAME",
    help="Read the role ARN from the repository variable NAME (default AWS_DEPLOY_ROLE_ARN).",
)
@click.option(
    "--preview-role-arn",
    default=None,
    help="The read-only role pull-request previews assume (written literally).",
)
@click.option(
    "--preview-role-var",
    default=None,
    metavar="NAME",
    help="...or its repository variable (default AWS_PREVIEW_ROLE_ARN).",
)
@click.option("--backend", default=None, help="Pulumi state URL: s3://BUCKET[/prefix].")
@click.option(
    "--backend-var",
    default=None,
    metavar="NAME",
    help="Read the backend URL from the repository variable NAME "
    "(default: the manifest's backend, else WASMDEPLOY_BACKEND).",
)
@click.option("--region", default=None, help="AWS region (default: the manifest's).")
@click.option(
    "--smoke",
    default=None,
    metavar="FUNCTION",
    help="Function to invoke after each deploy (default: the first non-edge function).",
)
@click.option("--no-smoke", is_flag=True, help="No smoke invoke after a deploy.")
@click.option("--python", default=DEFAULT_PYTHON, show_default=True, help="Python on the runner.")
@click.option(
    "--install",
    default=None,
    metavar="REQUIREMENT",
    help="pip requirement that installs wasmdeploy (default: this wasmdeploy's exact "
    "version, or its git remote at the exact commit).",
)
@click.option(
    "--passphrase-secret",
    default=DEFAULT_PASSPHRASE_SECRET,
    show_default=True,
    help="The secret holding the Pulumi passphrase.",
)
@click.option(
    "--comment/--no-comment",
    default=True,
    show_default=True,
    help="Post each preview's plan as a pull request comment (always in the job summary).",
)
@click.option("--force", is_flag=True, help="Overwrite an existing workflow file.")
def github(
    output: Path | None,
    manifest_file: Path | None,
    stages: tuple[str, ...],
    role_arn: str | None,
    role_var: str | None,
    preview_role_arn: str | None,
    preview_role_var: str | None,
    backend: str | None,
    backend_var: str | None,
    region: str | None,
    smoke: str | None,
    no_smoke: bool,
    python: str,
    install: str | None,
    passphrase_secret: str,
    comment: bool,
    force: bool,
) -> None:
    """Write a GitHub Actions workflow: preview on pull requests, deploy on push."""
    from wasmdeploy.ci.github_setup import GithubRequest, generate_github_workflow

    request = GithubRequest(
        cwd=Path.cwd(),
        output=output,
        manifest=manifest_file,
        stages=stages,
        role_arn=role_arn,
        role_var=role_var,
        preview_role_arn=preview_role_arn,
        preview_role_var=preview_role_var,
        backend=backend,
        backend_var=backend_var,
        region=region,
        smoke=smoke,
        no_smoke=no_smoke,
        python=python,
        install=install,
        passphrase_secret=passphrase_secret,
        comment=comment,
        force=force,
        command_line=shlex.join(["wasmdeploy", "ci", "github", *sys.argv[3:]])
        if sys.argv[1:3] == ["ci", "github"]
        else "wasmdeploy ci github",
    )
    generated = generate_github_workflow(request)
    if generated.facts.problem:
        click.echo(f"Warning: {generated.facts.problem}; using defaults.", err=True)
    click.echo(f"Wrote {generated.path}")
    if generated.options.smoke_function is None:
        click.echo("No smoke test: no function to invoke (see --smoke).")
    click.echo("To finish the setup:")
    for number, note in enumerate(generated.notes, start=1):
        click.echo(f"  {number}. {note}")


@ci.command("aws-oidc-role")
@click.option("--repo", "repository", required=True, metavar="OWNER/REPO", help="The repository.")
@click.option(
    "--branch",
    "branches",
    multiple=True,
    help="Jobs (without an environment) on this branch may assume the role. Repeatable.",
)
@click.option(
    "--environment",
    "environments",
    multiple=True,
    help="Jobs in this GitHub environment may assume it (the generated deploy jobs). Repeatable.",
)
@click.option(
    "--pull-requests",
    is_flag=True,
    help="Jobs run for pull requests may assume it (the generated previews); such a role "
    "is read-only.",
)
@click.option(
    "--stage",
    "stages",
    multiple=True,
    help="A stage the role deploys or previews (default: the --environment names). Repeatable.",
)
@manifest_file_option
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["json", "pulumi"]),
    default="json",
    show_default=True,
)
@click.option("--account-id", default=None, help="The AWS account (needed by --format json).")
@click.option("--backend", default=None, help="Pulumi state URL s3://BUCKET (default: manifest's).")
@click.option("--role-name", default=None, help="Default: wasmdeploy-SERVICE-deploy (-preview).")
@click.option(
    "--partition",
    default=None,
    help="aws, aws-cn or aws-us-gov (default: the partition of the manifest's region).",
)
@click.option(
    "--existing-provider",
    is_flag=True,
    help="The account already has GitHub's OIDC provider (--format pulumi looks it up).",
)
@click.option(
    "--read-only",
    is_flag=True,
    help="A role for previews only: reads, and the Pulumi state (pair with --pull-requests).",
)
@click.option("--max-session", default=3600, show_default=True, help="Session length, seconds.")
def aws_oidc_role(
    repository: str,
    branches: tuple[str, ...],
    environments: tuple[str, ...],
    pull_requests: bool,
    stages: tuple[str, ...],
    manifest_file: Path | None,
    output_format: str,
    account_id: str | None,
    backend: str | None,
    role_name: str | None,
    partition: str | None,
    existing_provider: bool,
    read_only: bool,
    max_session: int,
) -> None:
    """Print the IAM role GitHub Actions assumes through OIDC, its policies and the
    permissions boundary of the roles it creates, all scoped to the manifest's service."""
    from wasmdeploy.ci.github_setup import locate_manifest
    from wasmdeploy.ci.role_output import RoleRequest, render_oidc_role

    manifest = locate_manifest(manifest_file, Path.cwd())
    if backend is None and manifest is not None:
        backend = read_service_facts(manifest).backend
    request = RoleRequest(
        repository=repository,
        manifest=manifest,
        branches=branches,
        environments=environments,
        pull_requests=pull_requests,
        stages=stages,
        format="pulumi" if output_format == "pulumi" else "json",
        account_id=account_id,
        backend=backend,
        role_name=role_name,
        partition=partition,
        existing_provider=existing_provider,
        max_session_seconds=max_session,
        read_only=read_only,
    )
    click.echo(render_oidc_role(request), nl=False)
