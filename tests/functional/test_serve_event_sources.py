"""Every event source delivers on the local AWS as Lambda does, and a failure loses nothing.

One moto server and one service with a function per source (SQS, Kinesis,
DynamoDB stream, SNS, EventBridge, schedules); boto3 writes to the local AWS
as any client would, and the handlers log what they receive. Short visibility
timeouts and retry delays keep it fast.
"""

from __future__ import annotations

import base64
import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aws_lambda_powertools.utilities.data_classes import (
    DynamoDBStreamEvent,
    EventBridgeEvent,
    KinesisStreamEvent,
    SNSEvent,
    SQSEvent,
)
from event_sources_support import (
    LOGGING_HANDLER,
    deliveries,
    drain_queue,
    logged_events,
    logging_delivery,
    wait_for,
)
from local_emulation_support import make_function, make_service, write_handler

from wasmdeploy.local.local_aws import LocalAws
from wasmdeploy.local.sources.wiring import EventSources
from wasmdeploy.manifest.model import (
    AsyncConfig,
    Destination,
    EventBridgeTrigger,
    EventBus,
    EventResources,
    Queue,
    ScheduleTrigger,
    SnsTrigger,
    SqsTrigger,
    Stream,
    StreamTrigger,
    Topic,
)
from wasmdeploy.manifest.model import EventSources as Triggers


@dataclasses.dataclass
class Pipeline:
    aws: LocalAws
    log_dir: Path
    sources: EventSources

    def client(self, service: str) -> Any:
        return self.aws.client(service)

    def queue_url(self, name: str) -> str:
        return self.sources.resources.queue_urls[name]

    def events(self, function: str) -> list[Any]:
        return logged_events(self.log_dir, function)


def _functions(root: Path) -> list[Any]:
    environment = {"LOG_DIR": str(root / "log")}
    orders = SqsTrigger(
        queue="ev-orders", maximum_batching_window=1, report_batch_item_failures=True
    )
    readings = StreamTrigger(
        type="kinesis",
        stream="ev-readings",
        batch_window=1,
        maximum_retry_attempts=1,
        bisect_batch_on_function_error=True,
        on_failure=Destination("sqs", name="ev-readings-failures"),
    )
    alerts_config = AsyncConfig(on_failure=Destination("sqs", name="ev-alerts-failures"))
    triggers = {
        "orders": Triggers(sqs=(orders,)),
        "readings": Triggers(streams=(readings,)),
        "changes": Triggers(streams=(StreamTrigger(type="dynamodb", stream="ev-accounts"),)),
        "alerts": Triggers(
            sns=(SnsTrigger(topic="ev-alerts", filter_policy={"severity": ["high"]}),)
        ),
        "audit": Triggers(
            event_bridge=(
                EventBridgeTrigger(event_bus="ev-shop", pattern={"source": ["shop.orders"]}),
            )
        ),
        "tick": Triggers(
            schedules=(
                ScheduleTrigger(expressions=("rate(1 hour)",)),
                ScheduleTrigger(expressions=("cron(0 12 * * ? *)",), input={"job": "noon"}),
            )
        ),
    }
    functions = []
    for name, events in triggers.items():
        function = make_function(root, name, environment=environment)
        config = alerts_config if name == "alerts" else AsyncConfig()
        functions.append(dataclasses.replace(function, events=events, async_config=config))
    return functions


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pipeline]:
    root = tmp_path_factory.mktemp("sources")
    (root / "log").mkdir()
    write_handler(root, LOGGING_HANDLER)
    functions = _functions(root)
    resources = EventResources(
        queues=(
            Queue(
                "ev-orders",
                visibility_timeout=3,
                dead_letter_queue="ev-orders-dlq",
                max_receive_count=2,
            ),
            Queue("ev-orders-dlq", visibility_timeout=30),
            Queue("ev-readings-failures", visibility_timeout=30),
            Queue("ev-alerts-failures", visibility_timeout=30),
        ),
        streams=(Stream("ev-readings"),),
        topics=(Topic("ev-alerts"),),
        event_buses=(EventBus("ev-shop"),),
    )
    service = dataclasses.replace(make_service(root, *functions), event_resources=resources)
    pools = logging_delivery(service, functions)
    with LocalAws() as aws:
        sources = EventSources(
            aws.client, service, deliveries(pools), lambda line: None,
            retry_delays=(1, 1), run_schedules_now=True,
        )  # fmt: skip
        sources.start()
        try:
            yield Pipeline(aws, root / "log", sources)
        finally:
            sources.stop()
            for pool in pools.values():
                pool.close()


