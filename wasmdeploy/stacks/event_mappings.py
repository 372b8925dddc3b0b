"""Lambda event source mappings: a function polling an SQS queue, a Kinesis or DynamoDB stream.

Every setting of the trigger is passed through. Lambda checks the function's
role can read the source when the mapping is created, so the mapping waits for
the role's event-source policy.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pulumi
import pulumi_aws as aws

from wasmdeploy.manifest.model_events import SqsTrigger, StreamTrigger
from wasmdeploy.stacks.function import WasmFunction

BATCH_RESPONSE = "ReportBatchItemFailures"


@dataclass(frozen=True)
class EventMappingArgs:
    function: WasmFunction
    trigger: SqsTrigger | StreamTrigger
    source_arn: pulumi.Input[str]
    on_failure_arn: pulumi.Input[str] | None = None  # streams: where failed batches are described
    consumer_arn: pulumi.Input[str] | None = None  # Kinesis enhanced fan-out
    depends_on: Sequence[pulumi.Resource] = ()


def _filters(patterns: tuple[dict[str, Any], ...]) -> Any:
    if not patterns:
        return None
    return aws.lambda_.EventSourceMappingFilterCriteriaArgs(
        filters=[
            aws.lambda_.EventSourceMappingFilterCriteriaFilterArgs(
                pattern=json.dumps(p, sort_keys=True)
            )
            for p in patterns
        ]
    )


def sqs_settings(trigger: SqsTrigger) -> dict[str, Any]:
    return {
        "batch_size": trigger.batch_size,
        "maximum_batching_window_in_seconds": trigger.maximum_batching_window or None,
        "function_response_types": [BATCH_RESPONSE] if trigger.report_batch_item_failures else None,
        "scaling_config": (
            aws.lambda_.EventSourceMappingScalingConfigArgs(
                maximum_concurrency=trigger.maximum_concurrency
            )
            if trigger.maximum_concurrency
            else None
        ),
        "filter_criteria": _filters(trigger.filter_patterns),
        "enabled": trigger.enabled,
    }


def stream_settings(
    trigger: StreamTrigger, on_failure_arn: pulumi.Input[str] | None
) -> dict[str, Any]:
    timestamp = trigger.starting_position_timestamp
    return {
        "batch_size": trigger.batch_size,
        "starting_position": trigger.starting_position,
        "starting_position_timestamp": (
            pulumi.Output.from_input(timestamp).apply(_rfc3339) if timestamp is not None else None
        ),
        "maximum_batching_window_in_seconds": trigger.batch_window or None,
        "maximum_retry_attempts": trigger.maximum_retry_attempts,
        "maximum_record_age_in_seconds": trigger.maximum_record_age,
        "bisect_batch_on_function_error": trigger.bisect_batch_on_function_error,
        "parallelization_factor": trigger.parallelization_factor,
        "function_response_types": [BATCH_RESPONSE] if trigger.report_batch_item_failures else None,
        "tumbling_window_in_seconds": trigger.tumbling_window,
        "destination_config": (
            aws.lambda_.EventSourceMappingDestinationConfigArgs(
                on_failure=aws.lambda_.EventSourceMappingDestinationConfigOnFailureArgs(
                    destination_arn=on_failure_arn
                )
            )
            if on_failure_arn is not None
            else None
        ),
        "filter_criteria": _filters(trigger.filter_patterns),
        "enabled": trigger.enabled,
    }


def _rfc3339(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class EventMapping(pulumi.ComponentResource):
    def __init__(
        self, name: str, args: EventMappingArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("wasmdeploy:aws:EventMapping", name, None, opts)
        trigger = args.trigger
        settings = (
            sqs_settings(trigger)
            if isinstance(trigger, SqsTrigger)
            else stream_settings(trigger, args.on_failure_arn)
        )
        self.mapping = aws.lambda_.EventSourceMapping(
            f"{name}-mapping",
            function_name=args.function.arn,
            event_source_arn=args.consumer_arn or args.source_arn,
            **settings,
            opts=pulumi.ResourceOptions(parent=self, depends_on=list(args.depends_on)),
        )
        self.register_outputs({"uuid": self.mapping.uuid})
