"""The records Lambda writes to destinations: async invocation results, discarded stream batches.

Asynchronous invocations (S3, SNS, EventBridge, schedules) send an invocation
record with the request and the response; stream event source mappings send
the batch's coordinates only (the records stay in the stream), under
`KinesisBatchInfo` or `DDBStreamBatchInfo`.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from wasmdeploy.local.timestamps import iso_milliseconds

AsyncCondition = Literal["Success", "RetriesExhausted", "EventAgeExceeded"]
StreamCondition = Literal["RetryAttemptsExhausted", "RecordAgeExceeded"]


def async_invocation_record(
    *,
    function_arn: str,
    request_id: str,
    condition: AsyncCondition,
    invoke_count: int,
    request_payload: Any,
    response_payload: Any = None,
    function_error: bool = True,
) -> dict[str, Any]:
    """What an asynchronous invocation's onSuccess / onFailure destination receives."""
    response_context: dict[str, Any] = {"statusCode": 200, "executedVersion": "$LATEST"}
    if function_error:
        response_context["functionError"] = "Unhandled"
    record: dict[str, Any] = {
        "version": "1.0",
        "timestamp": iso_milliseconds(),
        "requestContext": {
            "requestId": request_id,
            "functionArn": f"{function_arn}:$LATEST",
            "condition": condition,
            "approximateInvokeCount": invoke_count,
        },
        "requestPayload": request_payload,
        "responseContext": response_context,
    }
    if condition != "EventAgeExceeded" or response_payload is not None:
        record["responsePayload"] = response_payload
    return record


@dataclass(frozen=True)
class BatchInfo:
    """Where a discarded stream batch lies: enough to read it again from the stream."""

    kind: Literal["kinesis", "dynamodb"]
    stream_arn: str
    shard_id: str
    first_sequence: str
    last_sequence: str
    first_arrival: datetime.datetime
    last_arrival: datetime.datetime
    size: int


def stream_batch_record(
    info: BatchInfo,
    *,
    function_arn: str,
    request_id: str,
    condition: StreamCondition,
    invoke_count: int,
    function_error: bool,
) -> dict[str, Any]:
    """What a Kinesis or DynamoDB stream mapping's onFailure destination receives."""
    key = "KinesisBatchInfo" if info.kind == "kinesis" else "DDBStreamBatchInfo"
    response_context: Mapping[str, Any] = {
        "statusCode": 200,
        "executedVersion": "$LATEST",
        "functionError": "Unhandled" if function_error else "",
    }
    return {
        "requestContext": {
            "requestId": request_id,
            "functionArn": function_arn,
            "condition": condition,
            "approximateInvokeCount": invoke_count,
        },
        "responseContext": dict(response_context),
        "version": "1.0",
        "timestamp": iso_milliseconds(),
        key: {
            "shardId": info.shard_id,
            "startSequenceNumber": info.first_sequence,
            "endSequenceNumber": info.last_sequence,
            "approximateArrivalOfFirstRecord": iso_milliseconds(info.first_arrival),
            "approximateArrivalOfLastRecord": iso_milliseconds(info.last_arrival),
            "batchSize": info.size,
            "streamArn": info.stream_arn,
        },
    }
