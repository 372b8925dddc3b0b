"""The local AWS's data kept between runs of `serve`: buckets and objects, DynamoDB tables and
items, SQS queues and the messages still in them.

moto keeps everything in memory, so `save_snapshot` writes it out when `serve` stops and
the restore functions put it back when `serve` starts, under
`.wasmdeploy/local/aws-<stage>/` beside the manifest: `state.json` (names, attributes,
items, messages) and `objects/<sha256>` (object bodies, stored once per content).
`state.json` is replaced atomically, after the bodies it names are written.

What is restored is data, not change records: tables come back with their stream off (the
manifest's setup turns it on again), so restored items do not reach stream functions as new
inserts; Kinesis records are not kept for the same reason (they would come back as new
records). Messages still queued (visible or in flight when `serve` stopped) are sent again,
so at-least-once holds across a restart. SNS topics, EventBridge buses and rules hold no
data: the manifest's setup creates them again.

moto's own recorder is not used: it replays every request it logged, so a restart would
replay deletes and SQS receives and deletes whose receipt handles no longer exist, and its
log grows with every request; a snapshot of what is there restores exactly that.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wasmdeploy.local.lambda_environment import LOCAL_ACCOUNT_ID
from wasmdeploy.local.local_aws import LocalAws

STATE_FILE = "state.json"
OBJECTS_DIR = "objects"
FORMAT_VERSION = 1
# The queue attributes CreateQueue accepts (the rest are figures SQS computes).
QUEUE_SETTINGS = (
    "DelaySeconds",
    "MaximumMessageSize",
    "MessageRetentionPeriod",
    "ReceiveMessageWaitTimeSeconds",
    "VisibilityTimeout",
    "FifoQueue",
    "ContentBasedDeduplication",
)


@dataclass(frozen=True)
class SnapshotCounts:
    objects: int = 0
    items: int = 0
    messages: int = 0

    def describe(self) -> str:
        return ", ".join(
            _counted(count, noun)
            for count, noun in (
                (self.objects, "object"),
                (self.items, "item"),
                (self.messages, "queued message"),
            )
        )


def _counted(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def save_snapshot(aws: LocalAws, directory: Path) -> SnapshotCounts:
    """Write what the local AWS holds to `directory` (its state file replaced atomically)."""
    blobs = directory / OBJECTS_DIR
    blobs.mkdir(parents=True, exist_ok=True)
    buckets = _buckets(aws.client("s3"), blobs)
    state: dict[str, Any] = {
        "version": FORMAT_VERSION,
        "buckets": buckets,
        "tables": _tables(aws.client("dynamodb")),
        "queues": _queues(aws),
    }
    staged = directory / f"{STATE_FILE}.{os.getpid()}.tmp"
    staged.write_text(json.dumps(_encode(state)), encoding="utf-8")
    os.replace(staged, directory / STATE_FILE)
    kept = {item["blob"] for bucket in buckets for item in bucket["objects"]}
    for blob in blobs.iterdir():
        if blob.name not in kept:
            blob.unlink(missing_ok=True)
    return _counts(state)


def load_snapshot(directory: Path) -> dict[str, Any] | None:
    """The saved state, or None when there is none (or it is from another format)."""
    try:
        state = _decode(json.loads((directory / STATE_FILE).read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return None
    return state if isinstance(state, dict) and state.get("version") == FORMAT_VERSION else None


def restore_storage(aws: LocalAws, directory: Path, state: dict[str, Any]) -> SnapshotCounts:
    """Buckets with their objects, tables with their items (streams off): run before the
    manifest's resources are created, so its setup finds them and turns streams on."""
    s3 = aws.client("s3")
    existing = {bucket["Name"] for bucket in s3.list_buckets().get("Buckets", [])}
    for bucket in state["buckets"]:
        if bucket["name"] not in existing:
            aws.create_buckets([bucket["name"]])
        for item in bucket["objects"]:
            s3.put_object(
                Bucket=bucket["name"],
                Key=item["key"],
                Body=(directory / OBJECTS_DIR / item["blob"]).read_bytes(),
                ContentType=item["content_type"],
                Metadata=item["metadata"],
            )
    dynamodb = aws.client("dynamodb")
    tables = set(dynamodb.list_tables().get("TableNames", []))
    for table in state["tables"]:
        if table["name"] not in tables:
            dynamodb.create_table(
                TableName=table["name"],
                KeySchema=table["key_schema"],
                AttributeDefinitions=table["attribute_definitions"],
                BillingMode="PAY_PER_REQUEST",
            )
        for item in table["items"]:
            dynamodb.put_item(TableName=table["name"], Item=item)
    return _counts(state, queues=False)


