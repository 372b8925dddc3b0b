"""The `schedule`, `sqs`, `stream`, `sns` and `eventBridge` entries of a function.

Each reader takes an entry's value in Serverless's short or long form and returns
the model object, or None when the entry is malformed (the schema and the checks
report that). Defaults the manifest leaves out (an onFailure queue) are filled in
by `wasmdeploy.manifest.resolve_events`, which knows the function's name.
"""

from __future__ import annotations

import json
from typing import Any

from wasmdeploy.manifest import arns
from wasmdeploy.manifest import model_events as m
from wasmdeploy.manifest.event_references import reference_target, referenced_name
from wasmdeploy.manifest.settings import as_dict, as_list

SOURCE_KINDS = ("schedule", "sqs", "stream", "sns", "eventBridge")
ASYNC_KINDS = ("s3", "sns", "eventBridge", "schedule")  # Lambda invokes these asynchronously
BATCH_RESPONSE = "ReportBatchItemFailures"
Resources = dict[str, Any] | None  # `resources.Resources`, to name what a `Fn::GetAtt` points at


def _int(value: Any, default: int) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def _opt_int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _opt_str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _json_input(value: Any) -> Any:
    """A schedule's `input`: a mapping, or a string holding JSON (kept as text if it is not)."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    if isinstance(value, dict) and set(value) == {"body"} and isinstance(value["body"], str):
        return _json_input(value["body"])
    return value


def _transformer(value: Any) -> m.InputTransformer | None:
    raw = as_dict(value)
    template = raw.get("inputTemplate")
    if not isinstance(template, str):
        return None
    paths = {str(k): str(v) for k, v in as_dict(raw.get("inputPathsMap")).items()}
    return m.InputTransformer(input_template=template, input_paths_map=paths)


def _reference(value: Any, resources: Resources) -> tuple[dict[str, Any], str] | None:
    """A `Ref` / `Fn::GetAtt` to a `resources:` source, and that source's name."""
    name = referenced_name(value, resources) if reference_target(value) else None
    return (value, name) if isinstance(value, dict) and name else None


def _patterns(value: Any) -> tuple[dict[str, Any], ...]:
    return tuple(p for p in as_list(value) if isinstance(p, dict))


def schedule_trigger(value: Any, resources: Resources = None) -> m.ScheduleTrigger | None:
    """`schedule: rate(5 minutes)` or `{rate: [...], enabled, input, inputPath, method, ...}`."""
    if isinstance(value, str):
        return m.ScheduleTrigger(expressions=(value,))
    raw = as_dict(value)
    rate = raw.get("rate")
    expressions = [rate] if isinstance(rate, str) else as_list(rate)
    if not expressions or not all(isinstance(e, str) for e in expressions):
        return None
    return m.ScheduleTrigger(
        expressions=tuple(expressions),
        enabled=raw.get("enabled") is not False,
        name=_opt_str(raw.get("name")),
        description=_opt_str(raw.get("description")),
        input=_json_input(raw.get("input")),
        input_path=_opt_str(raw.get("inputPath")),
        input_transformer=_transformer(raw.get("inputTransformer")),
        method="scheduler" if raw.get("method") == "scheduler" else "eventBus",
        timezone=_opt_str(raw.get("timezone")),
    )


def queue_name(value: Any) -> str | None:
    """The name of the queue an `sqs` entry's `queue:` asks the service to create."""
    if isinstance(value, str):
        return value
    name = as_dict(value).get("name")
    return name if isinstance(name, str) else None


