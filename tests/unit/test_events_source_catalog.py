"""Queue, stream, topic, schedule and EventBridge sample events, read by aws-lambda-powertools."""

from __future__ import annotations

import base64
import json

from aws_lambda_powertools.utilities.data_classes import (
    DynamoDBStreamEvent,
    EventBridgeEvent,
    KinesisStreamEvent,
    SNSEvent,
    SQSEvent,
)
from click.testing import CliRunner

from wasmdeploy.cli.events import events
from wasmdeploy.local.events.catalog import render_event


def test_sqs_receive_message_batch_carries_body_and_queue() -> None:
    event = SQSEvent(render_event("sqs", "receive-message", {"body": "job 7", "count": 3}))
    records = list(event.records)
    assert [r.body for r in records] == ["job 7"] * 3
    assert len({r.message_id for r in records}) == 3
    assert records[0].event_source_arn == "arn:aws:sqs:us-east-1:123456789012:MyQueue"
    assert records[0].attributes.approximate_receive_count == "1"
    assert len(records[0].md5_of_body) == 32


def test_kinesis_get_records_encodes_data() -> None:
    raw = render_event("kinesis", "get-records", {"data": '{"t": 21.5}', "stream": "readings"})
    (record,) = KinesisStreamEvent(raw).records
    assert record.kinesis.data_as_json() == {"t": 21.5}
    assert base64.b64decode(record.kinesis.data) == b'{"t": 21.5}'
    assert record.event_source_arn.endswith(":stream/readings")
    assert record.kinesis.partition_key == "partitionKey-03"


def test_dynamodb_update_serialises_keys_and_images() -> None:
    raw = render_event(
        "dynamodb", "update", {"keys": '{"Id": 7}', "new_image": '{"Name": "new", "N": 1.5}'}
    )
    (record,) = DynamoDBStreamEvent(raw).records
    assert record.event_name is not None and record.event_name.name == "MODIFY"
    assert record.dynamodb is not None
    assert record.dynamodb.keys == {"Id": 7}
    assert record.dynamodb.new_image["Name"] == "new"
    assert raw["Records"][0]["dynamodb"]["NewImage"]["N"] == {"N": "1.5"}


def test_sns_notification_names_topic_and_subject() -> None:
    raw = render_event("sns", "notification", {"message": "alarm", "topic": "alerts"})
    record = SNSEvent(raw).record
    assert record.sns.message == "alarm"
    assert record.sns.topic_arn.endswith(":alerts")
    assert record.sns.subject == "example subject"


def test_scheduled_event_names_its_rule() -> None:
    params = {"rule": "nightly", "account_id": "210987654321", "partition": "aws-cn"}
    event = EventBridgeEvent(render_event("cloudwatch", "scheduled-event", params))
    assert event.account == "210987654321"
    assert event.resources == ["arn:aws-cn:events:us-east-1:210987654321:rule/nightly"]
    assert event.detail_type == "Scheduled Event"
    assert event.source == "aws.events"
    assert event.resources[0].endswith(":rule/nightly")
    assert event.detail == {}


def test_eventbridge_event_from_the_command_line() -> None:
    result = CliRunner().invoke(
        events,
        [
            "eventbridge",
            "event",
            "--source",
            "shop",
            "--detail-type",
            "Order",
            "--detail",
            '{"n": 2}',
        ],
    )
    assert result.exit_code == 0, result.output
    event = EventBridgeEvent(json.loads(result.output))
    assert (event.source, event.detail_type, event.detail) == ("shop", "Order", {"n": 2})


def test_malformed_json_option_is_a_clear_error() -> None:
    result = CliRunner().invoke(events, ["dynamodb", "update", "--keys", "{oops"])
    assert result.exit_code != 0
    assert "--keys is not JSON" in str(result.exception)
