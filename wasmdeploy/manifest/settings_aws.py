"""Read Serverless's AWS function settings, in both its v2 and v3 spellings.

Precedence as elsewhere: the function's value, else the provider's. The role and
its policies: `role` (function or provider), `provider.iam.role` as an ARN;
managed policies from `provider.iamManagedPolicies` and `provider.iam.role.managedPolicies`;
statements from `provider.iamRoleStatements` (v2), `provider.iam.role.statements`,
and the function's own `iam.role.statements` / `iamRoleStatements`.
"""

from __future__ import annotations

from typing import Any

from wasmdeploy.manifest.intrinsics import is_intrinsic
from wasmdeploy.manifest.model_aws import XRAY_STATEMENT, FunctionAws, TracingMode, Vpc
from wasmdeploy.manifest.settings import as_dict, as_list, first, provider_of


def _iam_role(data: Any) -> Any:
    return as_dict(provider_of(data).get("iam")).get("role")


def role(data: Any, function: dict[str, Any]) -> Any:
    provider_role = _iam_role(data)
    return first(
        function.get("role"),
        provider_of(data).get("role"),
        provider_role if not isinstance(provider_role, dict) else None,
    )


def managed_policies(data: Any) -> tuple[Any, ...]:
    """ARNs (or intrinsics) from both spellings, each once, in the order written."""
    listed = as_list(provider_of(data).get("iamManagedPolicies")) + as_list(
        as_dict(_iam_role(data)).get("managedPolicies")
    )
    unique = {repr(p): p for p in listed if isinstance(p, str | dict)}
    return tuple(unique.values())


def permissions_boundary(data: Any) -> Any:
    role_block = as_dict(_iam_role(data))
    return first(
        role_block.get("permissionsBoundary"),
        role_block.get("permissionBoundary"),
        provider_of(data).get("rolePermissionsBoundary"),
    )


def statements(data: Any, function: dict[str, Any]) -> list[dict[str, Any]]:
    """The v2 spelling and the function's own statements (provider.iam ones are read elsewhere)."""
    own = as_list(as_dict(as_dict(function.get("iam")).get("role")).get("statements"))
    listed = (
        as_list(provider_of(data).get("iamRoleStatements"))
        + own
        + as_list(function.get("iamRoleStatements"))
    )
    if tracing(data, function) == "Active":
        listed.append(XRAY_STATEMENT)
    return [s for s in listed if isinstance(s, dict)]


def vpc(data: Any, function: dict[str, Any]) -> Vpc | None:
    block = first(function.get("vpc"), provider_of(data).get("vpc"))
    if not isinstance(block, dict):
        return None
    subnets = tuple(as_list(block.get("subnetIds")))
    groups = tuple(as_list(block.get("securityGroupIds")))
    if not subnets and not groups:
        return None
    dual_stack = block.get("ipv6AllowedForDualStack") is True
    return Vpc(subnet_ids=subnets, security_group_ids=groups, ipv6_dual_stack=dual_stack)


def tracing(data: Any, function: dict[str, Any]) -> TracingMode | None:
    """`tracing: Active | PassThrough | true` on a function, or `provider.tracing.lambda`."""
    value = first(function.get("tracing"), as_dict(provider_of(data).get("tracing")).get("lambda"))
    if value is True or value == "Active":
        return "Active"
    if value == "PassThrough":
        return "PassThrough"
    return None


def environment_intrinsics(data: Any, function: dict[str, Any]) -> dict[str, Any]:
    """The environment values that are CloudFormation intrinsics (function over provider)."""
    if function.get("edge"):
        return {}
    merged = {
        **as_dict(provider_of(data).get("environment")),
        **as_dict(function.get("environment")),
    }
    return {key: value for key, value in merged.items() if is_intrinsic(value)}


def function_aws(data: Any, function: dict[str, Any]) -> FunctionAws:
    reserved = function.get("reservedConcurrency")
    return FunctionAws(
        role=role(data, function),
        managed_policies=managed_policies(data),
        permissions_boundary=permissions_boundary(data),
        vpc=vpc(data, function),
        tracing=tracing(data, function),
        environment=environment_intrinsics(data, function),
        reserved_concurrency=reserved
        if isinstance(reserved, int) and not isinstance(reserved, bool)
        else None,
        kms_key_arn=first(
            function.get("kmsKeyArn"),
            function.get("awsKmsKeyArn"),
            provider_of(data).get("kmsKeyArn"),
        ),
    )
