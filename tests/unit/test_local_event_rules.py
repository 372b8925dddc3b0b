"""The rules the local event sources apply, as AWS states them: partial batch responses,
rule target inputs, destination records, schedule times. No I/O."""

from __future__ import annotations

import datetime
import json

import pytest

from wasmdeploy.local.sources.delivery import Reply
from wasmdeploy.local.sources.failure_records import (
    BatchInfo,
    async_invocation_record,
    stream_batch_record,
)
from wasmdeploy.local.sources.local_resources import arn_name
from wasmdeploy.local.sources.queue_events import scheduled_event, select_input, sqs_record
from wasmdeploy.local.sources.scheduler import LocalSchedule
from wasmdeploy.local.sources.sqs_poller import failed_message_ids
from wasmdeploy.local.sources.stream_poller import first_failed_sequence
from wasmdeploy.local.sources.tumbling_windows import ShardWindow
from wasmdeploy.manifest.schedule_expression import parse

BATCH = ["a", "b", "c"]


def answer(value: object, ok: bool = True) -> Reply:
    return Reply(ok, json.dumps(value).encode())


@pytest.mark.parametrize(
    ("reply", "kept"),
    [
        (answer({"batchItemFailures": [{"itemIdentifier": "b"}]}), {"b"}),
        (answer({"batchItemFailures": []}), set()),
        (answer({"batchItemFailures": None}), set()),
        (answer(None), set()),
        (Reply(True, b""), set()),
        (answer({"batchItemFailures": [{"itemIdentifier": "zzz"}]}), None),  # not in the batch
        (answer({"batchItemFailures": [{"itemIdentifier": ""}]}), None),
        (answer({"batchItemFailures": [{"id": "b"}]}), None),  # the wrong key
        (answer({"batchItemFailures": "b"}), None),
        (answer({"errorType": "WasmTrap"}, ok=False), None),  # a function error
    ],
)
def test_partial_batch_response_keeps_what_lambda_keeps(
    reply: Reply, kept: set[str] | None
) -> None:
    assert failed_message_ids(reply, BATCH) == kept


def test_stream_partial_response_retries_from_the_lowest_failed_sequence() -> None:
    failures = {"batchItemFailures": [{"itemIdentifier": "c"}, {"itemIdentifier": "b"}]}
    assert first_failed_sequence(answer(failures), BATCH) == "b"
    assert first_failed_sequence(answer({"batchItemFailures": []}), BATCH) is None
    assert first_failed_sequence(answer({"batchItemFailures": [{"itemIdentifier": "x"}]}), BATCH)
    assert first_failed_sequence(answer({}, ok=False), BATCH) is True


def test_sqs_record_spells_attributes_as_lambda_does() -> None:
    message = {
        "MessageId": "m", "ReceiptHandle": "r", "Body": "hi", "MD5OfBody": "5",
        "Attributes": {"ApproximateReceiveCount": "2"},
        "MessageAttributes": {"n": {"DataType": "Number", "StringValue": "3"},
                              "b": {"DataType": "Binary", "BinaryValue": b"\x01"}},
    }  # fmt: skip
    record = sqs_record(message, queue_arn="arn:q", region="eu-west-1")
    assert record["messageAttributes"]["n"] == {
        "stringValue": "3", "stringListValues": [], "binaryListValues": [], "dataType": "Number"
    }  # fmt: skip
    assert record["messageAttributes"]["b"]["binaryValue"] == "AQ=="
    assert record["attributes"] == {"ApproximateReceiveCount": "2"}
    assert (record["eventSource"], record["eventSourceARN"], record["awsRegion"]) == (
        "aws:sqs", "arn:q", "eu-west-1"
    )  # fmt: skip


def test_rule_target_input_replaces_or_selects_part_of_the_event() -> None:
    event = {"detail": {"order": {"id": 7}}, "source": "s"}
    assert select_input(event) == event
    assert select_input(event, input_value={"fixed": True}) == {"fixed": True}
    assert select_input(event, input_path="$.detail.order") == {"id": 7}
    assert select_input(event, input_path="$.detail.missing") is None


