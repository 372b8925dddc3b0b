"""IAM statements as grants: resources of one kind, the actions that read and that change them.

`Target` turns a `DeployScope` and an account into the ARNs the grants name.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from wasmdeploy.ci.deploy_scope import DeployScope
from wasmdeploy.errors import UserError
from wasmdeploy.stacks.arns import boundary_policy_arn, role_path

POLICY_VERSION = "2012-10-17"
INLINE_POLICY_LIMIT = 10240  # characters of a role's inline policies, whitespace excluded
MANAGED_POLICY_LIMIT = 6144

Policy = dict[str, Any]


def check_policy_size(document: Policy, limit: int, what: str, hint: str) -> Policy:
    """IAM refuses larger policies: say so before an administrator tries to create them."""
    size = len(json.dumps(document, separators=(",", ":")))
    if size > limit:
        raise UserError(f"{what} would be {size} characters; IAM allows {limit}", hint=hint)
    return document


@dataclass(frozen=True)
class Grant:
    """One statement's worth: resources of one kind, what reads them, what changes them."""

    sid: str
    resources: tuple[str, ...]
    reads: tuple[str, ...] = ()
    writes: tuple[str, ...] = ()
    condition: dict[str, Any] | None = None

    def statement(self, *, read_only: bool) -> Policy | None:
        actions = list(self.reads if read_only else (*self.reads, *self.writes))
        if not actions:
            return None
        statement: Policy = {
            "Sid": self.sid,
            "Effect": "Allow",
            "Action": actions,
            "Resource": list(self.resources),
        }
        if self.condition:
            statement["Condition"] = self.condition
        return statement


@dataclass(frozen=True)
class StateLocation:
    """The Pulumi state: `s3://bucket/prefix`."""

    bucket: str
    prefix: str = ""

    def objects(self, partition: str, under: str = "") -> str:
        base = f"{self.prefix.strip('/')}/" if self.prefix.strip("/") else ""
        return f"arn:{partition}:s3:::{self.bucket}/{base}{under}*"


@dataclass(frozen=True)
class Target:
    """The scope and the account it is deployed to."""

    scope: DeployScope
    account: str

    def arn(self, service: str, region: str, resource: str) -> str:
        return f"arn:{self.scope.partition}:{service}:{region}:{self.account}:{resource}"

    def regional(self, service: str, resources: list[str], edge: bool = False) -> tuple[str, ...]:
        regions = self.scope.function_regions if edge else self.scope.regions
        return tuple(self.arn(service, r, res) for r in regions for res in resources)

    def prefixed(self, template: str) -> list[str]:
        """`template` with `{prefix}` as each stage's `{service}-{stage}-`."""
        return [template.format(prefix=prefix) for prefix in self.scope.prefixes]

    @property
    def boundary_arn(self) -> str:
        return boundary_policy_arn(self.scope.service, self.account, self.scope.partition)

    @property
    def role_arns(self) -> tuple[str, ...]:
        p = self.scope.partition
        return tuple(
            f"arn:{p}:iam::{self.account}:role{role_path(self.scope.service, stage)}*"
            for stage in self.scope.stages
        )
