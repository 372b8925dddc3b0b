"""What becomes of failures and successes, on the local AWS, with functions faked as plain
callables: asynchronous events too old for another try, onSuccess records, a function as
a destination, and a stream's partial batch responses and expired records."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from event_sources_support import drain_queue, wait_for

from wasmdeploy.local.local_aws import LocalAws
from wasmdeploy.local.sources.async_queue import AsyncQueue, AsyncSettings
from wasmdeploy.local.sources.delivery import Reply
from wasmdeploy.local.sources.destinations import Destinations
from wasmdeploy.local.sources.stream_poller import StreamMapping, StreamPoller
from wasmdeploy.local.sources.stream_records import KinesisShards

FUNCTION_ARN = "arn:aws:lambda:us-east-1:123456789012:function:svc-dev-fn"


class Recorder:
    """A function that answers `answer(event)` and remembers every event it got."""

    def __init__(self, answer: Any = None, ok: bool = True) -> None:
        self.events: list[Any] = []
        self.answer = answer
        self.ok = ok

    def __call__(self, payload: bytes) -> Reply:
        event = json.loads(payload)
        self.events.append(event)
        body = self.answer(event) if callable(self.answer) else self.answer
        return Reply(self.ok, json.dumps(body).encode(), request_id="req-1")


@pytest.fixture(scope="module")
def aws() -> Iterator[LocalAws]:
    with LocalAws() as local:
        yield local


def queue(aws: LocalAws, name: str) -> tuple[str, str]:
    sqs = aws.client("sqs")
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    return url, f"arn:aws:sqs:us-east-1:123456789012:{name}"


def async_queue(
    aws: LocalAws, name: str, deliver: Recorder, destinations: Destinations, **settings: Any
) -> AsyncQueue:
    url, _ = queue(aws, name)
    return AsyncQueue(
        aws.client("sqs"), url, deliver, AsyncSettings(FUNCTION_ARN, timeout=3, **settings),
        destinations, label=name, notice=lambda line: None,
    )  # fmt: skip


def stream_poller(
    aws: LocalAws, source: KinesisShards, mapping: StreamMapping, function: Recorder
) -> StreamPoller:
    return StreamPoller(
        source, mapping, function, Destinations(aws.client),
        function_arn=FUNCTION_ARN, label=source.stream_name, notice=lambda line: None,
    )  # fmt: skip


def test_event_older_than_maximum_event_age_goes_to_on_failure_unrun(aws: LocalAws) -> None:
    failed_url, failed_arn = queue(aws, "age-failures")
    function = Recorder({"ok": True})
    events = async_queue(aws, "age-events", function, Destinations(aws.client),
                         maximum_event_age=0, on_failure=failed_arn)  # fmt: skip
    events.start()
    try:
        events.submit({"job": 1})
        record = json.loads(wait_for(lambda: drain_queue(aws.client("sqs"), failed_url))[0]["Body"])
    finally:
        events.stop()
    assert function.events == []
    assert record["requestContext"]["condition"] == "EventAgeExceeded"
    assert record["requestContext"]["approximateInvokeCount"] == 0
    assert record["requestPayload"] == {"job": 1} and "responsePayload" not in record


def test_success_sends_the_answer_to_on_success_and_a_function_can_be_the_destination(
    aws: LocalAws,
) -> None:
    destinations = Destinations(aws.client)
    downstream = Recorder()
    follow_up = async_queue(aws, "chained-events", downstream, destinations)
    next_arn = "arn:aws:lambda:us-east-1:123456789012:function:svc-dev-next"
    destinations.functions[next_arn] = lambda body: follow_up.submit(json.loads(body))
    first = async_queue(
        aws, "first-events", Recorder({"total": 3}), destinations, on_success=next_arn
    )
    first.start()
    follow_up.start()
    try:
        first.submit({"order": 7})
        record = wait_for(lambda: downstream.events and downstream.events[0])
    finally:
        first.stop()
        follow_up.stop()
    assert record["requestContext"]["condition"] == "Success"
    assert record["requestPayload"] == {"order": 7} and record["responsePayload"] == {"total": 3}
    assert "functionError" not in record["responseContext"]


def test_a_refused_destination_record_is_written_later_without_running_the_function_again(
    aws: LocalAws,
) -> None:
    function = Recorder({"error": "x"}, ok=False)
    later = "arn:aws:sqs:us-east-1:123456789012:created-later"
    settings = {"maximum_retry_attempts": 0, "on_failure": later, "destination_retry": 1}
    events = async_queue(aws, "refused-events", function, Destinations(aws.client), **settings)
    events.start()
    try:
        events.submit({"job": 2})
        wait_for(lambda: function.events, what="the run")
        time.sleep(1.5)  # the record was refused (no such queue) and is waiting to be sent again
        url, _ = queue(aws, "created-later")
        record = json.loads(wait_for(lambda: drain_queue(aws.client("sqs"), url))[0]["Body"])
    finally:
        events.stop()
    assert record["requestPayload"] == {"job": 2}
    assert len(function.events) == 1


def test_stream_partial_response_retries_from_the_failed_record_and_expired_ones_are_recorded(
    aws: LocalAws,
) -> None:
    kinesis = aws.client("kinesis")
    kinesis.create_stream(StreamName="partial-readings", ShardCount=1)
    kinesis.get_waiter("stream_exists").wait(StreamName="partial-readings")
    failed_url, failed_arn = queue(aws, "partial-failures")
    seen: list[list[str]] = []

    def answer(event: dict[str, Any]) -> dict[str, Any]:
        records = event["Records"]
        seen.append([r["kinesis"]["data"] for r in records])
        second = records[1]["kinesis"]["sequenceNumber"] if len(seen) == 1 else None
        return {"batchItemFailures": [{"itemIdentifier": second}] if second else []}

    source = KinesisShards(kinesis, "partial-readings", region="us-east-1", role_arn="arn:r")
    mapping = StreamMapping(batch_size=10, window=1, report_failures=True, on_failure=failed_arn)
    poller = stream_poller(aws, source, mapping, Recorder(answer))
    poller.start()
    try:
        kinesis.put_records(
            StreamName="partial-readings",
            Records=[{"Data": data, "PartitionKey": "k"} for data in (b"a", b"b", b"c")],
        )
        wait_for(lambda: len(seen) >= 2, what="the retry")
    finally:
        poller.stop()
    decoded = [[base64.b64decode(data).decode() for data in batch] for batch in seen]
    assert decoded[:2] == [["a", "b", "c"], ["b", "c"]]  # retried from "b", not from "a"
    assert drain_queue(aws.client("sqs"), failed_url, wait=0) == []


def test_records_older_than_maximum_record_age_are_skipped_and_recorded(aws: LocalAws) -> None:
    kinesis = aws.client("kinesis")
    kinesis.create_stream(StreamName="old-readings", ShardCount=1)
    kinesis.get_waiter("stream_exists").wait(StreamName="old-readings")
    kinesis.put_record(StreamName="old-readings", Data=b"stale", PartitionKey="k")
    failed_url, failed_arn = queue(aws, "old-failures")
    function = Recorder()
    source = KinesisShards(kinesis, "old-readings", region="us-east-1", role_arn="arn:r")
    mapping = StreamMapping(max_record_age=0, on_failure=failed_arn)
    poller = stream_poller(aws, source, mapping, function)
    poller.start()
    try:
        failures = wait_for(lambda: drain_queue(aws.client("sqs"), failed_url))
    finally:
        poller.stop()
    record = json.loads(failures[0]["Body"])
    assert record["requestContext"]["condition"] == "RecordAgeExceeded"
    assert record["KinesisBatchInfo"]["batchSize"] == 1 and function.events == []


def test_a_stream_batch_given_up_to_an_unreachable_destination_is_logged_and_the_shard_moves_on(
    aws: LocalAws,
) -> None:
    kinesis = aws.client("kinesis")
    kinesis.create_stream(StreamName="unreachable-readings", ShardCount=1)
    kinesis.get_waiter("stream_exists").wait(StreamName="unreachable-readings")
    elsewhere = "arn:aws:lambda:us-east-1:999999999999:function:elsewhere"
    function = Recorder(ok=False)
    lines: list[str] = []
    source = KinesisShards(kinesis, "unreachable-readings", region="us-east-1", role_arn="arn:r")
    mapping = StreamMapping(max_retry_attempts=0, on_failure=elsewhere)
    poller = StreamPoller(
        source, mapping, function, Destinations(aws.client),
        function_arn=FUNCTION_ARN, label="readings", notice=lines.append,
    )  # fmt: skip
    poller.start()
    try:
        kinesis.put_record(StreamName="unreachable-readings", Data=b"a", PartitionKey="k")
        wait_for(lambda: function.events, what="the first batch")
        kinesis.put_record(StreamName="unreachable-readings", Data=b"b", PartitionKey="k")
        wait_for(lambda: len(function.events) >= 2, what="the second batch")
    finally:
        poller.stop()
    batches = [[r["kinesis"]["data"] for r in event["Records"]] for event in function.events]
    assert batches[:2] == [[base64.b64encode(b"a").decode()], [base64.b64encode(b"b").decode()]]
    logged = [line for line in lines if "the record:" in line]
    assert elsewhere in logged[0] and '"condition": "RetryAttemptsExhausted"' in logged[0]