def restore_queues(aws: LocalAws, state: dict[str, Any]) -> int:
    """The queues (created if the manifest did not) and their messages, sent again; run once
    the manifest's queues exist, so their own settings win. The number of messages sent."""
    sqs = aws.client("sqs")
    urls: dict[str, str] = {}
    for queue in state["queues"]:
        try:
            urls[queue["name"]] = sqs.get_queue_url(QueueName=queue["name"])["QueueUrl"]
        except sqs.exceptions.QueueDoesNotExist:
            settings = {k: v for k, v in queue["attributes"].items() if k in QUEUE_SETTINGS}
            urls[queue["name"]] = sqs.create_queue(QueueName=queue["name"], Attributes=settings)[
                "QueueUrl"
            ]
            if "RedrivePolicy" in queue["attributes"]:
                redrive = {"RedrivePolicy": queue["attributes"]["RedrivePolicy"]}
                sqs.set_queue_attributes(QueueUrl=urls[queue["name"]], Attributes=redrive)
    sent = 0
    for queue in state["queues"]:
        fifo = queue["name"].endswith(".fifo")
        for message in queue["messages"]:
            extra: dict[str, Any] = {}
            if message["attributes"]:
                extra["MessageAttributes"] = message["attributes"]
            if fifo:
                extra["MessageGroupId"] = message["group_id"] or "default"
                extra["MessageDeduplicationId"] = message["deduplication_id"] or message["id"]
            sqs.send_message(QueueUrl=urls[queue["name"]], MessageBody=message["body"], **extra)
            sent += 1
    return sent


def _buckets(s3: Any, blobs: Path) -> list[dict[str, Any]]:
    buckets = []
    for bucket in s3.list_buckets().get("Buckets", []):
        objects = []
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket["Name"]):
            for entry in page.get("Contents", []):
                reply = s3.get_object(Bucket=bucket["Name"], Key=entry["Key"])
                body = reply["Body"].read()
                digest = hashlib.sha256(body).hexdigest()
                if not (blobs / digest).is_file():
                    staged = blobs / f"{digest}.tmp"
                    staged.write_bytes(body)
                    os.replace(staged, blobs / digest)
                objects.append(
                    {
                        "key": entry["Key"],
                        "blob": digest,
                        "content_type": reply.get("ContentType", "binary/octet-stream"),
                        "metadata": reply.get("Metadata", {}),
                    }
                )
        buckets.append({"name": bucket["Name"], "objects": objects})
    return buckets


def _tables(dynamodb: Any) -> list[dict[str, Any]]:
    tables = []
    for name in dynamodb.list_tables().get("TableNames", []):
        description = dynamodb.describe_table(TableName=name)["Table"]
        items = []
        for page in dynamodb.get_paginator("scan").paginate(TableName=name):
            items.extend(page.get("Items", []))
        tables.append(
            {
                "name": name,
                "key_schema": description["KeySchema"],
                "attribute_definitions": description["AttributeDefinitions"],
                "items": items,
            }
        )
    return tables


def _queues(aws: LocalAws) -> list[dict[str, Any]]:
    """Every queue with every message in it, visible or not: SQS's API cannot list the
    messages in flight, so they are read from moto's backend (it runs in this process)."""
    from moto.sqs.models import sqs_backends

    backend = sqs_backends[LOCAL_ACCOUNT_ID][aws.region]
    queues = []
    for queue in list(backend.queues.values()):
        with queue._messages_lock:
            messages = list(queue._messages)
        queues.append(
            {
                "name": queue.name,
                "attributes": {
                    key: _attribute_text(value)
                    for key, value in queue.attributes.items()
                    if key in (*QUEUE_SETTINGS, "RedrivePolicy") and value not in (None, "")
                },
                "messages": [
                    {
                        "id": message.id,
                        "body": message.body,
                        "attributes": message.message_attributes,
                        "group_id": message.group_id,
                        "deduplication_id": message.deduplication_id,
                    }
                    for message in messages
                ],
            }
        )
    return queues


def _attribute_text(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def _counts(state: dict[str, Any], *, queues: bool = True) -> SnapshotCounts:
    return SnapshotCounts(
        objects=sum(len(bucket["objects"]) for bucket in state["buckets"]),
        items=sum(len(table["items"]) for table in state["tables"]),
        messages=sum(len(queue["messages"]) for queue in state["queues"]) if queues else 0,
    )


def _encode(value: Any) -> Any:
    """JSON for DynamoDB items and message attributes: bytes as {"$base64": ...}."""
    if isinstance(value, bytes | bytearray):
        return {"$base64": base64.b64encode(value).decode()}
    if isinstance(value, dict):
        return {key: _encode(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set):
        return [_encode(item) for item in value]
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"$base64"}:
            return base64.b64decode(value["$base64"])
        return {key: _decode(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_decode(item) for item in value]
    return value
