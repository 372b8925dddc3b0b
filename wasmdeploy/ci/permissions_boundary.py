"""The permissions boundary every role of the service carries.

A boundary caps what a role may ever do, whatever policy it is given. The
deploy role can create a role only with this boundary, so no function (or
scheduler) role it makes can exceed what the service's functions need: their
own logs, the manifest's buckets, queues, topics, streams and tables, invoking
the service's own functions, and the manifest's `iam.statements` as they were
when an administrator created the boundary. Changing those statements means
running `wasmdeploy ci aws-oidc-role` again with administrator rights: the
deploy role cannot raise the cap itself.
"""

from __future__ import annotations

from typing import Any

from wasmdeploy.ci.grants import (
    MANAGED_POLICY_LIMIT,
    POLICY_VERSION,
    Policy,
    Target,
    check_policy_size,
)


def _statement(sid: str, actions: list[str], resources: list[str]) -> Policy:
    return {"Sid": sid, "Effect": "Allow", "Action": actions, "Resource": resources}


def log_statement(target: Target) -> Policy:
    groups = list(target.regional("logs", target.prefixed("log-group:/aws/lambda/{prefix}*"), True))
    if target.scope.edge:
        groups += target.prefixed(
            f"arn:{target.scope.partition}:logs:*:{target.account}:log-group:/aws/lambda/us-east-1."
            "{prefix}*"
        )
    actions = ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"]
    return _statement("WriteOwnLogs", actions, groups)


def data_statements(target: Target) -> list[Policy]:
    scope, p = target.scope, target.scope.partition
    statements = []
    buckets = [*scope.buckets, *scope.existing_buckets]
    if buckets:
        objects = [f"arn:{p}:s3:::{name}/*" for name in buckets]
        statements.append(_statement("ServiceObjects", ["s3:GetObject", "s3:PutObject"], objects))
    queues = [
        *target.regional("sqs", [*scope.queues, *target.prefixed("{prefix}*")]),
        *(a for a in scope.source_arns if a.startswith(f"arn:{p}:sqs:")),
    ]
    if scope.event_sources:
        statements.append(
            _statement(
                "ServiceQueues",
                [
                    "sqs:ReceiveMessage",
                    "sqs:DeleteMessage",
                    "sqs:ChangeMessageVisibility",
                    "sqs:GetQueueAttributes",
                    "sqs:SendMessage",
                ],
                queues,
            )
        )
    topics = [
        *target.regional("sns", list(scope.topics)),
        *(a for a in scope.source_arns if a.startswith(f"arn:{p}:sns:")),
    ]
    if topics:
        statements.append(_statement("ServiceTopics", ["sns:Publish"], topics))
    streams = [
        *target.regional("kinesis", [f"stream/{name}" for name in scope.streams]),
        *(a for a in scope.source_arns if a.startswith(f"arn:{p}:kinesis:")),
    ]
    if streams:
        statements.append(
            _statement(
                "ServiceStreams",
                [
                    "kinesis:DescribeStream",
                    "kinesis:DescribeStreamSummary",
                    "kinesis:GetRecords",
                    "kinesis:GetShardIterator",
                    "kinesis:ListShards",
                    "kinesis:SubscribeToShard",
                    "kinesis:PutRecord",
                    "kinesis:PutRecords",
                ],
                streams,
            )
        )
    tables = list(target.regional("dynamodb", target.prefixed("table/{prefix}*")))
    table_streams = [a for a in scope.source_arns if a.startswith(f"arn:{p}:dynamodb:")]
    if scope.key_value or table_streams:
        statements.append(
            _statement(
                "ServiceTables",
                [
                    "dynamodb:GetItem",
                    "dynamodb:PutItem",
                    "dynamodb:UpdateItem",
                    "dynamodb:DeleteItem",
                    "dynamodb:ConditionCheckItem",
                    "dynamodb:Query",
                    "dynamodb:DescribeTable",
                    "dynamodb:DescribeStream",
                    "dynamodb:GetRecords",
                    "dynamodb:GetShardIterator",
                    "dynamodb:ListStreams",
                ],
                [*tables, *(f"{t}/stream/*" for t in tables), *table_streams],
            )
        )
    return statements


def boundary_policy(target: Target) -> Policy:
    """The boundary's document, as a managed policy (6,144 characters at most)."""
    functions = list(target.regional("lambda", target.prefixed("function:{prefix}*"), True))
    statements = [
        log_statement(target),
        *data_statements(target),
        _statement("InvokeServiceFunctions", ["lambda:InvokeFunction"], functions),
        *(_manifest_statement(n, s) for n, s in enumerate(manifest_allows(target), 1)),
    ]
    return check_policy_size(
        {"Version": POLICY_VERSION, "Statement": statements},
        MANAGED_POLICY_LIMIT,
        "the permissions boundary (a managed policy)",
        hint="name queues, topics and streams with the stack's prefix "
        "(${self:service}-${sls:stage}-...), or shorten provider.iam.statements.",
    )


def _manifest_statement(number: int, statement: dict[str, Any]) -> Policy:
    """The manifest's own `iam.statements` (Allow only: a Deny needs no room in a cap)."""
    copied = {key: value for key, value in statement.items() if key != "Sid"}
    return {"Sid": f"ManifestStatement{number}", **copied}


def manifest_allows(target: Target) -> list[dict[str, Any]]:
    return [s for s in target.scope.iam_statements if s.get("Effect", "Allow") == "Allow"]
