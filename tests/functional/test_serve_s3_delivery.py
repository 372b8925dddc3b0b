"""S3 triggers deliver as S3 and Lambda do: one event per object created (a multipart
upload included), and at least once: a failed run is retried, and an event that keeps
failing is kept and said so, never dropped. Under `serve` the events go through the
functions' asynchronous queues; the triggers alone keep the notification themselves."""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote_plus

import pytest
from boto3.s3.transfer import TransferConfig
from local_emulation_support import (
    AWSLAMBDARIC,
    LogCollector,
    make_function,
    make_service,
    python_emulator,
    write_handler,
)

from tests.required_tools import console_script
from wasmdeploy.local.emulator import LocalEmulator, create_pools
from wasmdeploy.local.local_aws import LocalAws
from wasmdeploy.local.s3_triggers import S3TriggerDispatcher
from wasmdeploy.manifest.model import S3Trigger

INBOX, RUNS = "delivery-inbox", "delivery-runs"
DIRECT_INBOX, DIRECT_RUNS = "dispatch-inbox", "dispatch-runs"
DIRECT_QUEUE = "dispatch-s3-events"  # moto's state is per process: not the emulator's queue
MIB = 1024 * 1024

# Every run is recorded under runs/<key>/<n>; keys say how the run should go.
HANDLER = """
    import json, os, urllib.parse, uuid
    from pathlib import Path
    import boto3

    def handler(event, context):
        s3 = boto3.client("s3")
        record = event["Records"][0]
        key = urllib.parse.unquote_plus(record["s3"]["object"]["key"])
        s3.put_object(Bucket="delivery-runs", Key=f"runs/{key}/{uuid.uuid4()}",
                      Body=json.dumps(record))
        marker = Path(os.environ["MARKS"]) / key.replace("/", "_")
        if "fail-once" in key and not marker.exists():
            marker.write_text("failed")
            raise RuntimeError("the first run fails")
        if "fail-always" in key:
            raise RuntimeError("every run fails")
        return {"ok": True}
"""


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalEmulator]:
    root = tmp_path_factory.mktemp("delivery")
    marks = root / "marks"
    marks.mkdir()
    write_handler(root, HANDLER)
    function = make_function(
        root,
        "record",
        s3_triggers=[S3Trigger(bucket=INBOX, events=("s3:ObjectCreated:*",), prefix="uploads/")],
        environment={"MARKS": str(marks)},
    )
    service = make_service(root, function)
    emulator = python_emulator(service)
    emulator.aws.on_start(lambda aws: aws.create_buckets([RUNS]))
    emulator.start()
    yield emulator
    emulator.stop()


def runs_of(aws: LocalAws, key: str, bucket: str = RUNS) -> list[dict[str, Any]]:
    """The S3 records of the runs for `key`, one per run."""
    s3 = aws.client()
    listed = s3.list_objects_v2(Bucket=bucket, Prefix=f"runs/{key}/").get("Contents", [])
    return [json.loads(s3.get_object(Bucket=bucket, Key=o["Key"])["Body"].read()) for o in listed]


def wait_for_runs(
    aws: LocalAws, key: str, count: int, *, bucket: str = RUNS, limit: float = 30
) -> list[dict[str, Any]]:
    """The runs recorded for `key` once there are `count` of them (or `limit` seconds passed)."""
    give_up = time.monotonic() + limit
    runs = runs_of(aws, key, bucket)
    while len(runs) < count and time.monotonic() < give_up:
        time.sleep(0.1)
        runs = runs_of(aws, key, bucket)
    return runs


def settle(emulator: LocalEmulator, seconds: float = 1.5) -> None:
    """Give a second notification (the duplicate this guards against) time to be delivered."""
    marker = f"uploads/marker-{time.monotonic_ns()}"
    emulator.aws.client().put_object(Bucket=INBOX, Key=marker, Body=b"m")
    wait_for_runs(emulator.aws, marker, 1)
    time.sleep(seconds)


def notices(emulator: LocalEmulator) -> list[str]:
    assert isinstance(emulator.notice, LogCollector)
    return emulator.notice.lines


