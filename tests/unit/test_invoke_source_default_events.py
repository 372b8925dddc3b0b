"""The event `invoke` sends a function of a queue, stream, topic, schedule or bus by default."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.stacks_factories import make_function
from wasmdeploy.local.default_events import default_event
from wasmdeploy.manifest.model import (
    EventBridgeTrigger,
    EventSources,
    ScheduleTrigger,
    Service,
    SnsTrigger,
    SqsTrigger,
    StreamTrigger,
)


def event_for(sources: EventSources) -> Any:
    fn = make_function(Path("/"), "f", service="s", events=sources)
    svc = Service(
        name="s", stage="dev", region="eu-west-1", manifest_path=Path("/w.yml"), functions=(fn,)
    )
    return default_event(svc, fn)


@pytest.mark.parametrize(
    ("sources", "source", "arn_end"),
    [
        (EventSources(sqs=(SqsTrigger(queue="jobs"),)), "aws:sqs", ":jobs"),
        (EventSources(streams=(StreamTrigger("kinesis", "readings"),)), "aws:kinesis", "/readings"),
    ],
)
def test_batch_sources_get_a_record_from_their_own_source(
    sources: EventSources, source: str, arn_end: str
) -> None:
    (record,) = event_for(sources)["Records"]
    assert record["eventSource"] == source and record["awsRegion"] == "eu-west-1"
    assert record["eventSourceARN"].endswith(arn_end)


def test_dynamodb_stream_names_its_table() -> None:
    arn = "arn:aws:dynamodb:eu-west-1:123456789012:table/items/stream/x"
    (record,) = event_for(EventSources(streams=(StreamTrigger("dynamodb", "items", arn=arn),)))[
        "Records"
    ]
    assert ":table/items/stream/" in record["eventSourceARN"]


def test_sns_names_its_topic() -> None:
    (record,) = event_for(EventSources(sns=(SnsTrigger(topic="alerts"),)))["Records"]
    assert record["Sns"]["TopicArn"].endswith(":alerts")


def test_schedule_sends_its_input_or_the_scheduled_event() -> None:
    with_input = ScheduleTrigger(expressions=("rate(1 hour)",), input={"report": "daily"})
    assert event_for(EventSources(schedules=(with_input,))) == {"report": "daily"}
    plain = ScheduleTrigger(expressions=("rate(1 hour)",))
    event = event_for(EventSources(schedules=(plain,)))
    assert event["detail-type"] == "Scheduled Event"
    assert event["resources"][0].endswith(":rule/s-dev-f-schedule-0")


def test_event_bridge_event_matches_the_rule_pattern() -> None:
    pattern = {"source": ["shop"], "detail-type": ["OrderPlaced"], "detail": {"kind": ["big"]}}
    rule = EventBridgeTrigger(event_bus="orders", pattern=pattern)
    event = event_for(EventSources(event_bridge=(rule,)))
    assert (event["source"], event["detail-type"], event["detail"]) == (
        "shop",
        "OrderPlaced",
        {"kind": "big"},
    )
