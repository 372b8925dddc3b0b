"""IAM for event sources as plain data: exact actions on exactly the queues, streams and topics.

A function consuming a queue or a stream may read and delete from that source only;
a function with destinations (or the dead-letter queues the service creates) may
send to those targets only. Everything here is a pure function of ARNs.
"""

from __future__ import annotations

import json
from typing import Any

from wasmdeploy.manifest.model_events import DestinationType
from wasmdeploy.stacks.policies import POLICY_VERSION, Document, Statement

SQS_CONSUME = [  # what Lambda's poller calls: AWSLambdaSQSQueueExecutionRole, no more
    "sqs:DeleteMessage",
    "sqs:GetQueueAttributes",
    "sqs:ReceiveMessage",
]
KINESIS_CONSUME = [
    "kinesis:DescribeStream",
    "kinesis:DescribeStreamSummary",
    "kinesis:GetRecords",
    "kinesis:GetShardIterator",
    "kinesis:ListShards",
]
KINESIS_FAN_OUT = ["kinesis:DescribeStreamConsumer", "kinesis:SubscribeToShard"]
DYNAMODB_STREAM_CONSUME = [
    "dynamodb:DescribeStream",
    "dynamodb:GetRecords",
    "dynamodb:GetShardIterator",
    "dynamodb:ListStreams",
]
SEND_ACTIONS: dict[DestinationType, str] = {
    "sqs": "sqs:SendMessage",
    "sns": "sns:Publish",
    "function": "lambda:InvokeFunction",
    "eventBus": "events:PutEvents",
}


def _statement(sid: str, actions: list[str], resources: list[str]) -> Statement:
    return {"Sid": sid, "Effect": "Allow", "Action": actions, "Resource": sorted(set(resources))}


def consume_statements(
    queues: list[str], kinesis: list[str], dynamodb: list[str], consumers: list[str]
) -> list[Statement]:
    """Read access to the queues and streams that trigger the function."""
    statements = []
    if queues:
        statements.append(_statement("ConsumeQueues", SQS_CONSUME, queues))
    if kinesis:
        statements.append(_statement("ReadKinesisStreams", KINESIS_CONSUME, kinesis))
    if consumers:
        statements.append(_statement("ReadKinesisConsumers", KINESIS_FAN_OUT, consumers))
    if dynamodb:
        statements.append(_statement("ReadDynamoDBStreams", DYNAMODB_STREAM_CONSUME, dynamodb))
    return statements


def send_statements(targets: list[tuple[DestinationType, str]]) -> list[Statement]:
    """Send access to each destination: one statement per kind of target."""
    by_action: dict[str, list[str]] = {}
    for kind, arn in targets:
        by_action.setdefault(SEND_ACTIONS[kind], []).append(arn)
    return [
        _statement(f"SendTo{action.split(':')[1].removeprefix('Send')}", [action], arns)
        for action, arns in sorted(by_action.items())
    ]


def event_source_policy(statements: list[Statement]) -> Document:
    return {"Version": POLICY_VERSION, "Statement": statements}


def redrive_policy(dead_letter_arn: str, max_receive_count: int) -> str:
    """An SQS queue's RedrivePolicy attribute."""
    return json.dumps(
        {"deadLetterTargetArn": dead_letter_arn, "maxReceiveCount": max_receive_count},
        sort_keys=True,
    )


def queue_send_policy(queue_arn: str, principal: str, source_arns: list[str]) -> Document:
    """A queue policy letting one AWS service send to the queue for the given sources only."""
    condition: dict[str, Any] = {"ArnEquals": {"aws:SourceArn": sorted(source_arns)}}
    return {
        "Version": POLICY_VERSION,
        "Statement": [
            {
                "Sid": "ServiceSends",
                "Effect": "Allow",
                "Principal": {"Service": principal},
                "Action": "sqs:SendMessage",
                "Resource": queue_arn,
                "Condition": condition,
            }
        ],
    }