def test_a_multipart_upload_by_the_aws_cli_runs_the_function_once(
    served: LocalEmulator, tmp_path: Path
) -> None:
    cli = console_script("aws", "pip install awscli (a test dependency)")
    big = tmp_path / "big.bin"
    big.write_bytes(os.urandom(97 * MIB // 10))  # 9.7 MB: over the CLI's 8 MB multipart threshold
    clean = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    environment = {**clean, **served.aws.client_environment(), "AWS_CONFIG_FILE": "/dev/null"}
    subprocess.run(
        [cli, "s3", "cp", str(big), f"s3://{INBOX}/uploads/cli-big.bin"],
        env=environment,
        check=True,
        capture_output=True,
        timeout=120,
    )
    wait_for_runs(served.aws, "uploads/cli-big.bin", 1)
    settle(served)
    runs = runs_of(served.aws, "uploads/cli-big.bin")
    assert [run["eventName"] for run in runs] == ["ObjectCreated:CompleteMultipartUpload"]
    assert runs[0]["s3"]["object"]["size"] == big.stat().st_size


@pytest.mark.parametrize("parts", [2, 3])
def test_a_boto3_multipart_upload_runs_the_function_once(
    served: LocalEmulator, tmp_path: Path, parts: int
) -> None:
    path = tmp_path / "parts.bin"
    path.write_bytes(os.urandom(parts * 5 * MIB))
    config = TransferConfig(multipart_threshold=5 * MIB, multipart_chunksize=5 * MIB)
    key = f"uploads/boto3-{parts}.bin"
    served.aws.client().upload_file(str(path), INBOX, key, Config=config)
    wait_for_runs(served.aws, key, 1)
    settle(served)
    runs = runs_of(served.aws, key)
    assert [run["eventName"] for run in runs] == ["ObjectCreated:CompleteMultipartUpload"]
    assert runs[0]["s3"]["object"]["eTag"].endswith(f"-{parts}")


def test_a_single_put_runs_the_function_once_as_a_put(served: LocalEmulator) -> None:
    served.aws.client().put_object(Bucket=INBOX, Key="uploads/small.txt", Body=b"x")
    wait_for_runs(served.aws, "uploads/small.txt", 1)
    settle(served, 1.0)
    assert [run["eventName"] for run in runs_of(served.aws, "uploads/small.txt")] == [
        "ObjectCreated:Put"
    ]


def test_a_failed_run_is_retried_and_logged(served: LocalEmulator) -> None:
    key = "uploads/fail-once.txt"
    served.aws.client().put_object(Bucket=INBOX, Key=key, Body=b"x")
    runs = wait_for_runs(served.aws, key, 2)
    assert len(runs) == 2  # the first failed; the event was kept and delivered again
    assert any("attempt 1 failed" in line and "record" in line for line in notices(served))


def test_an_event_that_keeps_failing_runs_three_times_and_then_stops(
    served: LocalEmulator,
) -> None:
    key = "uploads/fail-always.txt"
    served.aws.client().put_object(Bucket=INBOX, Key=key, Body=b"x")
    assert len(wait_for_runs(served.aws, key, 3)) == 3
    time.sleep(2.5)
    assert len(runs_of(served.aws, key)) == 3  # Lambda's two retries, no fourth run


@pytest.fixture(scope="module")
def dispatched(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LocalAws, LogCollector]]:
    """The S3 triggers alone, running events themselves (no hand-off to another queue)."""
    root = tmp_path_factory.mktemp("dispatch")
    marks = root / "marks"
    marks.mkdir()
    write_handler(root, HANDLER.replace("delivery-runs", DIRECT_RUNS))
    trigger = S3Trigger(bucket=DIRECT_INBOX, events=("s3:ObjectCreated:*",), prefix="uploads/")
    function = make_function(
        root, "record", s3_triggers=[trigger], environment={"MARKS": str(marks)}
    )
    service = make_service(root, function)
    notice = LogCollector()
    with LocalAws() as aws:
        aws.create_buckets([DIRECT_INBOX, DIRECT_RUNS])
        pools = create_pools(
            service,
            service.functions,
            aws_endpoint=aws.endpoint_url,
            concurrency=2,
            sink_for=lambda function: LogCollector(),
            bootstrap=(*AWSLAMBDARIC, "app.handler"),
        )
        dispatcher = S3TriggerDispatcher(aws, service, pools, notice, queue_name=DIRECT_QUEUE)
        dispatcher.start()
        yield aws, notice
        dispatcher.stop()
        for pool in pools.values():
            pool.close()


def test_the_notification_of_a_failed_run_is_kept_and_run_again(
    dispatched: tuple[LocalAws, LogCollector],
) -> None:
    aws, notice = dispatched
    key = "uploads/fail-once.txt"
    aws.client().put_object(Bucket=DIRECT_INBOX, Key=key, Body=b"x")
    assert len(wait_for_runs(aws, key, 2, bucket=DIRECT_RUNS)) == 2
    assert any(f"s3://{DIRECT_INBOX}/{key}: attempt 1 of 3 failed" in line for line in notice.lines)


def test_a_notification_that_keeps_failing_ends_in_the_failed_queue(
    dispatched: tuple[LocalAws, LogCollector],
) -> None:
    aws, notice = dispatched
    key = "uploads/fail-always.txt"
    aws.client().put_object(Bucket=DIRECT_INBOX, Key=key, Body=b"x")
    assert len(wait_for_runs(aws, key, 3, bucket=DIRECT_RUNS)) == 3
    sqs = aws.client("sqs")
    queue = sqs.get_queue_url(QueueName=f"{DIRECT_QUEUE}-failed")["QueueUrl"]
    give_up, kept = time.monotonic() + 10, []
    while not kept and time.monotonic() < give_up:
        kept = sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=1).get("Messages", [])
    records = json.loads(kept[0]["Body"])["Records"]
    assert unquote_plus(records[0]["s3"]["object"]["key"]) == key
    assert any(f"{key}: failed 3 times" in line for line in notice.lines)
    time.sleep(1.5)
    assert len(runs_of(aws, key, DIRECT_RUNS)) == 3  # no fourth run
