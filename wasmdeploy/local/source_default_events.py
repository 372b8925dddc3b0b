"""The event `invoke` sends a queue, stream, topic, schedule or EventBridge function by default.

What its first such trigger would send: the sample event of the catalog, naming
the function's own queue, stream, topic, rule or bus.
"""

from __future__ import annotations

import json
from typing import Any

from wasmdeploy.local.events.catalog import render_event
from wasmdeploy.manifest.model import Function, Service
from wasmdeploy.manifest.rule_names import schedule_rule_name


def source_event(service: Service, function: Function) -> Any | None:
    """The first event source's sample event, or None when the function has none."""
    sources, region = function.events, service.region
    if sources.sqs:
        return render_event(
            "sqs", "receive-message", {"queue_name": sources.sqs[0].queue, "region": region}
        )
    if sources.streams:
        stream = sources.streams[0]
        if stream.type == "kinesis":
            return render_event(
                "kinesis", "get-records", {"stream": stream.stream, "region": region}
            )
        return render_event("dynamodb", "update", {"table": stream.stream, "region": region})
    if sources.sns:
        return render_event(
            "sns", "notification", {"topic": sources.sns[0].topic, "region": region}
        )
    if sources.schedules:
        schedule = sources.schedules[0]
        if schedule.input is not None:
            return schedule.input
        rule = schedule_rule_name(function, 0)
        return render_event("cloudwatch", "scheduled-event", {"rule": rule, "region": region})
    if sources.event_bridge:
        return _event_bridge_event(sources.event_bridge[0].pattern or {}, region)
    return None


def _first(value: Any, default: str) -> str:
    """The first literal a pattern's list matches (`[shop.orders]` -> shop.orders)."""
    if isinstance(value, list) and value and isinstance(value[0], str):
        return value[0]
    return default


def _event_bridge_event(pattern: dict[str, Any], region: str) -> Any:
    detail = pattern.get("detail")
    literal = {
        key: _first(value, "example")
        for key, value in (detail.items() if isinstance(detail, dict) else [])
        if isinstance(value, list)
    }
    return render_event(
        "eventbridge",
        "event",
        {
            "source": _first(pattern.get("source"), "com.example.app"),
            "detail_type": _first(pattern.get("detail-type"), "Example Event"),
            "detail": json.dumps(literal or {"key": "value"}),
            "region": region,
        },
    )
