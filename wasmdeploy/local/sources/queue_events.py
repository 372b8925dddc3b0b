"""The events Lambda builds from SQS messages, SNS notifications, EventBridge events and schedules.

Each function takes what the local AWS returned (a `ReceiveMessage` message, the
SNS envelope an SQS subscription receives, an EventBridge event) and gives the
event exactly as AWS sends it to a function: every field, AWS's spelling.
"""

from __future__ import annotations

import base64
import datetime
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from wasmdeploy.local.lambda_environment import LOCAL_ACCOUNT_ID
from wasmdeploy.local.timestamps import iso_milliseconds

# What the pollers ask ReceiveMessage for, so every attribute Lambda passes on is there.
RECEIVE_ATTRIBUTES: dict[str, Any] = {
    "AttributeNames": ["All"],
    "MessageSystemAttributeNames": ["All"],
    "MessageAttributeNames": ["All"],
}


def sqs_event(messages: Iterable[Mapping[str, Any]], *, queue_arn: str, region: str) -> dict:
    """`{"Records": [...]}` for a batch of received messages, as Lambda's SQS poller sends it."""
    return {"Records": [sqs_record(m, queue_arn=queue_arn, region=region) for m in messages]}


def sqs_record(message: Mapping[str, Any], *, queue_arn: str, region: str) -> dict[str, Any]:
    record: dict[str, Any] = {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message.get("Body", ""),
        "attributes": dict(message.get("Attributes", {})),
        "messageAttributes": {
            name: _message_attribute(value)
            for name, value in message.get("MessageAttributes", {}).items()
        },
        "md5OfBody": message.get("MD5OfBody", ""),
    }
    if message.get("MD5OfMessageAttributes"):
        record["md5OfMessageAttributes"] = message["MD5OfMessageAttributes"]
    record.update(eventSource="aws:sqs", eventSourceARN=queue_arn, awsRegion=region)
    return record


def _message_attribute(value: Mapping[str, Any]) -> dict[str, Any]:
    """SQS's `StringValue`/`BinaryValue` become Lambda's camel-case fields, binary as base64."""
    attribute: dict[str, Any] = {}
    if "StringValue" in value:
        attribute["stringValue"] = value["StringValue"]
    if "BinaryValue" in value:
        attribute["binaryValue"] = _base64(value["BinaryValue"])
    attribute["stringListValues"] = list(value.get("StringListValues", []))
    attribute["binaryListValues"] = [_base64(item) for item in value.get("BinaryListValues", [])]
    attribute["dataType"] = value.get("DataType", "String")
    return attribute


def _base64(value: bytes | str) -> str:
    data = value.encode() if isinstance(value, str) else value
    return base64.b64encode(data).decode("ascii")


def sns_event(envelope: Mapping[str, Any], *, subscription_arn: str) -> dict[str, Any]:
    """The SNS event Lambda gets, from the JSON envelope SNS delivers to an SQS subscription."""
    notification = {
        "SignatureVersion": envelope.get("SignatureVersion", "1"),
        "Timestamp": envelope.get("Timestamp") or _now_iso(milliseconds=True),
        "Signature": envelope.get("Signature", ""),
        "SigningCertUrl": envelope.get("SigningCertURL", envelope.get("SigningCertUrl", "")),
        "MessageId": envelope.get("MessageId") or str(uuid.uuid4()),
        "Message": envelope.get("Message", ""),
        "MessageAttributes": dict(envelope.get("MessageAttributes", {})),
        "Type": envelope.get("Type", "Notification"),
        "UnsubscribeUrl": envelope.get("UnsubscribeURL", envelope.get("UnsubscribeUrl", "")),
        "TopicArn": envelope.get("TopicArn", ""),
        "Subject": envelope.get("Subject"),
    }
    return {
        "Records": [
            {
                "EventVersion": "1.0",
                "EventSubscriptionArn": subscription_arn,
                "EventSource": "aws:sns",
                "Sns": notification,
            }
        ]
    }


def eventbridge_event(event: Mapping[str, Any], *, region: str) -> dict[str, Any]:
    """An EventBridge event with every top-level field AWS sends (the local bus omits `account`)."""
    return {
        "version": event.get("version", "0"),
        "id": event.get("id") or str(uuid.uuid4()),
        "detail-type": event.get("detail-type", ""),
        "source": event.get("source", ""),
        "account": event.get("account") or LOCAL_ACCOUNT_ID,
        "time": event.get("time") or _now_iso(),
        "region": event.get("region") or region,
        "resources": list(event.get("resources", [])),
        "detail": event.get("detail", {}),
    }


def scheduled_event(*, rule_arn: str, region: str, at: datetime.datetime | None = None) -> dict:
    """The event a schedule sends its target: EventBridge's "Scheduled Event"."""
    when = at or datetime.datetime.now(datetime.UTC)
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": LOCAL_ACCOUNT_ID,
        "time": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": region,
        "resources": [rule_arn],
        "detail": {},
    }


def select_input(event: Any, *, input_value: Any = None, input_path: str | None = None) -> Any:
    """A rule target's `Input` (replaces the event) or `InputPath` (`$.detail.x`) applied."""
    if input_value is not None:
        return input_value
    if not input_path or input_path == "$":
        return event
    selected = event
    for part in input_path.removeprefix("$.").split("."):
        if not isinstance(selected, Mapping) or part not in selected:
            return None
        selected = selected[part]
    return selected


def _now_iso(*, milliseconds: bool = False) -> str:
    now = datetime.datetime.now(datetime.UTC)
    if milliseconds:
        return iso_milliseconds(now)
    return now.strftime("%Y-%m-%dT%H:%M:%SZ")
