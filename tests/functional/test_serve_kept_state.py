"""The local AWS's data outlives the server: saved to the stage's directory, restored at start."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from wasmdeploy.local.aws_snapshot import (
    load_snapshot,
    restore_queues,
    restore_storage,
    save_snapshot,
)
from wasmdeploy.local.local_aws import LocalAws

BUCKET, TABLE, QUEUE, DLQ = (
    "kept-state-bucket",
    "kept-state-table",
    "kept-state-q",
    "kept-state-dlq",
)
ITEM = {"pk": {"S": "a"}, "blob": {"B": b"\x00\xff"}, "n": {"N": "7"}, "l": {"L": [{"S": "x"}]}}


def fill(aws: LocalAws) -> None:
    s3, dynamodb, sqs = aws.client(), aws.client("dynamodb"), aws.client("sqs")
    aws.create_buckets([BUCKET])
    s3.put_object(
        Bucket=BUCKET,
        Key="in/a b.bin",
        Body=b"\x01\x02",
        ContentType="image/png",
        Metadata={"who": "me"},
    )
    s3.put_object(Bucket=BUCKET, Key="same.txt", Body=b"\x01\x02")  # the same body: one blob
    dynamodb.create_table(
        TableName=TABLE,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
    )
    dynamodb.put_item(TableName=TABLE, Item=ITEM)
    dlq_url = sqs.create_queue(QueueName=DLQ)["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])
    redrive = {"deadLetterTargetArn": dlq_arn["Attributes"]["QueueArn"], "maxReceiveCount": 2}
    url = sqs.create_queue(
        QueueName=QUEUE,
        Attributes={"VisibilityTimeout": "45", "RedrivePolicy": json.dumps(redrive)},
    )["QueueUrl"]
    attributes = {"kind": {"DataType": "Binary", "BinaryValue": b"\x07"}}
    sqs.send_message(QueueUrl=url, MessageBody="first", MessageAttributes=attributes)
    sqs.send_message(QueueUrl=url, MessageBody="second")
    # One message is in flight (received, not deleted) when the server stops: it is kept too.
    assert sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1)["Messages"]


def empty(aws: LocalAws) -> None:
    """What a new process's local AWS looks like: none of it."""
    s3, sqs = aws.client(), aws.client("sqs")
    for key in ("in/a b.bin", "same.txt"):
        s3.delete_object(Bucket=BUCKET, Key=key)
    s3.delete_bucket(Bucket=BUCKET)
    aws.client("dynamodb").delete_table(TableName=TABLE)
    for name in (QUEUE, DLQ):
        sqs.delete_queue(QueueUrl=sqs.get_queue_url(QueueName=name)["QueueUrl"])


def received(sqs: Any, url: str) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = []
    for _ in range(5):
        reply = sqs.receive_message(
            QueueUrl=url, MaxNumberOfMessages=10, MessageAttributeNames=["All"]
        )
        messages += reply.get("Messages", [])
    return messages


def test_buckets_tables_and_queued_messages_come_back_after_a_restart(tmp_path: Path) -> None:
    with LocalAws(port=0) as aws:
        fill(aws)
        counts = save_snapshot(aws, tmp_path)
        empty(aws)
        state = load_snapshot(tmp_path)
        assert state is not None
        # moto's state is per process: other tests' resources may be in the snapshot too.
        mine = {bucket["name"]: bucket for bucket in state["buckets"]}[BUCKET]["objects"]
        assert len(mine) == 2 and len({item["blob"] for item in mine}) == 1  # one body, once
        queues = {queue["name"]: queue for queue in state["queues"]}
        assert len(queues[QUEUE]["messages"]) == 2  # the one in flight too
        assert counts.objects >= 2 and counts.items >= 1 and counts.messages >= 2
        for kind, names in (("buckets", {BUCKET}), ("tables", {TABLE}), ("queues", {QUEUE, DLQ})):
            state[kind] = [entry for entry in state[kind] if entry["name"] in names]
        restore_storage(aws, tmp_path, state)
        assert restore_queues(aws, state) == 2

        reply = aws.client().get_object(Bucket=BUCKET, Key="in/a b.bin")
        assert reply["Body"].read() == b"\x01\x02"
        assert reply["ContentType"] == "image/png" and reply["Metadata"] == {"who": "me"}
        dynamodb = aws.client("dynamodb")
        assert dynamodb.get_item(TableName=TABLE, Key={"pk": {"S": "a"}})["Item"] == ITEM
        # Restored items are data, not new changes: the stream stays off until the
        # manifest's setup turns it on.
        table = dynamodb.describe_table(TableName=TABLE)["Table"]
        assert not table.get("StreamSpecification", {}).get("StreamEnabled")
        sqs = aws.client("sqs")
        url = sqs.get_queue_url(QueueName=QUEUE)["QueueUrl"]
        settings = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        assert settings["VisibilityTimeout"] == "45"
        assert json.loads(settings["RedrivePolicy"])["maxReceiveCount"] == 2
        messages = received(sqs, url)
        assert sorted(m["Body"] for m in messages) == ["first", "second"]
        first = next(m for m in messages if m["Body"] == "first")
        assert first["MessageAttributes"]["kind"]["BinaryValue"] == b"\x07"
        empty(aws)


def test_no_snapshot_or_a_foreign_one_restores_nothing(tmp_path: Path) -> None:
    assert load_snapshot(tmp_path) is None
    (tmp_path / "state.json").write_text('{"version": 999}')
    assert load_snapshot(tmp_path) is None
    (tmp_path / "state.json").write_text("{not json")
    assert load_snapshot(tmp_path) is None
