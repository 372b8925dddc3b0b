"""Derived values of queue, stream, topic and EventBridge events: ids, hashes, encodings, times.

The records are built here, one per `count`, with every field the service sends:
SQS `receive-message`, Kinesis `get-records`, DynamoDB `update`, SNS `notification`,
CloudWatch `scheduled-event` and EventBridge `event`.
"""

from __future__ import annotations

import base64
import hashlib
import json
import time
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from wasmdeploy.local.timestamps import iso_milliseconds


def _json(text: Any, what: str) -> Any:
    if not isinstance(text, str):
        return text
    try:
        return json.loads(text, parse_float=Decimal)
    except ValueError as error:
        raise ValueError(f"{what} is not JSON: {error}") from error


def sqs_values(event: str, values: Mapping[str, Any]) -> dict[str, Any]:
    region, queue = values["region"], values["queue_name"]
    arn = f"arn:{values['partition']}:sqs:{region}:{values['account_id']}:{queue}"
    body = str(values["body"])
    now_ms = int(time.time() * 1000)
    records = [
        {
            "messageId": str(uuid.uuid4()),
            "receiptHandle": base64.b64encode(uuid.uuid4().bytes * 4).decode(),
            "body": body,
            "attributes": {
                "ApproximateReceiveCount": "1",
                "SentTimestamp": str(now_ms),
                "SenderId": "AIDAWASMDEPLOYLOCAL",
                "ApproximateFirstReceiveTimestamp": str(now_ms + 2),
            },
            "messageAttributes": {},
            "md5OfBody": hashlib.md5(body.encode()).hexdigest(),
            "eventSource": "aws:sqs",
            "eventSourceARN": arn,
            "awsRegion": region,
        }
        for _ in range(int(values["count"]))
    ]
    return {"records": records}


def kinesis_values(event: str, values: Mapping[str, Any]) -> dict[str, Any]:
    region, stream = values["region"], values["stream"]
    partition, account = values["partition"], values["account_id"]
    data = base64.b64encode(str(values["data"]).encode()).decode()
    arrival = time.time()
    records = []
    for index in range(int(values["count"])):
        sequence = str(int(values["sequence"]) + index)
        records.append(
            {
                "kinesis": {
                    "kinesisSchemaVersion": "1.0",
                    "partitionKey": str(values["partition_key"]),
                    "sequenceNumber": sequence,
                    "data": data,
                    "approximateArrivalTimestamp": round(arrival + index / 1000, 3),
                },
                "eventSource": "aws:kinesis",
                "eventVersion": "1.0",
                "eventID": f"shardId-000000000000:{sequence}",
                "eventName": "aws:kinesis:record",
                "invokeIdentityArn": f"arn:{partition}:iam::{account}:role/lambda-role",
                "awsRegion": region,
                "eventSourceARN": f"arn:{partition}:kinesis:{region}:{account}:stream/{stream}",
            }
        )
    return {"records": records}


def dynamodb_values(event: str, values: Mapping[str, Any]) -> dict[str, Any]:
    from boto3.dynamodb.types import TypeSerializer  # boto3 costs ~80 ms: only when asked

    serialize = TypeSerializer().serialize
    region, table = values["region"], values["table"]
    keys = _json(values["keys"], "--keys")
    new_image = {**_json(values["new_image"], "--new-image"), **keys}
    old_image = {**_json(values["old_image"], "--old-image"), **keys}
    image = {name: serialize(value) for name, value in new_image.items()}
    record = {
        "eventID": uuid.uuid4().hex,
        "eventName": "MODIFY",
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": region,
        "dynamodb": {
            "ApproximateCreationDateTime": int(time.time()),
            "Keys": {name: serialize(value) for name, value in keys.items()},
            "NewImage": image,
            "OldImage": {name: serialize(value) for name, value in old_image.items()},
            "SequenceNumber": str(time.time_ns())[-21:],
            "SizeBytes": len(json.dumps(image)),
            "StreamViewType": "NEW_AND_OLD_IMAGES",
        },
        "eventSourceARN": (
            f"arn:{values['partition']}:dynamodb:{region}:{values['account_id']}:table/{table}/stream/"
            f"{iso_milliseconds().removesuffix('Z')}"
        ),
    }
    return {"records": [record]}


def sns_values(event: str, values: Mapping[str, Any]) -> dict[str, Any]:
    region, topic = values["region"], values["topic"]
    topic_arn = f"arn:{values['partition']}:sns:{region}:{values['account_id']}:{topic}"
    subscription = f"{topic_arn}:{uuid.uuid4()}"
    record = {
        "EventSource": "aws:sns",
        "EventVersion": "1.0",
        "EventSubscriptionArn": subscription,
        "Sns": {
            "Type": "Notification",
            "MessageId": str(uuid.uuid4()),
            "TopicArn": topic_arn,
            "Subject": values["subject"] or None,
            "Message": str(values["message"]),
            "Timestamp": iso_milliseconds(),
            "SignatureVersion": "1",
            "Signature": base64.b64encode(hashlib.sha256(subscription.encode()).digest()).decode(),
            "SigningCertUrl": f"https://sns.{region}.amazonaws.com/SimpleNotificationService.pem",
            "UnsubscribeUrl": (
                f"https://sns.{region}.amazonaws.com/?Action=Unsubscribe"
                f"&SubscriptionArn={subscription}"
            ),
            "MessageAttributes": {},
        },
    }
    return {"records": [record]}


def eventbridge_values(event: str, values: Mapping[str, Any]) -> dict[str, Any]:
    region = values["region"]
    scheduled = event == "scheduled-event"
    rule_arn = f"arn:{values['partition']}:events:{region}:{values['account_id']}:rule/"
    resources = [rule_arn + str(values["rule"])] if scheduled else []
    detail = {} if scheduled else _json(values["detail"], "--detail")
    return {
        "event_id": str(uuid.uuid4()),
        "account": values["account_id"],
        "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "resources": resources,
        "detail_value": json.loads(json.dumps(detail, default=float)),
        "detail_type": "Scheduled Event" if scheduled else values["detail_type"],
        "source": "aws.events" if scheduled else values["source"],
    }


SOURCE_DERIVERS: dict[str, Callable[[str, Mapping[str, Any]], dict[str, Any]]] = {
    "sqs": sqs_values,
    "kinesis": kinesis_values,
    "dynamodb": dynamodb_values,
    "sns": sns_values,
    "cloudwatch": eventbridge_values,
    "eventbridge": eventbridge_values,
}