def test_sqs_message_arrives_with_every_field_lambda_sends(pipeline: Pipeline) -> None:
    sqs = pipeline.client("sqs")
    sqs.send_message(
        QueueUrl=pipeline.queue_url("ev-orders"),
        MessageBody='{"order": 1}',
        MessageAttributes={"channel": {"DataType": "String", "StringValue": "web"}},
    )
    event = wait_for(
        lambda: next((e for e in pipeline.events("orders") if "order" in str(e)), None),
        what="the SQS event",
    )
    record = next(iter(SQSEvent(event).records))
    assert record.body == '{"order": 1}' and record.json_body == {"order": 1}
    assert record.event_source == "aws:sqs" and record.aws_region == "us-east-1"
    assert record.event_source_arn == "arn:aws:sqs:us-east-1:123456789012:ev-orders"
    assert record.attributes.approximate_receive_count == "1"
    assert int(record.attributes.sent_timestamp) > 0
    channel = record.message_attributes["channel"]
    assert channel is not None and channel.string_value == "web"
    assert record.md5_of_body and record.receipt_handle and record.message_id


def test_partial_batch_failure_redelivers_exactly_the_failed_message(pipeline: Pipeline) -> None:
    sqs = pipeline.client("sqs")
    bodies = ["keep-a", "retry-once", "keep-b"]
    sqs.send_message_batch(
        QueueUrl=pipeline.queue_url("ev-orders"),
        Entries=[{"Id": str(i), "MessageBody": body} for i, body in enumerate(bodies)],
    )

    def batches() -> list[list[tuple[str, str]]]:
        return [
            [(r["body"], r["attributes"]["ApproximateReceiveCount"]) for r in e["Records"]]
            for e in pipeline.events("orders")
            if any(r["body"] in bodies for r in e["Records"])
        ]

    wait_for(lambda: any(("retry-once", "2") in b for b in batches()), what="the redelivery")
    deliveries = [item for batch in batches() for item in batch]
    assert sorted(body for body, _ in deliveries) == [
        "keep-a",
        "keep-b",
        "retry-once",
        "retry-once",
    ]
    assert ("retry-once", "2") in deliveries and ("keep-a", "2") not in deliveries


def test_poison_message_ends_in_the_dead_letter_queue_after_its_receives(
    pipeline: Pipeline,
) -> None:
    sqs = pipeline.client("sqs")
    sqs.send_message(QueueUrl=pipeline.queue_url("ev-orders"), MessageBody="poison")
    dlq = pipeline.queue_url("ev-orders-dlq")
    moved = wait_for(lambda: drain_queue(sqs, dlq), limit=40, what="the DLQ")
    assert [message["Body"] for message in moved] == ["poison"]
    receives = [r for e in pipeline.events("orders") for r in e["Records"] if r["body"] == "poison"]
    assert [r["attributes"]["ApproximateReceiveCount"] for r in receives] == ["1", "2"]


