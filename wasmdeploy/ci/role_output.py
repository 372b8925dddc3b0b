"""`wasmdeploy ci aws-oidc-role`: the role for GitHub Actions, as JSON or as Pulumi code."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from wasmdeploy.ci.deploy_scope import read_deploy_scope
from wasmdeploy.ci.oidc_policies import (
    RoleScope,
    check_account_id,
    check_role_name,
    default_role_name,
    state_location_from_backend,
)
from wasmdeploy.ci.oidc_pulumi import ACCOUNT_PLACEHOLDER, render_pulumi_role
from wasmdeploy.ci.role_documents import RoleSpec, role_document
from wasmdeploy.ci.stage_map import check_stage_name
from wasmdeploy.errors import UserError
from wasmdeploy.stacks.arns import check_partition

RoleFormat = Literal["json", "pulumi"]


@dataclass(frozen=True)
class RoleRequest:
    repository: str
    manifest: Path | None  # the service the role deploys (its names scope the permissions)
    branches: tuple[str, ...] = ()
    environments: tuple[str, ...] = ()
    pull_requests: bool = False
    stages: tuple[str, ...] = ()  # default: the environments (the generated jobs' stages)
    format: RoleFormat = "json"
    account_id: str | None = None
    backend: str | None = None  # s3://BUCKET[/prefix]: the Pulumi state the role reads and writes
    role_name: str | None = None
    partition: str | None = None  # default: the partition of the manifest's region
    existing_provider: bool = False
    max_session_seconds: int = 3600
    read_only: bool = False  # a role for previews: reads, and the state bucket

    @property
    def is_read_only(self) -> bool:
        """Trusting pull requests implies the read-only role."""
        return self.read_only or self.pull_requests


def trust_scope(request: RoleRequest) -> RoleScope:
    return RoleScope(
        repository=request.repository,
        branches=request.branches,
        environments=request.environments,
        pull_requests=request.pull_requests,
    )


def role_spec(request: RoleRequest, account_id: str) -> RoleSpec:
    trust = trust_scope(request)
    if request.backend is None:
        raise UserError(
            "the role needs the Pulumi state bucket",
            hint="pass --backend s3://BUCKET (the same as the workflow's), "
            "or set `backend:` in the manifest.",
        )
    if not 3600 <= request.max_session_seconds <= 43200:
        raise UserError("--max-session must be between 3600 and 43200 seconds")
    if request.manifest is None:
        raise UserError(
            "the role is scoped to one service's resources: no manifest found",
            hint="run this in the service's directory, or pass -f wasmdeploy.yml.",
        )
    state = state_location_from_backend(request.backend)
    stages = tuple(check_stage_name(s) for s in request.stages or request.environments)
    partition = check_partition(request.partition) if request.partition else None
    deploy = read_deploy_scope(request.manifest, stages, partition)
    read_only = request.is_read_only
    role_name = check_role_name(
        request.role_name or default_role_name(deploy.service, read_only=read_only)
    )
    return RoleSpec(
        trust=trust,
        deploy=deploy,
        account_id=account_id,
        state=state,
        role_name=role_name,
        max_session_seconds=request.max_session_seconds,
        read_only=read_only,
    )


def render_oidc_role(request: RoleRequest) -> str:
    """The role, its trust policy, its permissions and its boundary, ready to print."""
    trust_scope(request)  # who may assume it comes first
    if request.format == "pulumi":
        spec = role_spec(request, ACCOUNT_PLACEHOLDER)
        return render_pulumi_role(spec, existing_provider=request.existing_provider)
    if request.account_id is None:
        raise UserError(
            "--format json needs --account-id (the policies name the account's resources)",
            hint="or use --format pulumi, which looks the account up when it runs.",
        )
    spec = role_spec(request, check_account_id(request.account_id))
    return json.dumps(role_document(spec), indent=2) + "\n"
