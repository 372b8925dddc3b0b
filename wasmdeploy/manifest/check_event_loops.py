"""Asynchronous destinations, and functions that write to the queue, topic or stream that runs them.

A destination (onSuccess, onFailure, a stream's onFailure) that is the function's
own trigger re-runs it with its own result, endlessly; a function allowed by
`provider.iam` to send to its own trigger may do the same; so does one writing to
a bucket (`resources`) whose notifications go to the queue that triggers it.
"""

from __future__ import annotations

import fnmatch
from typing import Any

from wasmdeploy.manifest import arns, settings
from wasmdeploy.manifest import model_events as m
from wasmdeploy.manifest.event_references import (
    is_reference,
    reference_problem,
    referenced_name,
    template_resources,
)
from wasmdeploy.manifest.event_sources import ASYNC_KINDS, READERS, event_kinds, source_entries
from wasmdeploy.manifest.problems import NodePath, Problems
from wasmdeploy.manifest.settings import as_dict, as_list

WRITE_ACTIONS = {
    "sqs": ("sqs:SendMessage", "sqs:SendMessageBatch"),
    "sns": ("sns:Publish",),
    "kinesis": ("kinesis:PutRecord", "kinesis:PutRecords"),
    "events": ("events:PutEvents",),
}
DESTINATION_SERVICES = ("sqs", "sns", "lambda", "events")


def _source_key(trigger: Any) -> tuple[str, str]:
    """(service, resource name) of a trigger's source, as an ARN would name them."""
    if isinstance(trigger, m.SqsTrigger):
        return ("sqs", trigger.queue)
    if isinstance(trigger, m.SnsTrigger):
        return ("sns", trigger.topic)
    if isinstance(trigger, m.StreamTrigger):
        return (trigger.type if trigger.type == "dynamodb" else "kinesis", trigger.stream)
    if isinstance(trigger, m.EventBridgeTrigger):
        return ("events", trigger.event_bus)
    return ("schedule", "")


def _trigger_keys(function: dict[str, Any], data: Any) -> dict[tuple[str, str], int]:
    """(service, resource name) of each queue, topic, stream and bus that runs the function."""
    keys: dict[tuple[str, str], int] = {}
    for index, kind, value in source_entries(function):
        trigger = READERS[kind](value, template_resources(data))
        if trigger is not None:
            keys.setdefault(_source_key(trigger), index)
    return keys


def _check_destination(
    data: Any, name: str, value: Any, path: NodePath, problems: Problems
) -> tuple[str, str] | None:
    """Report a malformed destination; the (service, name) it points at, when known."""
    if isinstance(value, dict):
        target = value.get("arn")
        if is_reference(target):
            return _referenced_destination(
                data, target, value.get("type"), (*path, "arn"), problems
            )
        if not isinstance(target, str):
            problems.error(
                (*path, "arn"),
                "the destination's arn must be an ARN, or a Fn::GetAtt / Ref to resources",
                hint="Write the target's ARN (arn:aws:sqs:..., arn:aws:sns:..., ...).",
            )
            return None
        value = target
    if not isinstance(value, str) or "${" in value:
        return None
    if not arns.is_arn(value):
        if value not in settings.functions_of(data):
            problems.error(
                path,
                f"'{value}' is neither an ARN nor a function of this service",
                hint="Name a function under `functions:`, or give an SQS, SNS, Lambda or "
                "EventBridge bus ARN.",
            )
            return None
        return ("function", value)
    service = arns.service_of(value)
    if service not in DESTINATION_SERVICES:
        problems.error(
            path,
            f"'{value}' cannot be a destination: Lambda sends results to SQS, SNS, Lambda or "
            "an EventBridge bus",
            hint="Give a queue, topic, function or event bus ARN.",
        )
        return None
    try:
        parsed = arns.parse_arn(value, str(service))
    except ValueError as error:
        problems.error(path, str(error))
        return None
    return (parsed.service if parsed.service != "lambda" else "function", parsed.name)


