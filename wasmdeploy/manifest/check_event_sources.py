"""Checks on schedule, sqs, stream, sns and eventBridge entries beyond what the schema says
(streams: `check_stream_events`).

Expressions EventBridge would refuse, ARNs that do not parse or name another
service, batch sizes and windows outside each service's limits, settings AWS
accepts only on some sources, and an SQS queue whose visibility timeout is too
short for the function that consumes it.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from wasmdeploy.manifest import arns, settings
from wasmdeploy.manifest.check_event_references import check_references
from wasmdeploy.manifest.check_stream_events import arn_problem, check_stream
from wasmdeploy.manifest.event_references import reference_target, template_resources
from wasmdeploy.manifest.event_sources import READERS, source_entries
from wasmdeploy.manifest.problems import NodePath, Problems
from wasmdeploy.manifest.schedule_expression import ScheduleError, parse
from wasmdeploy.manifest.settings import as_dict

SQS_BATCH_WITHOUT_WINDOW = 10
FIFO_MAX_BATCH = 10
MAX_CREATED_QUEUE_NAME = 76  # leaves room for the dead-letter queue's "-dlq"
VISIBILITY_FACTOR = 6


def check_schedule_expression(value: Any, path: NodePath, problems: Problems) -> None:
    if not isinstance(value, str) or "${" in value:
        return
    try:
        parse(value)
    except ScheduleError as error:
        problems.error(
            path,
            f"'{value}' is not a valid schedule: {error}",
            hint="Write rate(5 minutes), rate(1 hour), or cron(0 12 * * ? *) "
            "(minutes hours day-of-month month day-of-week year).",
        )


def _check_schedule(value: Any, path: NodePath, problems: Problems) -> None:
    if isinstance(value, str):
        check_schedule_expression(value, path, problems)
        return
    raw = as_dict(value)
    rate = raw.get("rate")
    for index, expression in enumerate(rate if isinstance(rate, list) else [rate]):
        where = (*path, "rate", index) if isinstance(rate, list) else (*path, "rate")
        check_schedule_expression(expression, where, problems)
    if raw.get("method") == "scheduler":
        for key in ("inputPath", "inputTransformer"):
            if key in raw:
                problems.error(
                    (*path, key),
                    f"{key} is for EventBridge rules: a Scheduler schedule sends a fixed input",
                    hint="Use input with method: scheduler, or drop method to use a rule.",
                )
    timezone = raw.get("timezone")
    if isinstance(timezone, str) and "${" not in timezone:
        if raw.get("method") != "scheduler":
            problems.error(
                (*path, "timezone"),
                "timezone needs method: scheduler (EventBridge rules run in UTC)",
                hint="Add `method: scheduler` to use EventBridge Scheduler, or drop timezone.",
            )
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            problems.error(
                (*path, "timezone"),
                f"'{timezone}' is not an IANA time zone",
                hint="Use a name such as Europe/Paris, America/New_York or UTC.",
            )


def _declared_visibility(data: Any, raw: dict[str, Any], path: NodePath) -> tuple[Any, NodePath]:
    """The visibility timeout the manifest gives the queue: under `queue:`, or the
    VisibilityTimeout of the `resources:` queue its arn references."""
    target = reference_target(raw.get("arn"))
    if target is not None:
        queue = as_dict(template_resources(data).get(target[0]))
        visibility = as_dict(queue.get("Properties")).get("VisibilityTimeout")
        return visibility, (*path, "arn")
    return as_dict(raw.get("queue")).get("visibilityTimeout"), (*path, "queue", "visibilityTimeout")


def _visibility(
    data: Any, raw: dict[str, Any], timeout: int, window: int, path: NodePath, problems: Problems
) -> None:
    visibility, where = _declared_visibility(data, raw, path)
    if not isinstance(visibility, int) or isinstance(visibility, bool):
        return
    if visibility < timeout:
        problems.error(
            where,
            f"the queue's visibility timeout ({visibility}s) is shorter than the function's "
            f"timeout ({timeout}s): Lambda refuses such a mapping",
            hint=f"Set visibilityTimeout to at least {VISIBILITY_FACTOR * timeout + window}.",
        )
    elif visibility < VISIBILITY_FACTOR * timeout + window:
        problems.warning(
            where,
            f"the queue's visibility timeout ({visibility}s) is under 6 x the function's "
            f"timeout ({timeout}s) + the batching window ({window}s): a message may be "
            "received again while a retry of its batch still runs",
            hint=f"AWS recommends visibilityTimeout >= {VISIBILITY_FACTOR * timeout + window}.",
        )


def _check_sqs(data: Any, value: Any, path: NodePath, timeout: int, problems: Problems) -> None:
    if isinstance(value, str):
        arn_problem(value, "sqs", path, problems)
        return
    raw = as_dict(value)
    if not raw:
        return
    if "arn" in raw and "queue" in raw:
        problems.error(
            path,
            "give arn (an existing queue) or queue (one the service creates), not both",
            hint="Keep arn to consume an existing queue; keep queue to have it created.",
        )
    elif "arn" not in raw and "queue" not in raw:
        problems.error(
            path,
            "an sqs event needs arn (an existing queue) or queue (a queue to create)",
            hint="Add `queue: orders` to create a queue, or `arn: arn:aws:sqs:...`.",
        )
    arn = raw.get("arn")
    arn_problem(arn, "sqs", (*path, "arn"), problems)
    name = arns.name_of(arn, "sqs") if isinstance(arn, str) else None
    queue = raw.get("queue")
    created = queue if isinstance(queue, str) else as_dict(queue).get("name")
    if isinstance(created, str) and "${" not in created:
        name = created
        if len(created.removesuffix(".fifo")) > MAX_CREATED_QUEUE_NAME:
            problems.error(
                (*path, "queue"),
                f"queue name '{created}' is too long: the dead-letter queue '{created}-dlq' "
                "would pass SQS's 80 characters",
                hint=f"Use at most {MAX_CREATED_QUEUE_NAME} characters.",
            )
    fifo = bool(name and name.endswith(".fifo"))
    batch = raw.get("batchSize")
    window = raw.get("maximumBatchingWindow")
    window = window if isinstance(window, int) else 0
    if isinstance(batch, int) and batch > SQS_BATCH_WITHOUT_WINDOW:
        if fifo:
            problems.error(
                (*path, "batchSize"),
                f"batchSize {batch} is over {FIFO_MAX_BATCH}, the most a FIFO queue's "
                "mapping takes per batch",
                hint=f"Use batchSize 1-{FIFO_MAX_BATCH}.",
            )
        elif window < 1:
            problems.error(
                (*path, "batchSize"),
                f"batchSize {batch} is over {SQS_BATCH_WITHOUT_WINDOW}: SQS mappings take more "
                "only with a batching window",
                hint="Add maximumBatchingWindow: 1 (seconds, up to 300), or use batchSize 1-10.",
            )
    if fifo and window > 0:
        problems.error(
            (*path, "maximumBatchingWindow"),
            "FIFO queues take no batching window",
            hint="Remove maximumBatchingWindow.",
        )
    _visibility(data, raw, timeout, window, path, problems)


def _check_sns(value: Any, path: NodePath, problems: Problems) -> None:
    if isinstance(value, str):
        if arns.is_arn(value):
            arn_problem(value, "sns", path, problems)
        return
    raw = as_dict(value)
    if raw and "arn" not in raw and "topicName" not in raw:
        problems.error(
            path,
            "an sns event needs arn (an existing topic) or topicName (a topic to create)",
            hint="Add `topicName: alerts`, or `arn: arn:aws:sns:...`.",
        )
    arn_problem(raw.get("arn"), "sns", (*path, "arn"), problems)
    redrive = as_dict(raw.get("redrivePolicy"))
    if "deadLetterTargetRef" in redrive:
        problems.error(
            (*path, "redrivePolicy", "deadLetterTargetRef"),
            "deadLetterTargetRef (a CloudFormation logical id) is not supported here",
            hint="Give the queue's ARN as deadLetterTargetArn.",
        )
    dead_letter = redrive.get("deadLetterTargetArn")
    arn_problem(dead_letter, "sqs", (*path, "redrivePolicy", "deadLetterTargetArn"), problems)


def _check_event_bridge(value: Any, path: NodePath, problems: Problems) -> None:
    raw = as_dict(value)
    if raw and "pattern" not in raw and "schedule" not in raw:
        problems.error(
            path,
            "an eventBridge event needs a pattern (events to match) or a schedule",
            hint="Add pattern: {source: [my.app]}, or schedule: rate(5 minutes).",
        )
    bus = raw.get("eventBus")
    if arns.is_arn(bus):
        arn_problem(bus, "events", (*path, "eventBus"), problems)
    if "schedule" in raw:
        check_schedule_expression(raw["schedule"], (*path, "schedule"), problems)
        if bus not in (None, "default") and not str(bus).endswith("event-bus/default"):
            problems.error(
                (*path, "schedule"),
                "EventBridge runs schedules on the default bus only",
                hint="Remove eventBus, or use a `schedule` event.",
            )
    arn_problem(raw.get("deadLetterQueueArn"), "sqs", (*path, "deadLetterQueueArn"), problems)


def _check_response_type(kind: str, value: Any, path: NodePath, problems: Problems) -> None:
    if kind in ("sqs", "stream") or "functionResponseType" not in as_dict(value):
        return
    problems.error(
        (*path, "functionResponseType"),
        f"functionResponseType is for sqs and stream events only: {kind} invokes the "
        "function asynchronously, one event at a time, so there is no batch to report on",
        hint=f"Remove functionResponseType; a failing {kind} invocation is retried, then "
        "sent to destinations.onFailure.",
    )


SAME_REGION = {"sqs": "SQS queue", "stream": "event stream", "eventBridge": "event bus"}


def _check_region(kind: str, value: Any, path: NodePath, region: str, problems: Problems) -> None:
    """Lambda polls queues and streams, and rules target functions, in its own region only."""
    trigger = READERS[kind](value)
    arn = getattr(trigger, "bus_arn" if kind == "eventBridge" else "arn", None)
    if kind not in SAME_REGION or not isinstance(arn, str) or "${" in arn or "${" in region:
        return
    match = arns.region_of(arn)
    if match and match != region:
        problems.error(
            path,
            f"the {SAME_REGION[kind]} is in {match} but the service deploys to {region}: "
            f"AWS connects an {SAME_REGION[kind]} to functions of its own region only",
            hint=f"Deploy the service to {match} (provider.region or --region), or use a "
            f"source in {region}.",
        )


def check_event_sources(data: Any, problems: Problems, region: str | None = None) -> None:
    for name, function in settings.functions_of(data).items():
        timeout = settings.timeout(data, function)
        for index, kind, value in source_entries(function):
            path: NodePath = ("functions", name, "events", index, kind)
            _check_response_type(kind, value, path, problems)
            check_references(data, kind, value, path, problems)
            if region:
                _check_region(kind, value, path, region, problems)
            if kind == "schedule":
                _check_schedule(value, path, problems)
            elif kind == "sqs":
                _check_sqs(data, value, path, timeout, problems)
            elif kind == "stream":
                check_stream(value, path, problems)
            elif kind == "sns":
                _check_sns(value, path, problems)
            else:
                _check_event_bridge(value, path, problems)
