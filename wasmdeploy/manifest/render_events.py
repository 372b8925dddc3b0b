"""Event sources and async settings written back as manifest entries (for `wasmdeploy print`).

Long forms with every resolved value, so the printed manifest loads back to the
same triggers, the same created resources and the same async configuration.
Defaults the resolver fills in (an onFailure queue the service creates) are left
out: they come back by themselves.
"""

from __future__ import annotations

from typing import Any

from wasmdeploy.manifest import model_events as m
from wasmdeploy.manifest.event_sources import BATCH_RESPONSE


def _set(body: dict[str, Any], **values: Any) -> dict[str, Any]:
    """`body` with the values that are not None."""
    body.update({key: value for key, value in values.items() if value is not None})
    return body


def _transformer(value: m.InputTransformer | None) -> dict[str, Any] | None:
    if value is None:
        return None
    return _set(
        {"inputTemplate": value.input_template}, inputPathsMap=value.input_paths_map or None
    )


def _schedule(trigger: m.ScheduleTrigger) -> dict[str, Any]:
    body = _set(
        {"rate": list(trigger.expressions), "enabled": trigger.enabled},
        name=trigger.name,
        description=trigger.description,
        input=trigger.input,
        inputPath=trigger.input_path,
        inputTransformer=_transformer(trigger.input_transformer),
        timezone=trigger.timezone,
    )
    if trigger.method != "eventBus":
        body["method"] = trigger.method
    return {"schedule": body}


def _queue(queue: m.Queue) -> dict[str, Any]:
    return {
        "name": queue.name,
        "visibilityTimeout": queue.visibility_timeout,
        "maxReceiveCount": queue.max_receive_count,
        "messageRetentionPeriod": queue.message_retention,
    }


def _sqs(trigger: m.SqsTrigger, resources: m.EventResources) -> dict[str, Any]:
    written = trigger.arn or trigger.arn_reference
    source = {"arn": written} if written else {"queue": _queue(resources.queue(trigger.queue))}
    body = _set(
        {**source, "batchSize": trigger.batch_size, "enabled": trigger.enabled},
        maximumBatchingWindow=trigger.maximum_batching_window or None,
        functionResponseType=BATCH_RESPONSE if trigger.report_batch_item_failures else None,
        maximumConcurrency=trigger.maximum_concurrency,
        filterPatterns=list(trigger.filter_patterns) or None,
    )
    return {"sqs": body}


def _stream(trigger: m.StreamTrigger) -> dict[str, Any]:
    written = trigger.arn or trigger.arn_reference
    source = {"arn": written} if written else {"name": trigger.stream}
    failure = trigger.on_failure
    body = _set(
        {
            "type": trigger.type,
            **source,
            "batchSize": trigger.batch_size,
            "startingPosition": trigger.starting_position,
            "maximumRetryAttempts": trigger.maximum_retry_attempts,
            "maximumRecordAgeInSeconds": trigger.maximum_record_age,
            "bisectBatchOnFunctionError": trigger.bisect_batch_on_function_error,
            "parallelizationFactor": trigger.parallelization_factor,
            "enabled": trigger.enabled,
        },
        startingPositionTimestamp=trigger.starting_position_timestamp,
        batchWindow=trigger.batch_window or None,
        functionResponseType=BATCH_RESPONSE if trigger.report_batch_item_failures else None,
        tumblingWindowInSeconds=trigger.tumbling_window,
        destinations=(
            {"onFailure": {"arn": failure.arn or failure.arn_reference, "type": failure.type}}
            if failure is not None and not failure.created
            else None
        ),
        filterPatterns=list(trigger.filter_patterns) or None,
        consumer=trigger.consumer or None,
    )
    return {"stream": body}


def _sns(trigger: m.SnsTrigger, resources: m.EventResources) -> dict[str, Any]:
    topic = next((t for t in resources.topics if t.name == trigger.topic), None)
    source = (
        {"arn": trigger.arn or trigger.arn_reference, "topicName": trigger.topic}
        if trigger.arn or trigger.arn_reference or topic is None
        else _set(
            {"topicName": trigger.topic},
            displayName=topic.display_name,
            kmsMasterKeyId=topic.kms_master_key_id,
        )
    )
    body = _set(
        source,
        filterPolicy=trigger.filter_policy,
        filterPolicyScope=trigger.filter_policy_scope if trigger.filter_policy else None,
        redrivePolicy=(
            {"deadLetterTargetArn": trigger.dead_letter_arn} if trigger.dead_letter_arn else None
        ),
    )
    return {"sns": body}


def _event_bridge(trigger: m.EventBridgeTrigger) -> dict[str, Any]:
    retry = _set(
        {},
        maximumEventAge=trigger.retry_maximum_event_age,
        maximumRetryAttempts=trigger.retry_maximum_attempts,
    )
    body = _set(
        {"enabled": trigger.enabled},
        eventBus=trigger.bus_arn
        or trigger.bus_reference
        or (None if trigger.event_bus == m.DEFAULT_BUS else trigger.event_bus),
        pattern=trigger.pattern,
        schedule=trigger.schedule,
        name=trigger.name,
        description=trigger.description,
        input=trigger.input,
        inputPath=trigger.input_path,
        inputTransformer=_transformer(trigger.input_transformer),
        retryPolicy=retry or None,
        deadLetterQueueArn=trigger.dead_letter_arn,
    )
    return {"eventBridge": body}


def source_events_as_manifest(
    sources: m.EventSources, resources: m.EventResources
) -> list[dict[str, Any]]:
    return [
        *(_schedule(t) for t in sources.schedules),
        *(_sqs(t, resources) for t in sources.sqs),
        *(_stream(t) for t in sources.streams),
        *(_sns(t, resources) for t in sources.sns),
        *(_event_bridge(t) for t in sources.event_bridge),
    ]


def _destination(destination: m.Destination) -> Any:
    if destination.type == "function" and destination.arn is None:
        return destination.name
    return {"arn": destination.arn or destination.arn_reference, "type": destination.type}


def async_as_manifest(config: m.AsyncConfig | None) -> dict[str, Any]:
    """maximumRetryAttempts, maximumEventAge and the destinations the manifest named."""
    if config is None:
        return {}
    destinations = {
        key: _destination(destination)
        for key, destination in (("onSuccess", config.on_success), ("onFailure", config.on_failure))
        if destination is not None and not destination.created
    }
    return _set(
        {"maximumRetryAttempts": config.maximum_retry_attempts},
        maximumEventAge=config.maximum_event_age,
        destinations=destinations or None,
    )


def add_event_sources(data: dict[str, Any], function: Any, resources: m.EventResources) -> None:
    """Put a resolved function's event sources and async settings into its manifest entry."""
    events = source_events_as_manifest(function.events, resources)
    if events:
        data["events"] = [*data.get("events", []), *events]
    data.update(async_as_manifest(function.async_config))
