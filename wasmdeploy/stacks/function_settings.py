"""The Lambda settings Serverless manifests carry: VPC, tracing, concurrency, KMS, managed policies.

Each helper turns the model's `FunctionAws` into pulumi_aws arguments; values that
are CloudFormation intrinsics go through `resolve` (the service's resources).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pulumi
import pulumi_aws as aws

from wasmdeploy.manifest.model import Function
from wasmdeploy.manifest.model_aws import vpc_access_policy
from wasmdeploy.stacks.arns import partition_of_arn

Resolve = Callable[[Any], pulumi.Input[Any]]


def as_is(value: Any) -> pulumi.Input[Any]:
    return value


def vpc_config(function: Function, resolve: Resolve) -> aws.lambda_.FunctionVpcConfigArgs | None:
    vpc = function.aws.vpc
    if vpc is None:
        return None
    return aws.lambda_.FunctionVpcConfigArgs(
        subnet_ids=[resolve(s) for s in vpc.subnet_ids],
        security_group_ids=[resolve(g) for g in vpc.security_group_ids],
        ipv6_allowed_for_dual_stack=vpc.ipv6_dual_stack or None,
    )


def tracing_config(function: Function) -> aws.lambda_.FunctionTracingConfigArgs | None:
    mode = function.aws.tracing
    return aws.lambda_.FunctionTracingConfigArgs(mode=mode) if mode else None


def lambda_settings(function: Function, resolve: Resolve) -> dict[str, Any]:
    """Keyword arguments for `aws.lambda_.Function` (absent settings are left out)."""
    settings: dict[str, Any] = {
        "vpc_config": vpc_config(function, resolve),
        "tracing_config": tracing_config(function),
        "reserved_concurrent_executions": function.aws.reserved_concurrency,
        "kms_key_arn": resolve(function.aws.kms_key_arn) if function.aws.kms_key_arn else None,
    }
    return {key: value for key, value in settings.items() if value is not None}


def attach_managed_policies(
    name: str, function: Function, role: aws.iam.Role, resolve: Resolve, parent: pulumi.Resource
) -> list[aws.iam.RolePolicyAttachment]:
    """One attachment per managed policy (and AWSLambdaVPCAccessExecutionRole in a VPC, in
    the role's partition)."""
    policies = [resolve(policy) for policy in function.aws.managed_policies]
    if function.aws.needs_vpc_access_policy:
        policies.append(role.arn.apply(lambda arn: vpc_access_policy(partition_of_arn(arn))))
    return [
        aws.iam.RolePolicyAttachment(
            f"{name}-managed-{index}",
            role=role.name,
            policy_arn=policy,
            opts=pulumi.ResourceOptions(parent=parent),
        )
        for index, policy in enumerate(policies)
    ]
