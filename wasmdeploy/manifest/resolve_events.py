"""Resolve a function's event sources, its asynchronous delivery, and what the service creates.

Nothing is left without a place for failures: a queue the service creates gets a
dead-letter queue (`NAME-dlq`), a stream mapping without `destinations.onFailure`
sends failed batches' descriptions to `FUNCTION-stream-dlq`, and an asynchronously
invoked function without `destinations.onFailure` sends failed events to
`FUNCTION-async-dlq`; all three are queues in `Service.event_resources`.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from wasmdeploy.manifest import arns
from wasmdeploy.manifest import model_events as m
from wasmdeploy.manifest.event_references import reference_target, referenced_name
from wasmdeploy.manifest.event_sources import (
    ASYNC_KINDS,
    READERS,
    Resources,
    event_kinds,
    queue_name,
    source_entries,
)
from wasmdeploy.manifest.settings import as_dict

ASYNC_KEYS = ("maximumRetryAttempts", "maximumEventAge", "destinations")
MIN_VISIBILITY_TIMEOUT = 30  # SQS's default


def dead_letter_queue_name(queue: str) -> str:
    """`orders` -> `orders-dlq`; a FIFO queue's DLQ is FIFO: `orders.fifo` -> `orders-dlq.fifo`."""
    if queue.endswith(".fifo"):
        return queue[: -len(".fifo")] + "-dlq.fifo"
    return f"{queue}-dlq"


def async_dead_letter_queue_name(deployed_name: str) -> str:
    return f"{deployed_name}-async-dlq"


def stream_dead_letter_queue_name(deployed_name: str) -> str:
    return f"{deployed_name}-stream-dlq"


def async_destination(value: Any, resources: Resources = None) -> m.Destination | None:
    """`destinations.onSuccess/onFailure`: a function of this service, an ARN, or `{arn, type}`
    (the arn may be a `Fn::GetAtt` / `Ref` to a queue, topic or bus of `resources:`)."""
    if isinstance(value, dict):
        arn, kind = value.get("arn"), value.get("type")
        if kind not in ("function", "sns", "sqs", "eventBus"):
            return None
        name = referenced_name(arn, resources) if reference_target(arn) else None
        if isinstance(arn, dict) and name:
            return m.Destination(type=kind, name=name, arn_reference=arn)
        return m.Destination(type=kind, arn=arn) if isinstance(arn, str) else None
    if not isinstance(value, str) or not value:
        return None
    if not arns.is_arn(value):
        return m.Destination(type="function", name=value)
    service = arns.service_of(value)
    kinds: dict[str | None, m.DestinationType] = {
        "sqs": "sqs",
        "sns": "sns",
        "lambda": "function",
        "events": "eventBus",
    }
    kind = kinds.get(service)
    return m.Destination(type=kind, arn=value) if kind else None


def function_sources(
    raw: dict[str, Any], deployed_name: str, resources: Resources = None
) -> m.EventSources:
    found: dict[str, list[Any]] = {kind: [] for kind in READERS}
    for _, kind, value in source_entries(raw):
        trigger = READERS[kind](value, resources)
        if trigger is not None:
            found[kind].append(trigger)
    streams = [
        dataclasses.replace(
            trigger,
            on_failure=m.Destination(type="sqs", name=stream_dead_letter_queue_name(deployed_name)),
        )
        if isinstance(trigger, m.StreamTrigger) and trigger.on_failure is None
        else trigger
        for trigger in found["stream"]
    ]
    return m.EventSources(
        schedules=tuple(found["schedule"]),
        sqs=tuple(found["sqs"]),
        streams=tuple(streams),
        sns=tuple(found["sns"]),
        event_bridge=tuple(found["eventBridge"]),
    )


