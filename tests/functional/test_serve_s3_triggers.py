"""`serve`'s local S3: matching uploads run the function, which writes to the same S3."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from local_emulation_support import make_function, make_service, python_emulator, write_handler

from wasmdeploy.manifest.model import ObjectOutput, S3Trigger

HANDLER = """
    import json, urllib.parse
    import boto3

    def handler(event, context):
        s3 = boto3.client("s3")  # AWS_ENDPOINT_URL_S3 points it at the local S3
        for record in event["Records"]:
            bucket = record["s3"]["bucket"]["name"]
            key = urllib.parse.unquote_plus(record["s3"]["object"]["key"])
            name = key.split("/")[-1]
            if record["eventName"].startswith("ObjectRemoved"):
                s3.put_object(Bucket="outbox", Key="deleted/" + key, Body=json.dumps(record))
                continue
            data = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
            s3.put_object(Bucket="outbox", Key="processed/" + name, Body=data.upper())
            s3.put_object(Bucket="outbox", Key="events/" + name, Body=json.dumps(event))
        return {"ok": True}
"""


def wait_for_object(s3: Any, bucket: str, key: str, limit: float = 60.0) -> bytes:
    """The object's bytes once it exists (polling, since triggers run asynchronously)."""
    give_up = time.monotonic() + limit
    while True:
        try:
            return s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        except s3.exceptions.NoSuchKey:
            if time.monotonic() > give_up:
                raise
            time.sleep(0.05)


@pytest.fixture(scope="module")
def local_s3(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    root = tmp_path_factory.mktemp("triggers")
    write_handler(root, HANDLER)
    function = make_function(
        root,
        "upper",
        s3_triggers=[
            S3Trigger(
                bucket="inbox", events=("s3:ObjectCreated:*",), prefix="uploads/", suffix=".txt"
            ),
            S3Trigger(bucket="inbox", events=("s3:ObjectRemoved:*",), prefix="uploads/"),
        ],
        output=ObjectOutput(bucket="outbox", key="processed/{basename}"),
    )
    emulator = python_emulator(make_service(root, function))
    emulator.start()
    s3 = boto3.client(
        "s3",
        endpoint_url=emulator.aws.endpoint_url,
        region_name="us-east-1",
        aws_access_key_id="any",
        aws_secret_access_key="any",
    )
    yield s3
    emulator.stop()


def test_manifest_buckets_exist_on_the_local_s3(local_s3: Any) -> None:
    names = {bucket["Name"] for bucket in local_s3.list_buckets()["Buckets"]}
    assert {"inbox", "outbox"} <= names


def test_upload_under_the_trigger_prefix_produces_the_output_object(local_s3: Any) -> None:
    local_s3.put_object(Bucket="inbox", Key="uploads/note.txt", Body=b"hello world")
    assert wait_for_object(local_s3, "outbox", "processed/note.txt") == b"HELLO WORLD"


def test_function_gets_the_s3_event_aws_sends(local_s3: Any) -> None:
    local_s3.put_object(Bucket="inbox", Key="uploads/a b.txt", Body=b"12345")
    event = json.loads(wait_for_object(local_s3, "outbox", "events/a b.txt"))
    record = event["Records"][0]
    assert record["eventSource"] == "aws:s3" and record["eventName"] == "ObjectCreated:Put"
    assert (
        record["s3"]["bucket"]["name"] == "inbox"
        and record["s3"]["bucket"]["arn"] == "arn:aws:s3:::inbox"
    )
    assert record["s3"]["object"]["key"] == "uploads/a+b.txt"
    assert record["s3"]["object"]["size"] == 5
    assert record["s3"]["configurationId"] == "upper-0"


def test_uploads_outside_the_rules_do_not_run_the_function(local_s3: Any) -> None:
    local_s3.put_object(Bucket="inbox", Key="other/skip.txt", Body=b"x")  # wrong prefix
    local_s3.put_object(Bucket="inbox", Key="uploads/skip.bin", Body=b"x")  # wrong suffix
    local_s3.put_object(Bucket="inbox", Key="uploads/marker.txt", Body=b"m")  # sent after them
    wait_for_object(local_s3, "outbox", "processed/marker.txt")
    keys = {item["Key"] for item in local_s3.list_objects_v2(Bucket="outbox").get("Contents", [])}
    assert "processed/skip.txt" not in keys and "processed/skip.bin" not in keys


def test_delete_runs_the_removed_trigger_with_a_delete_event(local_s3: Any) -> None:
    local_s3.put_object(Bucket="inbox", Key="uploads/gone.dat", Body=b"x")
    local_s3.delete_object(Bucket="inbox", Key="uploads/gone.dat")
    record = json.loads(wait_for_object(local_s3, "outbox", "deleted/uploads/gone.dat"))
    assert record["eventName"] == "ObjectRemoved:Delete"
    assert "size" not in record["s3"]["object"]