def test_kinesis_records_arrive_in_order_and_a_bad_one_goes_to_on_failure(
    pipeline: Pipeline,
) -> None:
    kinesis = pipeline.client("kinesis")
    kinesis.put_records(
        StreamName="ev-readings",
        Records=[{"Data": data, "PartitionKey": "sensor-1"} for data in (b"1.5", b"bad", b"2.5")],
    )
    failures = wait_for(
        lambda: drain_queue(pipeline.client("sqs"), pipeline.queue_url("ev-readings-failures")),
        what="the onFailure record",
    )
    record = json.loads(failures[0]["Body"])
    info = record["KinesisBatchInfo"]
    assert record["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert info["batchSize"] == 1 and info["startSequenceNumber"] == info["endSequenceNumber"]
    assert info["streamArn"] == "arn:aws:kinesis:us-east-1:123456789012:stream/ev-readings"
    delivered = []
    for event in pipeline.events("readings"):
        parsed = KinesisStreamEvent(event)
        delivered.append([base64.b64decode(r.kinesis.data).decode() for r in parsed.records])
    good = [batch for batch in delivered if "bad" not in batch]
    assert [value for batch in good for value in batch] == ["1.5", "2.5"]  # in order, once each
    assert delivered[0] == ["1.5", "bad", "2.5"]  # the batch as written, before bisecting
    first = next(iter(KinesisStreamEvent(pipeline.events("readings")[0]).records))
    assert first.event_name == "aws:kinesis:record" and first.kinesis.partition_key == "sensor-1"
    bad = [r for r in pipeline.events("readings")[0]["Records"] if r["kinesis"]["data"] == "YmFk"]
    assert info["startSequenceNumber"] == bad[0]["kinesis"]["sequenceNumber"]


def test_dynamodb_stream_delivers_the_item_change(pipeline: Pipeline) -> None:
    dynamodb = pipeline.client("dynamodb")
    dynamodb.put_item(TableName="ev-accounts", Item={"id": {"S": "a-1"}, "balance": {"N": "10"}})
    event = wait_for(lambda: (pipeline.events("changes") or [None])[0], what="the stream event")
    record = next(iter(DynamoDBStreamEvent(event).records))
    assert record.event_name is not None and record.event_name.name == "INSERT"
    assert record.dynamodb is not None and record.dynamodb.keys == {"id": "a-1"}
    assert record.dynamodb.new_image["balance"] == 10
    assert record.event_source_arn and ":table/ev-accounts/stream/" in record.event_source_arn


def test_sns_publish_applies_the_filter_policy(pipeline: Pipeline) -> None:
    sns = pipeline.client("sns")
    topic = "arn:aws:sns:us-east-1:123456789012:ev-alerts"
    for message, severity in (("ignored", "low"), ("disk full", "high")):
        sns.publish(
            TopicArn=topic,
            Message=message,
            Subject="ops",
            MessageAttributes={"severity": {"DataType": "String", "StringValue": severity}},
        )
    event = wait_for(
        lambda: next((e for e in pipeline.events("alerts") if "disk full" in str(e)), None),
        what="the SNS event",
    )
    record = next(iter(SNSEvent(event).records))
    assert record.event_source == "aws:sns" and record.sns.topic_arn == topic
    assert record.sns.message == "disk full" and record.sns.subject == "ops"
    assert record.sns.message_attributes["severity"].value == "high"
    assert record.event_subscription_arn.startswith(topic + ":")
    assert not any("ignored" in str(e) for e in pipeline.events("alerts"))


def test_failing_async_invocation_ends_in_its_on_failure_destination(pipeline: Pipeline) -> None:
    sns = pipeline.client("sns")
    sns.publish(
        TopicArn="arn:aws:sns:us-east-1:123456789012:ev-alerts",
        Message="explode",
        MessageAttributes={"severity": {"DataType": "String", "StringValue": "high"}},
    )
    failures = wait_for(
        lambda: drain_queue(pipeline.client("sqs"), pipeline.queue_url("ev-alerts-failures")),
        limit=40,
        what="the async failure record",
    )
    record = json.loads(failures[0]["Body"])
    assert (
        record["version"] == "1.0" and record["requestContext"]["condition"] == "RetriesExhausted"
    )
    assert record["requestContext"]["approximateInvokeCount"] == 3  # the try and two retries
    assert record["requestContext"]["functionArn"].endswith(":function:svc-dev-alerts:$LATEST")
    assert record["requestPayload"]["Records"][0]["Sns"]["Message"] == "explode"
    assert record["responseContext"]["functionError"] == "Unhandled"
    assert record["responsePayload"]["errorType"] == "RuntimeError"
    attempts = [e for e in pipeline.events("alerts") if "explode" in str(e)]
    assert len(attempts) == 3


def test_put_events_reaches_the_rule_with_the_full_eventbridge_event(pipeline: Pipeline) -> None:
    events = pipeline.client("events")
    events.put_events(
        Entries=[
            {"Source": "other.app", "DetailType": "x", "Detail": "{}", "EventBusName": "ev-shop"},
            {
                "Source": "shop.orders",
                "DetailType": "OrderPlaced",
                "Detail": json.dumps({"id": 42}),
                "EventBusName": "ev-shop",
            },
        ]
    )
    event = wait_for(lambda: (pipeline.events("audit") or [None])[0], what="the EventBridge event")
    parsed = EventBridgeEvent(event)
    assert parsed.source == "shop.orders" and parsed.detail_type == "OrderPlaced"
    assert parsed.detail == {"id": 42} and parsed.account == "123456789012"
    assert parsed.region == "us-east-1" and parsed.get_id and parsed.version == "0"
    assert len(pipeline.events("audit")) == 1  # the other source does not match the pattern


def test_schedules_fire_at_start_with_the_scheduled_event_or_their_input(
    pipeline: Pipeline,
) -> None:
    fired = wait_for(lambda: len(pipeline.events("tick")) >= 2 and pipeline.events("tick"))
    scheduled = next(e for e in fired if isinstance(e, dict) and "detail-type" in e)
    assert EventBridgeEvent(scheduled).detail_type == "Scheduled Event"
    assert scheduled["source"] == "aws.events" and scheduled["detail"] == {}
    assert scheduled["resources"] == [
        "arn:aws:events:us-east-1:123456789012:rule/svc-dev-tick-schedule-0"
    ]
    assert {"job": "noon"} in fired