def sqs_trigger(value: Any, resources: Resources = None) -> m.SqsTrigger | None:
    """`sqs: ARN` or `{arn | queue, batchSize, maximumBatchingWindow, functionResponseType...}`."""
    if isinstance(value, str):
        name = arns.name_of(value, "sqs")
        return m.SqsTrigger(queue=name, arn=value) if name else None
    raw = as_dict(value)
    arn = _opt_str(raw.get("arn"))
    reference = _reference(raw.get("arn"), resources)
    name = arns.name_of(arn, "sqs") if arn else queue_name(raw.get("queue"))
    name = reference[1] if reference else name
    if name is None:
        return None
    return m.SqsTrigger(
        queue=name,
        arn=arn,
        arn_reference=reference[0] if reference else None,
        batch_size=_int(raw.get("batchSize"), m.DEFAULT_SQS_BATCH_SIZE),
        maximum_batching_window=_int(raw.get("maximumBatchingWindow"), 0),
        report_batch_item_failures=raw.get("functionResponseType") == BATCH_RESPONSE,
        maximum_concurrency=_opt_int(raw.get("maximumConcurrency")),
        filter_patterns=_patterns(raw.get("filterPatterns")),
        enabled=raw.get("enabled") is not False,
    )


def _failure_destination(value: Any, resources: Resources) -> m.Destination | None:
    """A stream's `destinations.onFailure`: an SQS/SNS ARN or `{arn, type}`."""
    arn = value if isinstance(value, str) else as_dict(value).get("arn")
    reference = _reference(arn, resources)
    written = as_dict(value).get("type")
    if reference is not None:
        kind: m.DestinationType = "sns" if written == "sns" else "sqs"
        return m.Destination(type=kind, name=reference[1], arn_reference=reference[0])
    if not isinstance(arn, str):
        return None
    service = written or arns.service_of(arn)
    return m.Destination(type="sns" if service == "sns" else "sqs", arn=arn)


def stream_type(value: Any) -> m.StreamType | None:
    """kinesis or dynamodb: the `type:` key, else the ARN's service."""
    raw = as_dict(value)
    arn = value if isinstance(value, str) else raw.get("arn")
    kind = raw.get("type") or (arns.service_of(arn) if isinstance(arn, str) else None)
    if kind == "kinesis":
        return "kinesis"
    if kind == "dynamodb":
        return "dynamodb"
    return None


def stream_trigger(value: Any, resources: Resources = None) -> m.StreamTrigger | None:
    """`stream: ARN` or `{arn | type: kinesis + name, batchSize, startingPosition, ...}`."""
    kind = stream_type(value)
    if kind is None:
        return None
    if isinstance(value, str):
        name = arns.name_of(value, kind)
        return m.StreamTrigger(type=kind, stream=name, arn=value) if name else None
    raw = as_dict(value)
    arn = _opt_str(raw.get("arn"))
    reference = _reference(raw.get("arn"), resources)
    name = arns.name_of(arn, kind) if arn else _opt_str(raw.get("name"))
    name = reference[1] if reference else name
    if name is None or (arn is None and reference is None and kind != "kinesis"):
        return None
    position = raw.get("startingPosition")
    timestamp = raw.get("startingPositionTimestamp")
    consumer = raw.get("consumer")
    return m.StreamTrigger(
        type=kind,
        stream=name,
        arn=arn,
        arn_reference=reference[0] if reference else None,
        batch_size=_int(raw.get("batchSize"), m.DEFAULT_STREAM_BATCH_SIZE),
        starting_position=(
            position
            if position in ("LATEST", "TRIM_HORIZON", "AT_TIMESTAMP")
            else m.DEFAULT_STARTING_POSITION
        ),
        starting_position_timestamp=(
            float(timestamp) if isinstance(timestamp, int | float) else None
        ),
        batch_window=_int(raw.get("batchWindow"), 0),
        maximum_retry_attempts=_int(raw.get("maximumRetryAttempts"), -1),
        maximum_record_age=_int(raw.get("maximumRecordAgeInSeconds"), -1),
        bisect_batch_on_function_error=raw.get("bisectBatchOnFunctionError") is True,
        parallelization_factor=_int(raw.get("parallelizationFactor"), 1),
        report_batch_item_failures=raw.get("functionResponseType") == BATCH_RESPONSE,
        tumbling_window=_opt_int(raw.get("tumblingWindowInSeconds")),
        on_failure=_failure_destination(
            as_dict(raw.get("destinations")).get("onFailure"), resources
        ),
        filter_patterns=_patterns(raw.get("filterPatterns")),
        consumer=consumer if consumer is True or isinstance(consumer, str) else False,
        enabled=raw.get("enabled") is not False,
    )


