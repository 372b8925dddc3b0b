"""An S3 trigger is an asynchronous invocation: a failing function is retried as Lambda
retries, then the event lands in the function's onFailure destination, under `serve`."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from event_sources_support import drain_queue, wait_for
from local_emulation_support import AWSLAMBDARIC, make_function, make_service, write_handler

from wasmdeploy.local.emulator import LocalEmulator
from wasmdeploy.manifest.model import AsyncConfig, Destination, EventResources, Queue, S3Trigger

FAILING = """
    def handler(event, context):
        raise RuntimeError("cannot read " + event["Records"][0]["s3"]["object"]["key"])
"""


def test_failing_s3_triggered_function_ends_in_its_dead_letter_queue(tmp_path: Path) -> None:
    write_handler(tmp_path, FAILING)
    function = make_function(tmp_path, "thumb", s3_triggers=[S3Trigger(bucket="photos")])
    config = AsyncConfig(maximum_retry_attempts=1, on_failure=Destination("sqs", name="thumb-dlq"))
    function = dataclasses.replace(function, async_config=config)
    service = dataclasses.replace(
        make_service(tmp_path, function),
        event_resources=EventResources(queues=(Queue("thumb-dlq", visibility_timeout=30),)),
    )
    emulator = LocalEmulator(
        service, port=0, aws_port=0, notice=lambda line: None, retry_delays=(1,),
        bootstrap=(*AWSLAMBDARIC, "app.handler"),
    )  # fmt: skip
    emulator.start()
    try:
        emulator.aws.client().put_object(Bucket="photos", Key="cat.png", Body=b"png")
        sqs = emulator.aws.client("sqs")
        url = sqs.get_queue_url(QueueName="thumb-dlq")["QueueUrl"]
        failures = wait_for(lambda: drain_queue(sqs, url), limit=40, what="the S3 failure")
    finally:
        emulator.stop()
    record = json.loads(failures[0]["Body"])
    assert record["requestContext"]["condition"] == "RetriesExhausted"
    assert record["requestContext"]["approximateInvokeCount"] == 2
    assert record["requestPayload"]["Records"][0]["s3"]["object"]["key"] == "cat.png"
    assert "cannot read cat.png" in record["responsePayload"]["errorMessage"]