DESTINATION_TYPES = {"function": "lambda", "sqs": "sqs", "sns": "sns", "eventBus": "events"}


def _referenced_destination(
    data: Any, reference: Any, kind: Any, path: NodePath, problems: Problems
) -> tuple[str, str] | None:
    service = DESTINATION_TYPES.get(str(kind))
    if service is None:
        return None  # the schema reports a missing or unknown type
    problem = reference_problem(reference, service, template_resources(data))
    if problem:
        problems.error(path, problem, hint="Point it at a resource of resources.Resources.")
        return None
    name = referenced_name(reference, template_resources(data))
    return (service if service != "lambda" else "function", name) if name else None


def check_async_settings(data: Any, stage: str, problems: Problems) -> None:
    """Destinations point at something real; async settings apply to async sources only."""
    for name, function in settings.functions_of(data).items():
        own = _trigger_keys(function, data)
        custom_name = function.get("name")
        deployed = settings.deployed_name(
            str(as_dict(data).get("service")), stage, name, custom_name
        )
        destinations = as_dict(function.get("destinations"))
        for which in ("onSuccess", "onFailure"):
            if which not in destinations:
                continue
            path: NodePath = ("functions", name, "destinations", which)
            target = _check_destination(data, name, destinations[which], path, problems)
            if target in (("function", name), ("function", deployed)):
                problems.error(
                    path,
                    f"{which} is this function itself: every result would invoke it again",
                    hint="Send results to another function, a queue or a topic.",
                )
            elif target in own:
                problems.error(
                    path,
                    f"{which} sends results to this function's own trigger "
                    f"(events[{own[target]}]): every result would run it again, in a loop",
                    hint="Send results to a queue or topic that does not trigger this function.",
                )
        has_async = bool(event_kinds(function) & set(ASYNC_KINDS))
        for key in ("maximumRetryAttempts", "maximumEventAge", "destinations"):
            if key in function and not has_async:
                problems.warning(
                    ("functions", name, key),
                    f"{key} applies to asynchronous invocations (s3, sns, eventBridge, schedule "
                    "events, or invoke --async); this function has none of those events",
                    hint="Queues and streams retry through their own settings (the queue's "
                    "maxReceiveCount, a stream's maximumRetryAttempts).",
                )
        _check_stream_failures(function, name, own, problems)


def _check_stream_failures(
    function: dict[str, Any], name: str, own: dict[tuple[str, str], int], problems: Problems
) -> None:
    for index, kind, value in source_entries(function):
        if kind != "stream":
            continue
        failure = as_dict(as_dict(value).get("destinations")).get("onFailure")
        target = failure if isinstance(failure, str) else as_dict(failure).get("arn")
        service = arns.service_of(target) if isinstance(target, str) else None
        if service and isinstance(target, str):
            key = (service, arns.name_of(target, service) or "")
            if key in own:
                problems.error(
                    ("functions", name, "events", index, "stream", "destinations", "onFailure"),
                    f"failed batches would go to this function's own trigger "
                    f"(events[{own[key]}]), running it again on its failures",
                    hint="Send failures to a queue or topic this function does not consume.",
                )


def _grants(statement: dict[str, Any], action: str, name: str) -> bool:
    """Whether the statement allows `action` on a resource named `name` (not on "*" alone)."""
    if statement.get("Effect", "Allow") != "Allow":
        return False
    actions = [str(a) for a in as_list(statement.get("Action")) or [statement.get("Action")]]
    resources = [str(r) for r in as_list(statement.get("Resource")) or [statement.get("Resource")]]
    return any(fnmatch.fnmatchcase(action, a) for a in actions) and any(
        r != "*" and fnmatch.fnmatchcase(name, r.rsplit(":", 1)[-1].rsplit("/", 1)[-1])
        for r in resources
    )


