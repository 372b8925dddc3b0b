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
    service: Service, tags: dict[str, str], opts: pulumi.ResourceOptions
) -> tuple[IntrinsicResolver, aws.cloudformation.Stack | None]:
    """The resources stack (when the manifest has one) and the resolver over its outputs."""
    resources = service.resources
    if resources is None:
        return IntrinsicResolver(None), None
    stack = aws.cloudformation.Stack(
        "resources",
        name=resources.stack_name,
        template_body=json.dumps(resources.template, sort_keys=True),
        capabilities=CAPABILITIES,
        tags=tags,
        opts=opts,
    )
    return IntrinsicResolver(stack.outputs), stack
