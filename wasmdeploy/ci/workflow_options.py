"""What a generated workflow is told: the role, the backend, the stages, the toggles.

Values that differ per repository (a role ARN, a state bucket) can be written
into the workflow literally or read from a GitHub configuration variable
(`${{ vars.NAME }}`), so the same file works across accounts.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass

from wasmdeploy.ci.stage_map import StageMapping
from wasmdeploy.errors import UserError
from wasmdeploy.stacks.arns import PARTITIONS

DEFAULT_ROLE_VAR = "AWS_DEPLOY_ROLE_ARN"
DEFAULT_PREVIEW_ROLE_VAR = "AWS_PREVIEW_ROLE_ARN"
DEFAULT_BOUNDARY_VAR = "WASMDEPLOY_PERMISSIONS_BOUNDARY"
DEFAULT_BACKEND_VAR = "WASMDEPLOY_BACKEND"
DEFAULT_PASSPHRASE_SECRET = "PULUMI_CONFIG_PASSPHRASE"
DEFAULT_PYTHON = "3.12"
DEFAULT_RUNNER = "ubuntu-latest"

ROLE_ARN = re.compile(rf"^arn:({'|'.join(PARTITIONS)}):iam::\d{{12}}:role/[\w+=,.@/-]{{1,512}}$")
# GitHub configuration variable and secret names.
GITHUB_NAME = re.compile(r"^(?!GITHUB_)[A-Za-z_][A-Za-z0-9_]*$", re.IGNORECASE)
S3_BACKEND = re.compile(r"^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/[^\s]*)?(\?[^\s]*)?$")
PYTHON_VERSION = re.compile(r"^3\.\d{1,2}(\.\d{1,2})?$")


@dataclass(frozen=True)
class Reference:
    """A value written literally, or read from `vars.NAME` when the workflow runs."""

    literal: str | None = None
    variable: str | None = None

    def __post_init__(self) -> None:
        if (self.literal is None) == (self.variable is None):
            raise ValueError("a Reference is either a literal or a variable")

    @property
    def expression(self) -> str:
        """The text to put in the workflow."""
        if self.variable is not None:
            return f"${{{{ vars.{self.variable} }}}}"
        assert self.literal is not None
        return self.literal


def check_github_name(name: str, what: str) -> str:
    if not GITHUB_NAME.match(name):
        raise UserError(
            f"invalid {what} name {name!r}",
            hint="use letters, digits and '_', not starting with a digit or GITHUB_.",
        )
    return name


def role_reference(arn: str | None, variable: str | None, *, option: str) -> Reference | None:
    """`--role-arn ARN` or `--role-var NAME` (not both); None when neither was given."""
    if arn is not None and variable is not None:
        raise UserError(f"give either {option}-arn or {option}-var, not both")
    if arn is not None:
        if not ROLE_ARN.match(arn):
            raise UserError(
                f"{option}-arn {arn!r} is not an IAM role ARN",
                hint="expected arn:aws:iam::123456789012:role/NAME",
            )
        return Reference(literal=arn)
    if variable is not None:
        return Reference(variable=check_github_name(variable, "variable"))
    return None


def backend_reference(url: str | None, variable: str | None) -> Reference | None:
    """`--backend s3://...` or `--backend-var NAME`; None when neither was given."""
    if url is not None and variable is not None:
        raise UserError("give either --backend or --backend-var, not both")
    if url is not None:
        return Reference(literal=check_ci_backend(url))
    if variable is not None:
        return Reference(variable=check_github_name(variable, "variable"))
    return None


def check_ci_backend(url: str) -> str:
    if url.startswith(("file://", "/", ".")) or "://" not in url:
        raise UserError(
            f"the backend {url!r} is local: CI runners are thrown away after each job",
            hint="keep Pulumi state in S3, e.g. --backend s3://my-team-pulumi-state",
        )
    if not S3_BACKEND.match(url):
        raise UserError(
            f"the backend {url!r} is not an s3:// URL",
            hint="e.g. --backend s3://my-team-pulumi-state or s3://bucket/prefix",
        )
    return url


def check_python_version(version: str) -> str:
    if not PYTHON_VERSION.match(version):
        raise UserError(f"invalid Python version {version!r}", hint="e.g. --python 3.12")
    return version


@dataclass(frozen=True)
class WorkflowOptions:
    """Everything `wasmdeploy ci github` decides that is not read from the manifest."""

    stages: tuple[StageMapping, ...]
    role: Reference  # the deploy role, assumed only by deploy jobs in their environment
    backend: Reference
    preview_role: Reference = Reference(variable=DEFAULT_PREVIEW_ROLE_VAR)  # read-only
    # The permissions boundary the deploy puts on every role it creates (policy ARN or path).
    permissions_boundary: Reference = Reference(variable=DEFAULT_BOUNDARY_VAR)
    working_directory: str = "."  # the manifest's directory, relative to the repository root
    manifest_name: str = "wasmdeploy.yml"  # the manifest's file name in that directory
    workflow_path: str = ".github/workflows/wasmdeploy.yml"  # relative to the repository root
    region: str = "us-east-1"
    smoke_function: str | None = None  # None: no smoke invoke after a deploy
    run_tests: bool = False
    test_requirements: tuple[str, ...] = ()  # requirement files to install before pytest
    comment_on_pr: bool = True
    python_version: str = DEFAULT_PYTHON
    install_spec: str = "wasmdeploy"  # the pip requirement that installs wasmdeploy
    passphrase_secret: str = DEFAULT_PASSPHRASE_SECRET
    runner: str = DEFAULT_RUNNER
    name: str = "wasmdeploy"  # the workflow's and the concurrency groups' name

    @property
    def branches(self) -> list[str]:
        return list(dict.fromkeys(mapping.branch for mapping in self.stages))

    @property
    def stage_names(self) -> list[str]:
        return list(dict.fromkeys(mapping.stage for mapping in self.stages))

    @property
    def manifest_args(self) -> str:
        """`-f NAME` when the manifest is not found by default."""
        if self.manifest_name == "wasmdeploy.yml":
            return ""
        return f" -f {shlex.quote(self.manifest_name)}"
