"""An SQS mapping's filterPatterns on the local AWS: a message no pattern matches is deleted
without running the function, as Lambda deletes it; a matching one runs it."""

from __future__ import annotations

import json
import time

from event_sources_support import wait_for

from wasmdeploy.local.local_aws import LocalAws
from wasmdeploy.local.sources.delivery import Reply
from wasmdeploy.local.sources.sqs_poller import SqsMapping, SqsPoller


def test_messages_outside_the_filter_are_deleted_unseen() -> None:
    delivered: list[str] = []

    def deliver(payload: bytes) -> Reply:
        delivered.extend(record["body"] for record in json.loads(payload)["Records"])
        return Reply(True, b"")

    with LocalAws() as aws:
        sqs = aws.client("sqs")
        queue = sqs.create_queue(QueueName="filtered-orders", Attributes={"VisibilityTimeout": "1"})
        url = queue["QueueUrl"]
        mapping = SqsMapping(
            url,
            "arn:aws:sqs:us-east-1:123456789012:filtered-orders",
            filter_patterns=({"body": {"kind": ["order"]}},),
        )
        poller = SqsPoller(aws.client("sqs"), mapping, deliver, region="us-east-1",
                           label="filtered-orders", notice=lambda line: None)  # fmt: skip
        poller.start()
        try:
            for kind in ("refund", "order"):
                sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"kind": kind}))
            wait_for(lambda: delivered, what="the matching message")
            time.sleep(1.5)  # past the visibility timeout: nothing comes back
            attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])
        finally:
            poller.stop()
    assert delivered == ['{"kind": "order"}']
    counts = attributes["Attributes"]
    assert counts["ApproximateNumberOfMessages"] == "0"
    assert counts["ApproximateNumberOfMessagesNotVisible"] == "0"