def check_writes_to_own_trigger(data: Any, problems: Problems) -> None:
    """Warn when provider.iam lets a function send to the queue/topic/stream that triggers it."""
    statements = [as_dict(s) for s in settings.iam_statements(data)]
    if not statements:
        return
    for name, function in settings.functions_of(data).items():
        for (service, resource), index in _trigger_keys(function, data).items():
            for action in WRITE_ACTIONS.get(service, ()):
                if any(_grants(statement, action, resource) for statement in statements):
                    kind = next(iter(as_dict(as_list(function.get("events"))[index])))
                    problems.warning(
                        ("functions", name, "events", index, kind),
                        f"provider.iam allows {action} on {resource}, which triggers this "
                        "function: what it sends there runs it again, maybe in a loop",
                        hint="Make sure what it sends cannot trigger it again, or narrow the "
                        "statement's Resource.",
                    )
                    break


def _queue_reference(value: Any, resources: dict[str, Any]) -> str | None:
    """A queue named in CloudFormation: its ARN, or `Fn::GetAtt: [LogicalId, Arn]`."""
    if isinstance(value, str):
        return arns.name_of(value, "sqs")
    attribute = as_list(as_dict(value).get("Fn::GetAtt"))
    if len(attribute) == 2 and attribute[1] == "Arn":
        queue = as_dict(resources.get(str(attribute[0])))
        if queue.get("Type") == "AWS::SQS::Queue":
            name = as_dict(queue.get("Properties")).get("QueueName")
            return name if isinstance(name, str) else str(attribute[0])
    return None


def _buckets_notifying_queues(data: Any) -> dict[str, set[str]]:
    """Bucket name -> the queues its S3 notifications go to, from `resources.Resources`."""
    resources = as_dict(as_dict(as_dict(data).get("resources")).get("Resources"))
    found: dict[str, set[str]] = {}
    for resource in resources.values():
        resource = as_dict(resource)
        properties = as_dict(resource.get("Properties"))
        bucket = properties.get("BucketName")
        if resource.get("Type") != "AWS::S3::Bucket" or not isinstance(bucket, str):
            continue
        notifications = as_dict(properties.get("NotificationConfiguration"))
        for entry in as_list(notifications.get("QueueConfigurations")):
            queue = _queue_reference(as_dict(entry).get("Queue"), resources)
            if queue:
                found.setdefault(bucket, set()).add(queue)
    return found


def _writes_to_bucket(data: Any, function: dict[str, Any], bucket: str) -> bool:
    if as_dict(function.get("output")).get("bucket") == bucket:
        return True
    key_arn = f"arn:aws:s3:::{bucket}/key"
    for statement in settings.iam_statements(data):
        if statement.get("Effect", "Allow") != "Allow":
            continue
        actions = [str(a) for a in as_list(statement.get("Action")) or [statement.get("Action")]]
        resources = [
            str(r) for r in as_list(statement.get("Resource")) or [statement.get("Resource")]
        ]
        if any(fnmatch.fnmatchcase("s3:PutObject", a) for a in actions) and any(
            r.split(":::", 1)[-1] not in ("*", "*/*") and fnmatch.fnmatchcase(key_arn, r)
            for r in resources
        ):
            return True
    return False


def check_bucket_queue_loops(data: Any, problems: Problems) -> None:
    """A function writing to a bucket whose notifications feed the queue that triggers it."""
    buckets = _buckets_notifying_queues(data)
    if not buckets:
        return
    for name, function in settings.functions_of(data).items():
        for (service, queue), index in _trigger_keys(function, data).items():
            for bucket, queues in buckets.items():
                if (
                    service == "sqs"
                    and queue in queues
                    and _writes_to_bucket(data, function, bucket)
                ):
                    problems.error(
                        ("functions", name, "events", index, "sqs"),
                        f"this function writes to bucket {bucket}, whose notifications go to "
                        f"queue {queue}, which triggers this function: S3 -> SQS -> function "
                        "runs endlessly",
                        hint="Write to another bucket, or give the bucket's QueueConfigurations a "
                        "Filter the function's keys cannot match.",
                    )