def test_async_failure_record_has_the_fields_aws_writes() -> None:
    record = async_invocation_record(
        function_arn="arn:aws:lambda:us-east-1:1:function:f",
        request_id="r",
        condition="RetriesExhausted",
        invoke_count=3,
        request_payload={"in": 1},
        response_payload={"errorType": "WasmTrap"},
    )
    assert set(record) == {
        "version", "timestamp", "requestContext", "requestPayload", "responseContext",
        "responsePayload",
    }  # fmt: skip
    assert record["requestContext"] == {
        "requestId": "r",
        "functionArn": "arn:aws:lambda:us-east-1:1:function:f:$LATEST",
        "condition": "RetriesExhausted",
        "approximateInvokeCount": 3,
    }
    assert record["responseContext"]["functionError"] == "Unhandled"
    assert record["timestamp"].endswith("Z") and len(record["timestamp"]) == 24


def test_stream_failure_record_names_the_batch_not_its_data() -> None:
    moment = datetime.datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=datetime.UTC)
    info = BatchInfo("dynamodb", "arn:s", "shard-1", "10", "12", moment, moment, 3)
    record = stream_batch_record(
        info, function_arn="arn:f", request_id="r", condition="RetryAttemptsExhausted",
        invoke_count=4, function_error=True,
    )  # fmt: skip
    assert record["DDBStreamBatchInfo"] == {
        "shardId": "shard-1",
        "startSequenceNumber": "10",
        "endSequenceNumber": "12",
        "approximateArrivalOfFirstRecord": "2026-01-02T03:04:05.678Z",
        "approximateArrivalOfLastRecord": "2026-01-02T03:04:05.678Z",
        "batchSize": 3,
        "streamArn": "arn:s",
    }
    assert (
        "requestPayload" not in record and record["requestContext"]["approximateInvokeCount"] == 4
    )


def test_scheduled_event_is_eventbridges() -> None:
    at = datetime.datetime(2026, 12, 1, 8, 0, tzinfo=datetime.UTC)
    event = scheduled_event(rule_arn="arn:aws:events:us-east-1:1:rule/r", region="us-east-1", at=at)
    assert event["detail-type"] == "Scheduled Event" and event["source"] == "aws.events"
    assert event["time"] == "2026-12-01T08:00:00Z" and event["detail"] == {}
    assert event["resources"] == ["arn:aws:events:us-east-1:1:rule/r"]


def test_schedules_fire_on_their_cadence_and_time_zone() -> None:
    utc = datetime.UTC
    started = datetime.datetime(2026, 12, 1, 9, 0, 30, tzinfo=utc)
    rate = LocalSchedule("r", "arn", parse("rate(5 minutes)"), submit=print)
    assert rate.next_after(started, started) == started + datetime.timedelta(minutes=5)
    cron = LocalSchedule("c", "arn", parse("cron(0 8 ? * MON-FRI *)"), submit=print)
    assert cron.next_after(started, started) == datetime.datetime(
        2026, 12, 2, 8, tzinfo=datetime.UTC
    )
    paris = LocalSchedule(
        "p", "arn", parse("cron(0 8 * * ? *)"), submit=print, timezone="Europe/Paris"
    )
    assert paris.next_after(started, started) == datetime.datetime(
        2026, 12, 2, 7, tzinfo=datetime.UTC
    )


def test_resource_names_come_from_their_arns() -> None:
    assert arn_name("arn:aws:sqs:us-east-1:1:jobs") == "jobs"
    assert arn_name("arn:aws:kinesis:us-east-1:1:stream/readings") == "readings"
    assert arn_name("arn:aws:events:us-east-1:1:event-bus/shop") == "shop"
    assert arn_name("arn:aws:dynamodb:us-east-1:1:table/accounts/stream/2026-01-01") == "accounts"


def test_tumbling_windows_are_aligned_and_a_batch_splits_at_their_edges() -> None:
    window = ShardWindow(120, "shardId-1", "arn:aws:kinesis:us-east-1:1:stream/s")
    at = datetime.datetime(2020, 12, 9, 7, 5, 59, tzinfo=datetime.UTC)
    later = at + datetime.timedelta(seconds=2)
    records = [{"SequenceNumber": "1", "ApproximateArrivalTimestamp": at},
               {"SequenceNumber": "2", "ApproximateArrivalTimestamp": later}]  # fmt: skip
    runs = window.split(records)
    assert [(start.strftime("%H:%M:%S"), len(run)) for start, run in runs] == [
        ("07:04:00", 1), ("07:06:00", 1)
    ]  # fmt: skip
    window.open(runs[0][0])
    assert window.event([])["window"] == {
        "start": "2020-12-09T07:04:00Z",
        "end": "2020-12-09T07:06:00Z",
    }
    assert not window.accept(Reply(True, b'{"batchItemFailures": []}')).ok  # no state: failed
    assert window.accept(Reply(True, b'{"state": {"n": 1}}')).ok and window.state == {"n": 1}
