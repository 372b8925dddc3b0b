"""`resources:` as a CloudFormation stack in the Pulumi program, and the intrinsics that use it.

The manifest's template (see `manifest.resources`) already carries one stack output
per intrinsic the functions use; `IntrinsicResolver.resolve` swaps each intrinsic in
a value for that output, so environment variables, IAM statements, VPC ids and
role ARNs get the values CloudFormation computed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from wasmdeploy.manifest.intrinsics import export_key, is_intrinsic
from wasmdeploy.manifest.model import Service

CAPABILITIES = ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"]


@dataclass(frozen=True)
class IntrinsicResolver:
    outputs: pulumi.Output[Mapping[str, str]] | None  # None: the service has no resources stack

    def resolve(self, value: Any) -> pulumi.Input[Any]:
        """`value` with every intrinsic replaced by its stack output (nested values too)."""
        if is_intrinsic(value):
            if self.outputs is None:
                raise ValueError(f"no resources stack to resolve {value}")
            key = export_key(value)
            return self.outputs.apply(lambda outputs: (outputs or {}).get(key))
        if isinstance(value, dict):
            return {k: self.resolve(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.resolve(v) for v in value]
        return value


def user_outputs(outputs: Mapping[str, str] | None) -> dict[str, str]:
    """The stack outputs the manifest declared (not the ones wasmdeploy added)."""
    return {k: v for k, v in (outputs or {}).items() if not k.startswith("WasmdeployValue")}


def declare_resources(
    service: Service,
    tags: dict[str, str],
    opts: pulumi.ResourceOptions,
    parameters: Mapping[str, pulumi.Input[str]] | None = None,
) -> tuple[IntrinsicResolver, aws.cloudformation.Stack | None]:
    """The resources stack (when the manifest has one) and the resolver over its outputs.

    `parameters`: the values of what `resources` refer to outside the stack (see
    `needs_service_values`)."""
    resources = service.resources
    if resources is None:
        return IntrinsicResolver(None), None
    stack = aws.cloudformation.Stack(
        "resources",
        name=resources.stack_name,
        template_body=json.dumps(resources.template, sort_keys=True),
        capabilities=CAPABILITIES,
        parameters=dict(parameters) if parameters else None,
        tags=tags,
        opts=opts,
    )
    return IntrinsicResolver(stack.outputs), stack


def needs_service_values(service: Service) -> bool:
    """True when `resources` refer to the service's functions or APIs: the stack comes last."""
    return bool(service.resources and service.resources.parameters)


def service_values(
    service: Service,
    functions: Mapping[str, Any],
    rest_api: aws.apigateway.RestApi | None,
    http_api: aws.apigatewayv2.Api | None,
) -> dict[str, pulumi.Input[str]]:
    """Each stack parameter's value: a function's name or ARN, an API's id or root resource."""
    values: dict[str, pulumi.Input[str]] = {}
    parameters = service.resources.parameters if service.resources else {}
    for key, (kind, name, attribute) in parameters.items():
        if kind == "function":
            function = functions[name]
            values[key] = function.arn if attribute == "Arn" else function.name
        elif kind == "restApi" and rest_api is not None:
            values[key] = rest_api.root_resource_id if attribute else rest_api.id
        elif kind == "httpApi" and http_api is not None:
            values[key] = http_api.id
    return values
