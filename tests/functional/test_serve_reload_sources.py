"""`serve` restarts only the event sources that changed; the others keep running.

One running emulator (moto server, awslambdaric sandboxes) with three functions
fed by an SQS queue, an SNS topic and an EventBridge bus; the manifest changes
under it and the local AWS is read back to see what was wired again.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from event_sources_support import LOGGING_HANDLER, logged_events, wait_for
from local_emulation_support import make_function, make_service, python_emulator, write_handler

from wasmdeploy.local.emulator import LocalEmulator
from wasmdeploy.local.reload import apply_reload, plan_reload
from wasmdeploy.manifest.model import (
    EventBridgeTrigger,
    EventBus,
    EventResources,
    Queue,
    Service,
    SnsTrigger,
    SqsTrigger,
    Topic,
)
from wasmdeploy.manifest.model import EventSources as Triggers

TOPIC = "arn:aws:sns:us-east-1:123456789012:rs-alerts"
RESOURCES = EventResources(
    queues=(Queue("rs-jobs", visibility_timeout=30),),
    topics=(Topic("rs-alerts"),),
    event_buses=(EventBus("rs-shop"),),
)


def _service(root: Path, **triggers: Triggers) -> Service:
    functions = [
        dataclasses.replace(
            make_function(root, name, environment={"LOG_DIR": str(root / "log")}), events=events
        )
        for name, events in triggers.items()
    ]
    return dataclasses.replace(make_service(root, *functions), event_resources=RESOURCES)


def _alerts(severity: str) -> Triggers:
    return Triggers(sns=(SnsTrigger(topic="rs-alerts", filter_policy={"severity": [severity]}),))


def _audit(source: str) -> Triggers:
    rule = EventBridgeTrigger(event_bus="rs-shop", pattern={"source": [source]})
    return Triggers(event_bridge=(rule,))


JOBS = Triggers(sqs=(SqsTrigger(queue="rs-jobs", maximum_batching_window=0),))


@pytest.fixture
def running(tmp_path: Path) -> Iterator[tuple[LocalEmulator, Service]]:
    (tmp_path / "log").mkdir()
    write_handler(tmp_path, LOGGING_HANDLER)
    service = _service(tmp_path, jobs=JOBS, alerts=_alerts("high"), audit=_audit("shop.orders"))
    emulator = python_emulator(service)
    emulator.start()
    try:
        yield emulator, service
    finally:
        emulator.stop()


def _publish(emulator: LocalEmulator, message: str, severity: str) -> None:
    emulator.aws.client("sns").publish(
        TopicArn=TOPIC,
        Message=message,
        MessageAttributes={"severity": {"DataType": "String", "StringValue": severity}},
    )


def _seen(root: Path, function: str, text: str) -> Any:
    return next((e for e in logged_events(root / "log", function) if text in json.dumps(e)), None)


def test_a_changed_filter_policy_rewires_only_its_function_and_applies_the_new_policy(
    running: tuple[LocalEmulator, Service], tmp_path: Path
) -> None:
    emulator, old = running
    assert emulator.sources is not None
    groups = dict(emulator.sources.groups)
    new = _service(tmp_path, jobs=JOBS, alerts=_alerts("low"), audit=_audit("shop.orders"))
    plan = plan_reload(old, new)
    assert plan.event_sources == ("alerts",) and not plan.event_resources
    assert plan.describe() == "event sources of alerts"
    apply_reload(emulator, new, plan)

    sources = emulator.sources
    assert sources.groups["jobs"] is groups["jobs"] and sources.groups["audit"] is groups["audit"]
    assert sources.groups["alerts"] is not groups["alerts"]
    (subscription,) = emulator.aws.client("sns").list_subscriptions_by_topic(TopicArn=TOPIC)[
        "Subscriptions"
    ]
    attributes = emulator.aws.client("sns").get_subscription_attributes(
        SubscriptionArn=subscription["SubscriptionArn"]
    )["Attributes"]
    assert json.loads(attributes["FilterPolicy"]) == {"severity": ["low"]}

    _publish(emulator, "now-high", "high")
    _publish(emulator, "now-low", "low")
    sqs = emulator.aws.client("sqs")
    url = sqs.get_queue_url(QueueName="rs-jobs")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="job-after-reload")
    wait_for(
        lambda: _seen(tmp_path, "alerts", "now-low"), what="the SNS event the new policy lets in"
    )
    wait_for(lambda: _seen(tmp_path, "jobs", "job-after-reload"), what="the untouched SQS poller")
    assert _seen(tmp_path, "alerts", "now-high") is None


def test_removed_triggers_take_their_subscription_and_rule_away(
    running: tuple[LocalEmulator, Service], tmp_path: Path
) -> None:
    emulator, old = running
    assert emulator.sources is not None
    jobs = emulator.sources.groups["jobs"]
    events = emulator.aws.client("events")
    assert events.list_rules(EventBusName="rs-shop")["Rules"]
    new = _service(tmp_path, jobs=JOBS, alerts=Triggers(), audit=Triggers())
    plan = plan_reload(old, new)
    # Functions left without a trigger are no longer served: their pools go too.
    assert sorted(plan.event_sources) == ["alerts", "audit"] and plan.removed
    apply_reload(emulator, new, plan)

    assert emulator.sources.groups["jobs"] is jobs
    assert set(emulator.sources.groups) == {"jobs"}
    sns = emulator.aws.client("sns")
    assert sns.list_subscriptions_by_topic(TopicArn=TOPIC)["Subscriptions"] == []
    assert events.list_rules(EventBusName="rs-shop")["Rules"] == []

    apply_reload(emulator, old, plan_reload(new, old))  # and back: wired again
    assert len(sns.list_subscriptions_by_topic(TopicArn=TOPIC)["Subscriptions"]) == 1
    emulator.aws.client("events").put_events(
        Entries=[
            {"Source": "shop.orders", "DetailType": "order", "Detail": '{"id": "back"}',
             "EventBusName": "rs-shop"}
        ]
    )  # fmt: skip
    wait_for(lambda: _seen(tmp_path, "audit", '"back"'), what="the rule wired again")
