"""A stream mapping's tumbling windows on the local AWS: the state the function returns is
handed to the next invocation of the same window, the window closes with a final invocation
that has no records, and an answer without a state is a failed invocation."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from event_sources_support import drain_queue, wait_for

from wasmdeploy.local.local_aws import LocalAws
from wasmdeploy.local.sources.delivery import Reply
from wasmdeploy.local.sources.destinations import Destinations
from wasmdeploy.local.sources.stream_poller import StreamMapping, StreamPoller
from wasmdeploy.local.sources.stream_records import KinesisShards


@pytest.fixture(scope="module")
def aws() -> Iterator[LocalAws]:
    with LocalAws() as local:
        yield local


def poller(aws: LocalAws, stream: str, mapping: StreamMapping, deliver: Any) -> StreamPoller:
    kinesis = aws.client("kinesis")
    kinesis.create_stream(StreamName=stream, ShardCount=1)
    kinesis.get_waiter("stream_exists").wait(StreamName=stream)
    source = KinesisShards(kinesis, stream, region="us-east-1", role_arn="arn:r")
    return StreamPoller(
        source, mapping, deliver, Destinations(aws.client),
        function_arn="arn:aws:lambda:us-east-1:123456789012:function:f", label=stream,
        notice=lambda line: None,
    )  # fmt: skip


def test_state_carries_through_the_window_and_the_final_invocation_closes_it(
    aws: LocalAws,
) -> None:
    events: list[dict[str, Any]] = []

    def count(payload: bytes) -> Reply:
        event = json.loads(payload)
        events.append(event)
        total = event["state"].get("count", 0) + len(event["Records"])
        return Reply(True, json.dumps({"state": {"count": total}}).encode())

    mapping = StreamMapping(batch_size=1, tumbling_window=2)
    reader = poller(aws, "windowed-readings", mapping, count)
    reader.start()
    try:
        records = [{"Data": data, "PartitionKey": "k"} for data in (b"1", b"2")]  # one moment
        aws.client("kinesis").put_records(StreamName="windowed-readings", Records=records)
        wait_for(lambda: any(e["isFinalInvokeForWindow"] for e in events), limit=20)
    finally:
        reader.stop()
    batches = [e for e in events if e["Records"]]
    assert [len(e["Records"]) for e in batches] == [1, 1]  # batchSize 1: two invocations
    final = next(e for e in events if e["isFinalInvokeForWindow"])
    assert batches[0]["state"] == {}  # a window starts with an empty state
    assert final["Records"] == [] and final["state"] == {"count": 2}
    assert final["window"] == batches[0]["window"]
    start, end = final["window"]["start"], final["window"]["end"]
    assert start.endswith("Z") and end > start
    assert final["shardId"] == "shardId-000000000000"
    assert final["eventSourceARN"].endswith(":stream/windowed-readings")
    assert final["isWindowTerminatedEarly"] is False


def test_an_answer_without_state_is_a_failed_invocation(aws: LocalAws) -> None:
    failed_url = aws.client("sqs").create_queue(QueueName="windowed-failures")["QueueUrl"]
    mapping = StreamMapping(
        tumbling_window=60,
        max_retry_attempts=0,
        on_failure="arn:aws:sqs:us-east-1:123456789012:windowed-failures",
    )
    reader = poller(aws, "stateless-readings", mapping, lambda payload: Reply(True, b"{}"))
    reader.start()
    try:
        aws.client("kinesis").put_record(
            StreamName="stateless-readings", Data=b"x", PartitionKey="k"
        )
        failures = wait_for(lambda: drain_queue(aws.client("sqs"), failed_url))
    finally:
        reader.stop()
    record = json.loads(failures[0]["Body"])
    assert record["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert record["responseContext"]["functionError"] == "Unhandled"
