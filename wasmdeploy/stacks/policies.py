"""IAM documents as plain data: pure functions of the model, no pulumi.

Each function's role gets exactly what its manifest entry implies: writing to
its own log group, reading its trigger buckets only when it reads objects,
writing only under its output prefix, plus the manifest's `iam.statements`.
ARNs are in the partition of the function's own log group (`arns`).
"""

from __future__ import annotations

from typing import Any

from wasmdeploy.manifest.model import Function
from wasmdeploy.stacks.arns import EDGE_PARTITION, partition_of_arn

Document = dict[str, Any]
Statement = dict[str, Any]

POLICY_VERSION = "2012-10-17"
LAMBDA_PRINCIPAL = "lambda.amazonaws.com"
EDGE_LAMBDA_PRINCIPAL = "edgelambda.amazonaws.com"
CLOUDFRONT_PRINCIPAL = "cloudfront.amazonaws.com"


def assume_role_policy(*, edge: bool) -> Document:
    """Who may assume a function's role: Lambda, and for edge functions CloudFront's replicas."""
    services = [LAMBDA_PRINCIPAL, EDGE_LAMBDA_PRINCIPAL] if edge else [LAMBDA_PRINCIPAL]
    return {
        "Version": POLICY_VERSION,
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": services},
                "Action": "sts:AssumeRole",
            }
        ],
    }


def bucket_arn(bucket: str, partition: str) -> str:
    return f"arn:{partition}:s3:::{bucket}"


def object_arn(bucket: str, prefix: str | None, partition: str) -> str:
    """Objects of a bucket under a prefix: `arn:aws:s3:::b/uploads/*` (or `/*` for all)."""
    return f"{bucket_arn(bucket, partition)}/{prefix or ''}*"


def static_key_prefix(template: str) -> str:
    """The part of an output key template before its first field: 'processed/{stem}.png'
    -> 'processed/'. The function can only write there."""
    head, _, _ = template.partition("{")
    return head


def edge_log_group_arns(account: str, deployed_name: str) -> list[str]:
    """Lambda@Edge writes logs in every region it runs, to `/aws/lambda/us-east-1.<name>`;
    test invocations in us-east-1 log to `/aws/lambda/<name>`."""
    p = EDGE_PARTITION
    return [
        f"arn:{p}:logs:*:{account}:log-group:/aws/lambda/us-east-1.{deployed_name}:*",
        f"arn:{p}:logs:us-east-1:{account}:log-group:/aws/lambda/{deployed_name}:*",
    ]


def log_statements(log_group_arns: list[str], *, create_groups: bool) -> list[Statement]:
    """Write access to the given log groups only (the stack creates the regular group)."""
    actions = ["logs:CreateLogStream", "logs:PutLogEvents"]
    if create_groups:
        actions.insert(0, "logs:CreateLogGroup")
    return [
        {
            "Sid": "WriteOwnLogs",
            "Effect": "Allow",
            "Action": actions,
            "Resource": sorted(log_group_arns),
        }
    ]


def object_read_statements(function: Function, partition: str = "aws") -> list[Statement]:
    """s3:GetObject on each trigger bucket and prefix, only for `input: object`."""
    if not function.reads_objects or not function.s3_triggers:
        return []
    resources = sorted({object_arn(t.bucket, t.prefix, partition) for t in function.s3_triggers})
    return [
        {
            "Sid": "ReadTriggerObjects",
            "Effect": "Allow",
            "Action": "s3:GetObject",
            "Resource": resources,
        }
    ]


def object_write_statements(function: Function, partition: str = "aws") -> list[Statement]:
    """s3:PutObject under the output key's fixed prefix only."""
    if function.output is None:
        return []
    prefix = static_key_prefix(function.output.key)
    return [
        {
            "Sid": "WriteOutputObjects",
            "Effect": "Allow",
            "Action": "s3:PutObject",
            "Resource": object_arn(function.output.bucket, prefix, partition),
        }
    ]


def manifest_statements(function: Function) -> list[Statement]:
    """The manifest's `iam.statements`, as the user wrote them."""
    return [dict(statement) for statement in function.iam_statements]


def function_policy(function: Function, log_group_arns: list[str]) -> Document:
    """The inline policy of a function's role, in the partition of its log groups."""
    partition = partition_of_arn(log_group_arns[0]) if log_group_arns else "aws"
    statements = [
        *log_statements(log_group_arns, create_groups=function.is_edge),
        *object_read_statements(function, partition),
        *object_write_statements(function, partition),
        *manifest_statements(function),
    ]
    return {"Version": POLICY_VERSION, "Statement": statements}


def cloudfront_read_policy(bucket: str, distribution_arn: str) -> Document:
    """Lets one CloudFront distribution (through its origin access control) read a bucket,
    in the distribution's partition."""
    return {
        "Version": POLICY_VERSION,
        "Statement": [
            {
                "Sid": "AllowCloudFrontRead",
                "Effect": "Allow",
                "Principal": {"Service": CLOUDFRONT_PRINCIPAL},
                "Action": "s3:GetObject",
                "Resource": object_arn(bucket, None, partition_of_arn(distribution_arn)),
                "Condition": {"StringEquals": {"AWS:SourceArn": distribution_arn}},
            }
        ],
    }
