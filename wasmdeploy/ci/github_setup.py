"""`wasmdeploy ci github`: decide the workflow's options and write it.

Precedence for each value: the command's option > what the manifest says >
a GitHub configuration variable the user sets once (`vars.NAME`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from wasmdeploy.ci import service_facts as facts_module
from wasmdeploy.ci.files import (
    DEFAULT_WORKFLOW,
    find_repository_root,
    github_repository,
    relative_posix,
    write_new_file,
)
from wasmdeploy.ci.github_workflow import build_workflow
from wasmdeploy.ci.install_spec import Provenance, install_requirement, installed_provenance
from wasmdeploy.ci.service_facts import ServiceFacts, ServiceLoader
from wasmdeploy.ci.stage_map import parse_stage_mappings
from wasmdeploy.ci.workflow_options import (
    DEFAULT_BACKEND_VAR,
    DEFAULT_BOUNDARY_VAR,
    DEFAULT_PASSPHRASE_SECRET,
    DEFAULT_PREVIEW_ROLE_VAR,
    DEFAULT_PYTHON,
    DEFAULT_ROLE_VAR,
    Reference,
    WorkflowOptions,
    backend_reference,
    check_ci_backend,
    check_github_name,
    check_python_version,
    role_reference,
)
from wasmdeploy.ci.yaml_output import dump_workflow
from wasmdeploy.errors import UserError
from wasmdeploy.stacks.arns import boundary_policy_path


@dataclass(frozen=True)
class GithubRequest:
    """The options of `wasmdeploy ci github`, as typed."""

    cwd: Path
    output: Path | None = None
    manifest: Path | None = None
    stages: tuple[str, ...] = ()
    role_arn: str | None = None
    role_var: str | None = None
    preview_role_arn: str | None = None
    preview_role_var: str | None = None
    backend: str | None = None
    backend_var: str | None = None
    region: str | None = None
    smoke: str | None = None
    no_smoke: bool = False
    python: str = DEFAULT_PYTHON
    install: str | None = None
    passphrase_secret: str = DEFAULT_PASSPHRASE_SECRET
    comment: bool = True
    force: bool = False
    command_line: str = "wasmdeploy ci github"
    provenance: Provenance | None = None  # where wasmdeploy came from (default: this one)


@dataclass
class GeneratedWorkflow:
    path: Path
    text: str
    options: WorkflowOptions
    facts: ServiceFacts
    notes: list[str] = field(default_factory=list)  # what the user still has to set up


def locate_manifest(given: Path | None, cwd: Path) -> Path | None:
    """The manifest named by -f (which must exist), else the one found in `cwd`, if any."""
    if given is None:
        return facts_module.find_manifest(cwd)
    path = (cwd / given).resolve()
    if not path.is_file():
        raise UserError(f"manifest {given} not found", hint="check the path given with -f.")
    return path


def workflow_relpath(output: Path, root: Path) -> str:
    """The workflow's path in the repository (pip's cache key); the default when outside."""
    try:
        return output.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return DEFAULT_WORKFLOW.as_posix()


def choose_smoke_function(request: GithubRequest, facts: ServiceFacts) -> str | None:
    if request.no_smoke:
        if request.smoke:
            raise UserError("give either --smoke FUNCTION or --no-smoke, not both")
        return None
    if request.smoke is not None:
        if facts.functions and request.smoke not in facts.functions:
            raise UserError(
                f"--smoke {request.smoke!r}: the manifest has no such function",
                hint=f"functions: {', '.join(facts.functions)}",
            )
        return request.smoke
    candidates = facts.smoke_candidates
    return candidates[0] if candidates else None


def choose_backend(request: GithubRequest, facts: ServiceFacts) -> Reference:
    given = backend_reference(request.backend, request.backend_var)
    if given is not None:
        return given
    if facts.backend and facts.backend.startswith("s3://"):
        return Reference(literal=check_ci_backend(facts.backend))
    return Reference(variable=DEFAULT_BACKEND_VAR)


def workflow_name(facts: ServiceFacts) -> str:
    if not facts.name:
        return "wasmdeploy"
    return "wasmdeploy-" + re.sub(r"[^A-Za-z0-9_-]", "-", facts.name)


def role_commands(options: WorkflowOptions, repository: str | None) -> list[str]:
    """The `aws-oidc-role` commands that create the deploy role and the preview role."""
    base = f"wasmdeploy ci aws-oidc-role --repo {repository or 'OWNER/REPO'}{options.manifest_args}"
    tail = f" --backend {options.backend.literal or 's3://BUCKET'} --account-id ACCOUNT_ID"
    environments = "".join(f" --environment {stage}" for stage in options.stage_names)
    stages = "".join(f" --stage {stage}" for stage in options.stage_names)
    return [f"{base}{environments}{tail}", f"{base} --pull-requests{stages}{tail}"]


def setup_notes(options: WorkflowOptions, repository: str | None) -> list[str]:
    """What the user still has to do in AWS and on GitHub, in order."""
    deploy, preview = role_commands(options, repository)
    notes = [
        "Create the AWS role the deploys assume, and the permissions boundary of the roles"
        f" they create (with administrator rights, once): {deploy}",
        f"Create the read-only role the pull-request previews assume: {preview}",
    ]
    references = (
        (options.role, "the deploy role's ARN"),
        (options.preview_role, "the preview role's ARN"),
        (options.backend, "the Pulumi state URL (s3://BUCKET)"),
        (options.permissions_boundary, "the boundary's ARN (printed by aws-oidc-role)"),
    )
    for reference, what in references:
        if reference.variable:
            notes.append(f"Set the repository variable {reference.variable} to {what}.")
    notes.append(
        f"Add the secret {options.passphrase_secret} (encrypts the stack's secrets; previews"
        " need it too). Keep any other deploy secret in the stage's environment."
    )
    notes.append(
        f"Create the GitHub environments {', '.join(options.stage_names)}"
        " (add required reviewers to production)."
    )
    return notes


def boundary_reference(facts: ServiceFacts) -> Reference:
    """The boundary's IAM path and name, resolved in the deploying account."""
    if facts.name:
        return Reference(literal=boundary_policy_path(facts.name).lstrip("/"))
    return Reference(variable=DEFAULT_BOUNDARY_VAR)