def async_config(
    raw: dict[str, Any], deployed_name: str, resources: Resources = None
) -> m.AsyncConfig | None:
    """Retries and destinations for a function Lambda invokes asynchronously, else None."""
    if not (event_kinds(raw) & set(ASYNC_KINDS)) and not any(key in raw for key in ASYNC_KEYS):
        return None
    destinations = as_dict(raw.get("destinations"))
    retries = raw.get("maximumRetryAttempts")
    age = raw.get("maximumEventAge")
    on_failure = async_destination(destinations.get("onFailure"), resources) or m.Destination(
        type="sqs", name=async_dead_letter_queue_name(deployed_name)
    )
    return m.AsyncConfig(
        maximum_retry_attempts=(
            retries if isinstance(retries, int) else m.DEFAULT_ASYNC_RETRY_ATTEMPTS
        ),
        maximum_event_age=age if isinstance(age, int) else None,
        on_success=async_destination(destinations.get("onSuccess"), resources),
        on_failure=on_failure,
    )


class _Collector:
    """Each created resource once, in the order the manifest first names it."""

    def __init__(self) -> None:
        self.queues: dict[str, m.Queue] = {}
        self.streams: dict[str, m.Stream] = {}
        self.topics: dict[str, m.Topic] = {}
        self.buses: dict[str, m.EventBus] = {}

    def dead_letter_queue(self, name: str) -> None:
        self.queues.setdefault(
            name,
            m.Queue(
                name=name,
                visibility_timeout=MIN_VISIBILITY_TIMEOUT,
                message_retention=m.DLQ_MESSAGE_RETENTION,
                fifo=name.endswith(".fifo"),
            ),
        )

    def trigger_queue(self, settings: dict[str, Any], name: str, timeout: int, window: int) -> None:
        default_visibility = max(
            MIN_VISIBILITY_TIMEOUT, m.DEFAULT_VISIBILITY_FACTOR * timeout + window
        )
        visibility = settings.get("visibilityTimeout", default_visibility)
        known = self.queues.get(name)
        if known is not None and "visibilityTimeout" not in settings:
            visibility = max(visibility, known.visibility_timeout)
        dlq = dead_letter_queue_name(name)
        self.queues[name] = m.Queue(
            name=name,
            visibility_timeout=visibility,
            message_retention=settings.get("messageRetentionPeriod", m.DEFAULT_MESSAGE_RETENTION),
            dead_letter_queue=dlq,
            max_receive_count=settings.get("maxReceiveCount", m.DEFAULT_MAX_RECEIVE_COUNT),
            fifo=name.endswith(".fifo"),
        )
        self.dead_letter_queue(dlq)

    def destination(self, destination: m.Destination | None) -> None:
        if destination is not None and destination.created and destination.name:
            self.dead_letter_queue(destination.name)


def service_resources(functions: list[tuple[dict[str, Any], Any]]) -> m.EventResources:
    """What the service creates, from (raw manifest function, resolved `model.Function`) pairs."""
    found = _Collector()
    for raw, function in functions:
        sources: m.EventSources = function.events
        raw_sqs = [value for _, kind, value in source_entries(raw) if kind == "sqs"]
        for value in raw_sqs:
            entry = as_dict(value)
            name = queue_name(entry.get("queue"))
            if name and "arn" not in entry:
                window = entry.get("maximumBatchingWindow", 0)
                settings = as_dict(entry.get("queue"))
                found.trigger_queue(settings, name, function.timeout, window)
        for stream in sources.streams:
            if stream.arn is None and stream.arn_reference is None:
                found.streams.setdefault(stream.stream, m.Stream(name=stream.stream))
            found.destination(stream.on_failure)
        for _, kind, value in source_entries(raw):
            entry = as_dict(value)
            if kind == "sns" and "arn" not in entry and not arns.is_arn(value):
                topic = value if isinstance(value, str) else entry.get("topicName")
                if isinstance(topic, str):
                    display, key = entry.get("displayName"), entry.get("kmsMasterKeyId")
                    found.topics.setdefault(topic, m.Topic(topic, display, key))
        for rule in sources.event_bridge:
            if rule.creates_bus:
                found.buses.setdefault(rule.event_bus, m.EventBus(rule.event_bus))
        if function.async_config is not None:
            found.destination(function.async_config.on_failure)
            found.destination(function.async_config.on_success)
    return m.EventResources(
        queues=tuple(found.queues.values()),
        streams=tuple(found.streams.values()),
        topics=tuple(found.topics.values()),
        event_buses=tuple(found.buses.values()),
    )
