"""moto handlers for event-source resources: queues, streams, topics, buses, rules, mappings.

Registered into `MotoMocks.handlers`; each creates the resource in moto with the
inputs the program registered and returns moto's own ids and ARNs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import boto3

State = dict[str, Any]
Handler = Callable[[str, str, State], tuple[str, State]]


def _compact(values: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not None}


def _int(value: Any) -> int | None:
    """Pulumi's mocks pass numbers as floats; AWS takes integers."""
    return None if value is None else int(value)


def _queue(name: str, region: str, inputs: State) -> tuple[str, State]:
    sqs = boto3.client("sqs", region_name=region)
    attributes = _compact(
        {
            "FifoQueue": "true" if inputs.get("fifoQueue") else None,
            "VisibilityTimeout": str(_int(inputs["visibilityTimeoutSeconds"])),
            "MessageRetentionPeriod": str(_int(inputs["messageRetentionSeconds"])),
            "RedrivePolicy": inputs.get("redrivePolicy"),
            "SqsManagedSseEnabled": "true" if inputs.get("sqsManagedSseEnabled") else None,
        }
    )
    url = sqs.create_queue(QueueName=inputs["name"], Attributes=attributes)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    return url, {"arn": arn, "url": url}


def _stream(name: str, region: str, inputs: State) -> tuple[str, State]:
    kinesis = boto3.client("kinesis", region_name=region)
    mode = inputs["streamModeDetails"]["streamMode"]
    kinesis.create_stream(StreamName=inputs["name"], StreamModeDetails={"StreamMode": mode})
    summary = kinesis.describe_stream_summary(StreamName=inputs["name"])
    arn = summary["StreamDescriptionSummary"]["StreamARN"]
    if inputs.get("encryptionType") == "KMS":
        kinesis.start_stream_encryption(
            StreamName=inputs["name"], EncryptionType="KMS", KeyId=inputs["kmsKeyId"]
        )
    return arn, {"arn": arn}


def _consumer(name: str, region: str, inputs: State) -> tuple[str, State]:
    consumer = boto3.client("kinesis", region_name=region).register_stream_consumer(
        StreamARN=inputs["streamArn"], ConsumerName=inputs["name"]
    )["Consumer"]
    return consumer["ConsumerARN"], {"arn": consumer["ConsumerARN"]}


def _topic(name: str, region: str, inputs: State) -> tuple[str, State]:
    attributes = _compact(
        {"DisplayName": inputs.get("displayName"), "KmsMasterKeyId": inputs.get("kmsMasterKeyId")}
    )
    arn = boto3.client("sns", region_name=region).create_topic(
        Name=inputs["name"], Attributes=attributes
    )["TopicArn"]
    return arn, {"arn": arn}


def _subscription(name: str, region: str, inputs: State) -> tuple[str, State]:
    attributes = _compact(
        {
            "FilterPolicy": inputs.get("filterPolicy"),
            "FilterPolicyScope": inputs.get("filterPolicyScope"),
            "RedrivePolicy": inputs.get("redrivePolicy"),
        }
    )
    arn = boto3.client("sns", region_name=region).subscribe(
        TopicArn=inputs["topic"],
        Protocol=inputs["protocol"],
        Endpoint=inputs["endpoint"],
        Attributes=attributes,
        ReturnSubscriptionArn=True,
    )["SubscriptionArn"]
    return arn, {"arn": arn}


def _bus(name: str, region: str, inputs: State) -> tuple[str, State]:
    arn = boto3.client("events", region_name=region).create_event_bus(Name=inputs["name"])[
        "EventBusArn"
    ]
    return inputs["name"], {"arn": arn}


def _rule(name: str, region: str, inputs: State) -> tuple[str, State]:
    arn = boto3.client("events", region_name=region).put_rule(
        **_compact(
            {
                "Name": inputs["name"],
                "EventBusName": inputs.get("eventBusName"),
                "EventPattern": inputs.get("eventPattern"),
                "ScheduleExpression": inputs.get("scheduleExpression"),
                "State": inputs.get("state"),
                "Description": inputs.get("description"),
            }
        )
    )["RuleArn"]
    return inputs["name"], {"arn": arn}


def _target(name: str, region: str, inputs: State) -> tuple[str, State]:
    transformer = inputs.get("inputTransformer")
    retry = inputs.get("retryPolicy")
    dead_letter = inputs.get("deadLetterConfig")
    target = _compact(
        {
            "Id": name[:64],
            "Arn": inputs["arn"],
            "Input": inputs.get("input"),
            "InputPath": inputs.get("inputPath"),
            "InputTransformer": _compact(
                {
                    "InputPathsMap": transformer.get("inputPaths"),
                    "InputTemplate": transformer["inputTemplate"],
                }
            )
            if transformer
            else None,
            "RetryPolicy": _compact(
                {
                    "MaximumRetryAttempts": _int(retry.get("maximumRetryAttempts")),
                    "MaximumEventAgeInSeconds": _int(retry.get("maximumEventAgeInSeconds")),
                }
            )
            if retry
            else None,
            "DeadLetterConfig": {"Arn": dead_letter["arn"]} if dead_letter else None,
        }
    )
    boto3.client("events", region_name=region).put_targets(
        **_compact(
            {
                "Rule": inputs["rule"],
                "EventBusName": inputs.get("eventBusName"),
                "Targets": [target],
            }
        )
    )
    return f"{inputs['rule']}-{name}", {"targetId": name[:64]}


