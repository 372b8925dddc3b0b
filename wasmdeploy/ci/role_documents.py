"""The GitHub OIDC role as documents: its trust, its permissions, the boundary it enforces.

A deploy role comes with the service's permissions boundary (a managed policy an
administrator creates with the role); a preview role (pull requests) reads only
and creates nothing, so it needs none.
"""

from __future__ import annotations

from dataclasses import dataclass

from wasmdeploy.ci.deploy_permissions import permissions_policy, policy_name
from wasmdeploy.ci.deploy_scope import DeployScope
from wasmdeploy.ci.grants import (
    INLINE_POLICY_LIMIT,
    Policy,
    StateLocation,
    Target,
    check_policy_size,
)
from wasmdeploy.ci.oidc_policies import (
    GITHUB_OIDC_AUDIENCE,
    GITHUB_OIDC_URL,
    RoleScope,
    oidc_provider_arn,
    trust_policy,
)
from wasmdeploy.ci.permissions_boundary import boundary_policy
from wasmdeploy.stacks.arns import BOUNDARY_POLICY_NAME, service_path


@dataclass(frozen=True)
class RoleSpec:
    """Who may assume the role, what it deploys, where, and under which name."""

    trust: RoleScope
    deploy: DeployScope
    account_id: str
    state: StateLocation
    role_name: str
    max_session_seconds: int = 3600
    read_only: bool = False

    @property
    def target(self) -> Target:
        return Target(self.deploy, self.account_id)

    @property
    def role_arn(self) -> str:
        return f"arn:{self.deploy.partition}:iam::{self.account_id}:role/{self.role_name}"

    @property
    def description(self) -> str:
        kind = "previews" if self.read_only else "deploys"
        service, repository = self.deploy.service, self.trust.repository
        return f"wasmdeploy {kind} of {service} from GitHub Actions in {repository}"

    def permissions(self) -> Policy:
        policy = permissions_policy(
            self.deploy,
            self.account_id,
            self.state,
            read_only=self.read_only,
            role_arn=self.role_arn,
        )
        return check_policy_size(
            policy,
            INLINE_POLICY_LIMIT,
            f"the role's policy (for stages {', '.join(self.deploy.stages)})",
            hint="give each stage its own role (one --environment each), or name queues, "
            "topics and streams with the stack's prefix (${self:service}-${sls:stage}-...).",
        )

    def boundary(self) -> Policy | None:
        return None if self.read_only else boundary_policy(self.target)


def role_document(spec: RoleSpec) -> Policy:
    """Everything needed to create the role by hand or with the AWS CLI, as one JSON object."""
    provider_arn = oidc_provider_arn(spec.account_id, spec.deploy.partition)
    document: Policy = {
        "RoleName": spec.role_name,
        "Description": spec.description,
        "MaxSessionDuration": spec.max_session_seconds,
        "OpenIDConnectProvider": {
            "Arn": provider_arn,
            "Url": GITHUB_OIDC_URL,
            "ClientIDList": [GITHUB_OIDC_AUDIENCE],
        },
        "AssumeRolePolicyDocument": trust_policy(spec.trust, provider_arn),
        "Policies": {policy_name(read_only=spec.read_only): spec.permissions()},
        "RoleArn": spec.role_arn,
    }
    boundary = spec.boundary()
    if boundary is not None:
        document["PermissionsBoundaryForServiceRoles"] = {
            "PolicyName": BOUNDARY_POLICY_NAME,
            "Path": service_path(spec.deploy.service),
            "Arn": spec.target.boundary_arn,
            "PolicyDocument": boundary,
        }
    return document
