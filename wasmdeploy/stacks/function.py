"""One WASM function: its role, its log group and the Lambda function itself."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from wasmdeploy.build.package import lambda_handler
from wasmdeploy.build.zips import Artifact
from wasmdeploy.manifest.model import Function
from wasmdeploy.stacks import policies
from wasmdeploy.stacks.function_settings import (
    Resolve,
    as_is,
    attach_managed_policies,
    lambda_settings,
)
from wasmdeploy.stacks.function_shape import shape_tags
from wasmdeploy.stacks.logs import log_group_name


@dataclass(frozen=True)
class WasmFunctionArgs:
    function: Function
    artifact: Artifact  # the function's zip
    account_id: pulumi.Input[str]
    layer_arns: Sequence[pulumi.Input[str]] = ()  # none for edge functions
    tags: Mapping[str, str] = field(default_factory=dict)
    resolve: Resolve = as_is  # CloudFormation intrinsics -> the service's resources


def lambda_environment(
    function: Function, resolve: Resolve = as_is
) -> aws.lambda_.FunctionEnvironmentArgs | None:
    """Lambda@Edge allows no environment variables (the zip's wasmdeploy.json carries them).

    Values that are intrinsics ({Ref: Table}) get the resources stack's value."""
    if function.is_edge or not function.environment:
        return None
    variables: dict[str, pulumi.Input[str]] = dict(sorted(function.environment.items()))
    variables.update({k: resolve(v) for k, v in function.aws.environment.items()})
    return aws.lambda_.FunctionEnvironmentArgs(variables=variables)


def logging_config(
    function: Function, log_group: pulumi.Input[str]
) -> aws.lambda_.FunctionLoggingConfigArgs | None:
    """Regular functions log to the group the stack made; Lambda@Edge picks its own
    regional groups (`/aws/lambda/us-east-1.<name>`) and takes no logging settings."""
    if function.is_edge:
        return None
    return aws.lambda_.FunctionLoggingConfigArgs(log_format="Text", log_group=log_group)


def role_policy_json(function: Function, log_group_arn: str, account_id: str) -> str:
    """The inline policy as JSON; log group ARNs get `:*` so they cover the streams."""
    arns = [f"{log_group_arn}:*"]
    if function.is_edge:
        arns = policies.edge_log_group_arns(account_id, function.deployed_name)
    return json.dumps(policies.function_policy(function, arns), sort_keys=True)


class WasmFunction(pulumi.ComponentResource):
    """A Lambda function running a WASM module, with a role that can do only what it needs.

    Edge functions (published, in us-east-1 through the parent's provider) are kept
    on delete: CloudFront's replicas block their deletion for hours after the
    distribution lets go of them.
    """

    name: pulumi.Output[str]
    arn: pulumi.Output[str]
    role: aws.iam.Role | None  # None when the function uses an existing role (`role: ARN`)
    invoke_arn: pulumi.Output[str]
    qualified_arn: pulumi.Output[str]

    def __init__(
        self, name: str, args: WasmFunctionArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("wasmdeploy:aws:WasmFunction", name, None, opts)
        function = args.function
        self.function_model = function
        child = pulumi.ResourceOptions(parent=self)
        tags = dict(args.tags)

        self.log_group = aws.cloudwatch.LogGroup(
            f"{name}-logs",
            name=log_group_name(function.deployed_name),
            retention_in_days=function.log_retention_days,
            tags=tags,
            opts=child,
        )
        role_arn, role_ready = self._role(name, args, tags, child)
        self.lambda_function = aws.lambda_.Function(
            f"{name}-function",
            name=function.deployed_name,
            description=function.description,
            role=role_arn,
            runtime=function.runtime,
            architectures=[function.architecture],
            handler=lambda_handler(function),
            memory_size=function.memory_size,
            timeout=function.timeout,
            code=pulumi.FileArchive(str(args.artifact.path)),
            source_code_hash=args.artifact.sha256,
            layers=list(args.layer_arns) or None,
            environment=lambda_environment(function, args.resolve),
            logging_config=logging_config(function, self.log_group.name),
            publish=function.is_edge,
            tags={**tags, **function.tags, **shape_tags(function)},
            **lambda_settings(function, args.resolve),
            opts=pulumi.ResourceOptions(
                parent=self,
                depends_on=[*role_ready, self.log_group],
                retain_on_delete=function.is_edge,
            ),
        )
        self.name = self.lambda_function.name
        self.arn = self.lambda_function.arn
        self.invoke_arn = self.lambda_function.invoke_arn
        self.qualified_arn = self.lambda_function.qualified_arn
        self.register_outputs(
            {
                "name": self.name,
                "arn": self.arn,
                "qualifiedArn": self.qualified_arn,
                "roleArn": role_arn,
                "logGroup": self.log_group.name,
            }
        )

    def _role(
        self,
        name: str,
        args: WasmFunctionArgs,
        tags: dict[str, str],
        child: pulumi.ResourceOptions,
    ) -> tuple[pulumi.Input[str], list[pulumi.Resource]]:
        """The function's own role (inline policy, managed policies), or the one it names."""
        function = args.function
        if function.aws.role is not None:  # the user's role: nothing is added to it
            self.role = None
            return args.resolve(function.aws.role), []
        boundary = function.aws.permissions_boundary
        self.role = aws.iam.Role(
            f"{name}-role",
            description=f"Runs the {function.deployed_name} function",
            assume_role_policy=json.dumps(
                policies.assume_role_policy(edge=function.is_edge), sort_keys=True
            ),
            permissions_boundary=args.resolve(boundary) if boundary is not None else None,
            tags=tags,
            opts=child,
        )
        self.role_policy = aws.iam.RolePolicy(
            f"{name}-policy",
            role=self.role.id,
            policy=pulumi.Output.all(
                self.log_group.arn, args.account_id, args.resolve(list(function.iam_statements))
            ).apply(
                lambda values: role_policy_json(
                    dataclasses.replace(function, iam_statements=tuple(values[2])),
                    values[0],
                    values[1],
                )
            ),
            opts=child,
        )
        attached = attach_managed_policies(name, function, self.role, args.resolve, self)
        return self.role.arn, [self.role_policy, *attached]