def sns_trigger(value: Any, resources: Resources = None) -> m.SnsTrigger | None:
    """`sns: TOPIC_NAME` (created), `sns: ARN`, or `{arn | topicName, filterPolicy, ...}`."""
    if isinstance(value, str):
        if arns.is_arn(value):
            name = arns.name_of(value, "sns")
            return m.SnsTrigger(topic=name, arn=value) if name else None
        return m.SnsTrigger(topic=value)
    raw = as_dict(value)
    arn = _opt_str(raw.get("arn"))
    reference = _reference(raw.get("arn"), resources)
    name = arns.name_of(arn, "sns") if arn else _opt_str(raw.get("topicName"))
    if reference:
        name = _opt_str(raw.get("topicName")) or reference[1]
    if name is None:
        return None
    redrive = as_dict(raw.get("redrivePolicy"))
    dead_letter = redrive.get("deadLetterTargetArn") or as_dict(
        redrive.get("deadLetterTargetImport")
    ).get("arn")
    policy = raw.get("filterPolicy")
    return m.SnsTrigger(
        topic=name,
        arn=arn,
        arn_reference=reference[0] if reference else None,
        filter_policy=policy if isinstance(policy, dict) else None,
        filter_policy_scope=(
            "MessageBody" if raw.get("filterPolicyScope") == "MessageBody" else "MessageAttributes"
        ),
        dead_letter_arn=dead_letter if isinstance(dead_letter, str) else None,
    )


def event_bridge_trigger(value: Any, resources: Resources = None) -> m.EventBridgeTrigger | None:
    """`eventBridge: {eventBus, pattern | schedule, input, inputPath, retryPolicy, ...}`."""
    raw = as_dict(value)
    pattern = raw.get("pattern")
    schedule = _opt_str(raw.get("schedule"))
    if not isinstance(pattern, dict) and schedule is None:
        return None
    bus = _opt_str(raw.get("eventBus")) or m.DEFAULT_BUS
    bus_arn = bus if arns.is_arn(bus) else None
    if bus_arn:
        bus = arns.name_of(bus_arn, "events") or bus_arn
    bus_reference = _reference(raw.get("eventBus"), resources)
    if bus_reference:
        bus = bus_reference[1]
    retry = as_dict(raw.get("retryPolicy"))
    return m.EventBridgeTrigger(
        event_bus=bus,
        bus_arn=bus_arn,
        bus_reference=bus_reference[0] if bus_reference else None,
        pattern=pattern if isinstance(pattern, dict) else None,
        schedule=schedule,
        name=_opt_str(raw.get("name")),
        description=_opt_str(raw.get("description")),
        enabled=raw.get("enabled") is not False,
        input=raw.get("input"),
        input_path=_opt_str(raw.get("inputPath")),
        input_transformer=_transformer(raw.get("inputTransformer")),
        retry_maximum_event_age=_opt_int(retry.get("maximumEventAge")),
        retry_maximum_attempts=_opt_int(retry.get("maximumRetryAttempts")),
        dead_letter_arn=_opt_str(raw.get("deadLetterQueueArn")),
    )


READERS = {
    "schedule": schedule_trigger,
    "sqs": sqs_trigger,
    "stream": stream_trigger,
    "sns": sns_trigger,
    "eventBridge": event_bridge_trigger,
}


def source_entries(function: dict[str, Any]) -> list[tuple[int, str, Any]]:
    """(index in `events`, kind, raw value) of each schedule/sqs/stream/sns/eventBridge entry."""
    entries: list[tuple[int, str, Any]] = []
    for index, event in enumerate(as_list(function.get("events"))):
        event = as_dict(event)
        if len(event) == 1:
            kind, value = next(iter(event.items()))
            if kind in SOURCE_KINDS:
                entries.append((index, kind, value))
    return entries


def event_kinds(function: dict[str, Any]) -> set[str]:
    """Every event kind the function has (s3, httpApi, sqs, ...)."""
    return {
        next(iter(event))
        for event in as_list(function.get("events"))
        if isinstance(event, dict) and len(event) == 1
    }
