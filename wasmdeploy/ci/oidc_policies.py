"""IAM documents for a role that GitHub Actions assumes through OIDC.

The trust policy lets GitHub's OIDC provider (`token.actions.githubusercontent.com`)
assume the role only for tokens whose audience is `sts.amazonaws.com` and whose
subject is one of the listed workflows' contexts:

- `repo:OWNER/REPO:ref:refs/heads/BRANCH`: a job without an environment on that branch;
- `repo:OWNER/REPO:environment:NAME`: a job in that GitHub environment (the
  generated deploy jobs: a job that names an environment gets this subject);
- `repo:OWNER/REPO:pull_request`: a job run for a pull request (the previews).

A role pull requests may assume is a preview role: reads only (`role_documents`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from wasmdeploy.ci.grants import POLICY_VERSION, Policy, StateLocation
from wasmdeploy.ci.stage_map import check_branch_name, check_stage_name
from wasmdeploy.errors import UserError

GITHUB_OIDC_HOST = "token.actions.githubusercontent.com"
GITHUB_OIDC_URL = f"https://{GITHUB_OIDC_HOST}"
GITHUB_OIDC_AUDIENCE = "sts.amazonaws.com"

REPOSITORY = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}$")
ACCOUNT_ID = re.compile(r"^\d{12}$")
BUCKET_NAME = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")


@dataclass(frozen=True)
class RoleScope:
    """Which GitHub workflow runs may assume the role."""

    repository: str  # OWNER/REPO
    branches: tuple[str, ...] = ()
    environments: tuple[str, ...] = ()
    pull_requests: bool = False

    def __post_init__(self) -> None:
        check_repository(self.repository)
        if self.pull_requests and (self.branches or self.environments):
            raise UserError(
                "pull requests run code from their branch: a role they may assume is a "
                "read-only preview role, apart from the deploy role",
                hint="create two roles: `--environment STAGE ...` for the deploys, and "
                "`--pull-requests` (read-only) for the previews.",
            )
        for branch in self.branches:
            check_branch_name(branch)
        for environment in self.environments:
            check_stage_name(environment)
        if not (self.branches or self.environments or self.pull_requests):
            raise UserError(
                "say which workflow runs may assume the role",
                hint="e.g. --environment prod (the generated deploy jobs) and --pull-requests "
                "(the previews), or --branch main",
            )

    @property
    def subjects(self) -> list[str]:
        """The exact `sub` claims the trust policy accepts, in a stable order."""
        prefix = f"repo:{self.repository}"
        subjects = [f"{prefix}:ref:refs/heads/{branch}" for branch in self.branches]
        subjects += [f"{prefix}:environment:{name}" for name in self.environments]
        if self.pull_requests:
            subjects.append(f"{prefix}:pull_request")
        return list(dict.fromkeys(subjects))


def check_repository(repository: str) -> str:
    if not REPOSITORY.match(repository):
        raise UserError(
            f"--repo {repository!r} is not OWNER/REPO",
            hint="for example: --repo my-org/image-service",
        )
    return repository


def check_account_id(account_id: str) -> str:
    if not ACCOUNT_ID.match(account_id):
        raise UserError(f"--account-id {account_id!r} is not a 12-digit AWS account id")
    return account_id


def oidc_provider_arn(account_id: str, partition: str = "aws") -> str:
    return f"arn:{partition}:iam::{account_id}:oidc-provider/{GITHUB_OIDC_HOST}"


def state_location_from_backend(backend: str) -> StateLocation:
    """`s3://bucket/prefix?region=x` -> the bucket and prefix; UserError for anything but s3://."""
    if not backend.startswith("s3://"):
        raise UserError(
            f"the state backend {backend!r} is not an s3:// URL",
            hint="e.g. --backend s3://my-team-pulumi-state",
        )
    location = backend[len("s3://") :].split("?", 1)[0]
    bucket, _, prefix = location.partition("/")
    if not BUCKET_NAME.match(bucket):
        raise UserError(f"{bucket!r} in --backend {backend!r} is not an S3 bucket name")
    return StateLocation(bucket, prefix.strip("/"))


def trust_policy(scope: RoleScope, provider_arn: str) -> Policy:
    """The role's trust policy: GitHub's OIDC tokens for the scope's subjects only."""
    # Exact matches only (branch and environment names carry no wildcards): a token must
    # be for AWS STS and for one of the listed subjects.
    conditions = {
        "StringEquals": {
            f"{GITHUB_OIDC_HOST}:aud": GITHUB_OIDC_AUDIENCE,
            f"{GITHUB_OIDC_HOST}:sub": scope.subjects,
        }
    }
    return {
        "Version": POLICY_VERSION,
        "Statement": [
            {
                "Sid": "GitHubActionsOidc",
                "Effect": "Allow",
                "Principal": {"Federated": provider_arn},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": conditions,
            }
        ],
    }


def role_description(scope: RoleScope) -> str:
    return f"wasmdeploy deploys from GitHub Actions in {scope.repository}"


def default_role_name(service: str, *, read_only: bool = False) -> str:
    """`wasmdeploy-SERVICE-deploy` (`-preview` for a read-only role), at most 64 characters."""
    suffix = "-preview" if read_only else "-deploy"
    name = re.sub(r"[^\w+=,.@-]", "-", f"wasmdeploy-{service}")
    return name[: 64 - len(suffix)] + suffix


def check_role_name(name: str) -> str:
    if not re.match(r"^[\w+=,.@-]{1,64}$", name):
        raise UserError(
            f"invalid IAM role name {name!r}",
            hint="1-64 letters, digits and + = , . @ _ -",
        )
    return name
