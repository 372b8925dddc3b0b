"""`wasmdeploy ci aws-oidc-role`: the role for GitHub Actions, as JSON or as Pulumi code."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Literal

from wasmdeploy.ci.oidc_policies import (
    RoleScope,
    check_account_id,
    check_partition,
    check_role_name,
    default_role_name,
    role_document,
    state_bucket_from_backend,
)
from wasmdeploy.ci.oidc_pulumi import render_pulumi_role
from wasmdeploy.errors import UserError

RoleFormat = Literal["json", "pulumi"]


@dataclass(frozen=True)
class RoleRequest:
    repository: str
    branches: tuple[str, ...] = ()
    environments: tuple[str, ...] = ()
    pull_requests: bool = False
    format: RoleFormat = "json"
    account_id: str | None = None
    backend: str | None = None  # s3://BUCKET[/prefix]: the Pulumi state the role reads and writes
    role_name: str | None = None
    partition: str = "aws"
    existing_provider: bool = False
    max_session_seconds: int = 3600
    read_only: bool = False  # a role for previews: reads, and the state bucket


def render_oidc_role(request: RoleRequest) -> str:
    """The role, its trust policy and its permissions, ready to print."""
    scope = RoleScope(
        repository=request.repository,
        branches=request.branches,
        environments=request.environments,
        pull_requests=request.pull_requests,
    )
    if request.backend is None:
        raise UserError(
            "the role needs the Pulumi state bucket",
            hint="pass --backend s3://BUCKET (the same as the workflow's), "
            "or set `backend:` in the manifest.",
        )
    if not 3600 <= request.max_session_seconds <= 43200:
        raise UserError("--max-session must be between 3600 and 43200 seconds")
    state_bucket = state_bucket_from_backend(request.backend)
    role_name = check_role_name(
        request.role_name or default_role_name(request.repository, read_only=request.read_only)
    )
    partition = check_partition(request.partition)
    if request.format == "pulumi":
        return render_pulumi_role(
            scope,
            state_bucket=state_bucket,
            role_name=role_name,
            partition=partition,
            existing_provider=request.existing_provider,
            max_session_seconds=request.max_session_seconds,
            read_only=request.read_only,
        )
    if request.account_id is None:
        raise UserError(
            "--format json needs --account-id (the trust policy names the account's OIDC provider)",
            hint="or use --format pulumi, which looks the account up when it runs.",
        )
    document = role_document(
        scope,
        account_id=check_account_id(request.account_id),
        state_bucket=state_bucket,
        role_name=role_name,
        partition=partition,
        max_session_seconds=request.max_session_seconds,
        read_only=request.read_only,
    )
    return json.dumps(document, indent=2) + "\n"