def choose_install(request: GithubRequest) -> str:
    """`--install`, else the requirement that installs exactly this wasmdeploy."""
    if request.install:
        return request.install
    return install_requirement(request.provenance or installed_provenance())


def generate_github_workflow(
    request: GithubRequest, loader: ServiceLoader = facts_module.load_with_wasmdeploy
) -> GeneratedWorkflow:
    """Work out the workflow for the service beside the manifest, and write it."""
    cwd = request.cwd.resolve()
    manifest = locate_manifest(request.manifest, cwd)
    facts = facts_module.read_service_facts(manifest, loader)
    service_dir = manifest.parent if manifest else cwd
    root = find_repository_root(service_dir) or cwd
    output = (cwd / request.output) if request.output else root / DEFAULT_WORKFLOW
    tests = facts_module.has_tests(service_dir)
    role = role_reference(request.role_arn, request.role_var, option="--role")
    preview_role = role_reference(
        request.preview_role_arn, request.preview_role_var, option="--preview-role"
    ) or Reference(variable=DEFAULT_PREVIEW_ROLE_VAR)
    options = WorkflowOptions(
        stages=parse_stage_mappings(request.stages),
        role=role or Reference(variable=DEFAULT_ROLE_VAR),
        backend=choose_backend(request, facts),
        preview_role=preview_role,
        permissions_boundary=boundary_reference(facts),
        working_directory=relative_posix(service_dir, root, "manifest"),
        manifest_name=manifest.name if manifest else "wasmdeploy.yml",
        workflow_path=workflow_relpath(output, root),
        region=request.region or facts.region or "us-east-1",
        smoke_function=choose_smoke_function(request, facts),
        run_tests=tests,
        test_requirements=facts_module.requirement_files(service_dir) if tests else (),
        comment_on_pr=request.comment,
        python_version=check_python_version(request.python),
        install_spec=choose_install(request),
        passphrase_secret=check_github_name(request.passphrase_secret, "secret"),
        name=workflow_name(facts),
    )
    header = (
        f"Checks, previews and deploys {facts.name or 'the service'} with wasmdeploy.\n"
        f"Generated by: {request.command_line}\n"
        "Pull requests: validate, tests, and a preview posted on the pull request.\n"
        "Pushes to "
        + ", ".join(f"{m.branch} -> {m.stage}" for m in options.stages)
        + ": wasmdeploy up, then a smoke invoke."
    )
    text = dump_workflow(build_workflow(options), header)
    write_new_file(output, text, force=request.force)
    return GeneratedWorkflow(
        path=output,
        text=text,
        options=options,
        facts=facts,
        notes=setup_notes(options, github_repository(root)),
    )