def _mapping(name: str, region: str, inputs: State) -> tuple[str, State]:
    """moto maps streams, not Kinesis consumers: a consumer's mapping is made on its stream
    (tests read the consumer ARN from the registered inputs)."""
    source = str(inputs["eventSourceArn"]).split("/consumer/", 1)[0]
    scaling = inputs.get("scalingConfig")
    filters = inputs.get("filterCriteria")
    destination = inputs.get("destinationConfig")
    mapping = boto3.client("lambda", region_name=region).create_event_source_mapping(
        **_compact(
            {
                "FunctionName": inputs["functionName"],
                "EventSourceArn": source,
                "BatchSize": _int(inputs.get("batchSize")),
                "Enabled": inputs.get("enabled"),
                "StartingPosition": inputs.get("startingPosition"),
                "MaximumBatchingWindowInSeconds": _int(
                    inputs.get("maximumBatchingWindowInSeconds")
                ),
                "MaximumRetryAttempts": _int(inputs.get("maximumRetryAttempts")),
                "MaximumRecordAgeInSeconds": _int(inputs.get("maximumRecordAgeInSeconds")),
                "BisectBatchOnFunctionError": inputs.get("bisectBatchOnFunctionError"),
                "ParallelizationFactor": _int(inputs.get("parallelizationFactor")),
                "TumblingWindowInSeconds": _int(inputs.get("tumblingWindowInSeconds")),
                "FunctionResponseTypes": inputs.get("functionResponseTypes"),
                "ScalingConfig": {"MaximumConcurrency": _int(scaling["maximumConcurrency"])}
                if scaling
                else None,
                "FilterCriteria": {
                    "Filters": [{"Pattern": f["pattern"]} for f in filters["filters"]]
                }
                if filters
                else None,
                "DestinationConfig": {
                    "OnFailure": {"Destination": destination["onFailure"]["destinationArn"]}
                }
                if destination
                else None,
            }
        )
    )
    return mapping["UUID"], {"uuid": mapping["UUID"], "functionArn": mapping["FunctionArn"]}


def _invoke_config(name: str, region: str, inputs: State) -> tuple[str, State]:
    destinations = inputs.get("destinationConfig") or {}
    config = {
        key: {"Destination": destinations[field]["destination"]}
        for key, field in (("OnFailure", "onFailure"), ("OnSuccess", "onSuccess"))
        if destinations.get(field)
    }
    boto3.client("lambda", region_name=region).put_function_event_invoke_config(
        **_compact(
            {
                "FunctionName": inputs["functionName"],
                "MaximumRetryAttempts": _int(inputs.get("maximumRetryAttempts")),
                "MaximumEventAgeInSeconds": _int(inputs.get("maximumEventAgeInSeconds")),
                "DestinationConfig": config or None,
            }
        )
    )
    return inputs["functionName"], {}


def _schedule(name: str, region: str, inputs: State) -> tuple[str, State]:
    target = inputs["target"]
    arn = boto3.client("scheduler", region_name=region).create_schedule(
        **_compact(
            {
                "Name": inputs["name"],
                "ScheduleExpression": inputs["scheduleExpression"],
                "ScheduleExpressionTimezone": inputs.get("scheduleExpressionTimezone"),
                "Description": inputs.get("description"),
                "State": inputs.get("state"),
                "FlexibleTimeWindow": {"Mode": inputs["flexibleTimeWindow"]["mode"]},
                "Target": _compact(
                    {
                        "Arn": target["arn"],
                        "RoleArn": target["roleArn"],
                        "Input": target.get("input"),
                    }
                ),
            }
        )
    )["ScheduleArn"]
    return inputs["name"], {"arn": arn}


def event_handlers() -> dict[str, Handler]:
    return {
        "aws:sqs/queue:Queue": _queue,
        "aws:kinesis/stream:Stream": _stream,
        "aws:kinesis/streamConsumer:StreamConsumer": _consumer,
        "aws:sns/topic:Topic": _topic,
        "aws:sns/topicSubscription:TopicSubscription": _subscription,
        "aws:cloudwatch/eventBus:EventBus": _bus,
        "aws:cloudwatch/eventRule:EventRule": _rule,
        "aws:cloudwatch/eventTarget:EventTarget": _target,
        "aws:lambda/eventSourceMapping:EventSourceMapping": _mapping,
        "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig": _invoke_config,
        "aws:scheduler/schedule:Schedule": _schedule,
    }
