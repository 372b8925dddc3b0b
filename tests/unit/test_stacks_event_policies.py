"""Event-source IAM as data: exact actions on exactly the sources and destinations named."""

from __future__ import annotations

import json

from wasmdeploy.manifest.rule_names import MAX_RULE_NAME, rule_name
from wasmdeploy.stacks.event_policies import (
    KINESIS_FAN_OUT,
    SQS_CONSUME,
    consume_statements,
    event_source_policy,
    redrive_policy,
    send_statements,
)
from wasmdeploy.stacks.schedules import invoke_policy

QUEUE = "arn:aws:sqs:us-east-1:123456789012:jobs"
STREAM = "arn:aws:kinesis:us-east-1:123456789012:stream/readings"
TABLE_STREAM = "arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/2026-01-01T00:00:00.000"


def test_consumers_read_only_their_sources() -> None:
    statements = consume_statements([QUEUE, QUEUE], [STREAM], [TABLE_STREAM], [])
    by_sid = {s["Sid"]: s for s in statements}
    assert by_sid["ConsumeQueues"] == {
        "Sid": "ConsumeQueues",
        "Effect": "Allow",
        "Action": SQS_CONSUME,
        "Resource": [QUEUE],
    }
    assert by_sid["ReadKinesisStreams"]["Resource"] == [STREAM]
    assert "kinesis:PutRecord" not in by_sid["ReadKinesisStreams"]["Action"]
    assert by_sid["ReadDynamoDBStreams"]["Resource"] == [TABLE_STREAM]
    assert "ReadKinesisConsumers" not in by_sid


def test_fan_out_consumers_get_subscribe_on_the_consumer_only() -> None:
    consumer = f"{STREAM}/consumer/fn:1"
    statements = consume_statements([], [STREAM], [], [consumer])
    fan_out = next(s for s in statements if s["Sid"] == "ReadKinesisConsumers")
    assert (fan_out["Action"], fan_out["Resource"]) == (KINESIS_FAN_OUT, [consumer])


def test_no_sources_no_statements() -> None:
    assert consume_statements([], [], [], []) == []
    assert send_statements([]) == []


def test_each_destination_kind_gets_its_one_send_action() -> None:
    topic = "arn:aws:sns:us-east-1:123456789012:alerts"
    other = "arn:aws:lambda:us-east-1:123456789012:function:other"
    bus = "arn:aws:events:us-east-1:123456789012:event-bus/b"
    statements = send_statements(
        [("sqs", QUEUE), ("sns", topic), ("function", other), ("eventBus", bus)]
    )
    assert {(tuple(s["Action"]), tuple(s["Resource"])) for s in statements} == {
        (("sqs:SendMessage",), (QUEUE,)),
        (("sns:Publish",), (topic,)),
        (("lambda:InvokeFunction",), (other,)),
        (("events:PutEvents",), (bus,)),
    }
    assert len({s["Sid"] for s in statements}) == 4
    assert event_source_policy(statements)["Version"] == "2012-10-17"


def test_redrive_policy_is_the_attribute_sqs_reads() -> None:
    assert json.loads(redrive_policy(QUEUE, 5)) == {
        "deadLetterTargetArn": QUEUE,
        "maxReceiveCount": 5,
    }


def test_scheduler_role_invokes_only_its_function() -> None:
    function = "arn:aws:lambda:us-east-1:123456789012:function:svc-dev-report"
    (statement,) = json.loads(invoke_policy(function))["Statement"]
    assert statement["Action"] == "lambda:InvokeFunction"
    assert statement["Resource"] == [function, f"{function}:*"]


def test_rule_names_fit_eventbridge_limit_and_stay_distinct() -> None:
    assert rule_name("svc-dev-fn", "schedule-0") == "svc-dev-fn-schedule-0"
    long_a, long_b = rule_name("a" * 64, "schedule-0"), rule_name("a" * 64, "schedule-1")
    assert len(long_a) <= MAX_RULE_NAME and len(long_b) <= MAX_RULE_NAME
    assert long_a != long_b and long_a.endswith("-schedule-0")
