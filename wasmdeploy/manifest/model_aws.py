"""The AWS settings of a function that Serverless manifests carry: role, network, tracing, limits.

Part of the model (see `model.py`). A value that names an AWS resource (an ARN, a
subnet id) is a string, or a CloudFormation intrinsic (`{"Ref": ...}`,
`{"Fn::GetAtt": [...]}`) that the stack resolves against the service's `resources`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

TracingMode = Literal["Active", "PassThrough"]
AwsValue = Any  # a string, or a CloudFormation intrinsic mapping
VPC_ACCESS_POLICY_NAME = "service-role/AWSLambdaVPCAccessExecutionRole"


def vpc_access_policy(partition: str = "aws") -> str:
    """AWS's managed policy for functions in a VPC, in `partition`."""
    return f"arn:{partition}:iam::aws:policy/{VPC_ACCESS_POLICY_NAME}"


XRAY_STATEMENT: dict[str, Any] = {
    "Effect": "Allow",
    "Action": ["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
    "Resource": "*",
}


@dataclass(frozen=True)
class Vpc:
    subnet_ids: tuple[AwsValue, ...]
    security_group_ids: tuple[AwsValue, ...]
    ipv6_dual_stack: bool = False  # ipv6AllowedForDualStack


@dataclass(frozen=True)
class FunctionAws:
    """Serverless's per-function AWS settings (function value > provider value)."""

    role: AwsValue | None = None  # an existing role: the stack creates none
    managed_policies: tuple[AwsValue, ...] = ()  # attached to the function's role
    permissions_boundary: AwsValue | None = None
    vpc: Vpc | None = None
    tracing: TracingMode | None = None
    reserved_concurrency: int | None = None
    kms_key_arn: AwsValue | None = None
    environment: dict[str, AwsValue] = field(default_factory=dict)  # intrinsic values only

    @property
    def needs_vpc_access_policy(self) -> bool:
        """In a VPC, and AWSLambdaVPCAccessExecutionRole not among the managed policies."""
        suffix = f":iam::aws:policy/{VPC_ACCESS_POLICY_NAME}"
        given = any(isinstance(p, str) and p.endswith(suffix) for p in self.managed_policies)
        return self.vpc is not None and not given
