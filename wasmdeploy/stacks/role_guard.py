"""Every IAM role the stack creates: under the service's path, within its boundary.

A least-privilege deploy role may manage only `role/wasmdeploy/<service>/<stage>/*`
and may create a role only with the service's permissions boundary (see
`wasmdeploy ci aws-oidc-role`). `RoleGuard` applies both to every
`aws.iam.Role` the program declares, whichever component declares it, as a
stack transformation installed before the program runs.

The boundary is `WASMDEPLOY_PERMISSIONS_BOUNDARY`: a policy ARN, or a policy's
path and name (`wasmdeploy/images/permissions-boundary`) in the account and
partition being deployed to. Unset, roles get no boundary (a deploy with
administrator rights needs none).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import pulumi

from wasmdeploy.manifest.model import Service
from wasmdeploy.stacks.arns import role_path

BOUNDARY_VARIABLE = "WASMDEPLOY_PERMISSIONS_BOUNDARY"
ROLE_TYPE = "aws:iam/role:Role"


@dataclass(frozen=True)
class RoleGuard:
    path: str  # /wasmdeploy/<service>/<stage>/
    boundary: str | None = None  # a policy ARN, or its path/name in the deploying account

    def boundary_arn(self) -> pulumi.Input[str] | None:
        if self.boundary is None or self.boundary.startswith("arn:"):
            return self.boundary
        import pulumi_aws as aws  # only when the program runs: outputs and destroy need none

        name = self.boundary.strip("/")
        caller = aws.get_caller_identity_output()
        return pulumi.Output.all(caller.arn, caller.account_id).apply(
            lambda values: f"arn:{values[0].split(':')[1]}:iam::{values[1]}:policy/{name}"
        )

    def transformation(self) -> Callable[..., pulumi.ResourceTransformationResult | None]:
        boundary = self.boundary_arn()

        def guard(
            args: pulumi.ResourceTransformationArgs,
        ) -> pulumi.ResourceTransformationResult | None:
            if args.type_ != ROLE_TYPE:
                return None
            props = dict(args.props)
            props["path"] = self.path
            if boundary is not None:
                props["permissions_boundary"] = boundary
            return pulumi.ResourceTransformationResult(props, args.opts)

        return guard


def role_guard(service: Service, environment: Mapping[str, str]) -> RoleGuard:
    boundary = environment.get(BOUNDARY_VARIABLE, "").strip() or None
    return RoleGuard(role_path(service.name, service.stage), boundary)


def guarded(program: Callable[[], None], guard: RoleGuard) -> Callable[[], None]:
    """`program`, with every role it declares put under the guard."""

    def run() -> None:
        pulumi.runtime.register_stack_transformation(guard.transformation())
        program()

    return run
