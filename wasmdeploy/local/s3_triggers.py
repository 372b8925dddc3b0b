"""S3 triggers on the local AWS: run a function when a matching object is created or deleted.

The bucket notifications are configured on the local S3 itself, one per
trigger, with the trigger's events and prefix/suffix rules, and an SQS queue
(in the same local AWS) as their destination. moto then decides which
uploads match, by S3's own rules, and a poller turns each message into the
event AWS would send the function. This relies only on S3's and SQS's public
APIs, and it sees every write whatever client made it (aws CLI, boto3, a function).

Delivery is at least once: a notification is deleted only after its
function succeeded (or `hand_off` took the event, for a caller that runs
Lambda's asynchronous retries itself). A failed run is logged and its
notification becomes visible again after a short delay; after
`MAX_ATTEMPTS` runs it moves to the queue named like the notifications' with
`-failed` added, and the log says so.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from wasmdeploy.local.local_aws import LocalAws
from wasmdeploy.local.pool import FunctionPool
from wasmdeploy.local.runtime_session import LogSink
from wasmdeploy.local.s3_notifications import (
    duplicate_of_multipart,
    function_event,
    object_key,
)
from wasmdeploy.local.sources.receive_loop import ReceiveLoop
from wasmdeploy.manifest.model import Function, S3Trigger, Service

QUEUE_NAME = "wasmdeploy-local-s3-events"
MAX_ATTEMPTS = 3  # Lambda runs a failing asynchronous event three times (two retries)
RETRY_DELAYS = (1, 2)  # seconds before the second and third run (Lambda waits ~1 and ~2 min)

# Takes a function's S3 event; True once the event is handled (run, or queued somewhere
# durable), False to keep the notification for another attempt.
HandOff = Callable[[Function, dict[str, Any]], bool]


class S3TriggerDispatcher:
    def __init__(
        self,
        aws: LocalAws,
        service: Service,
        pools: Mapping[str, FunctionPool],
        notice: LogSink,
        *,
        workers: int = 8,
        hand_off: HandOff | None = None,
        queue_name: str = QUEUE_NAME,
    ) -> None:
        self.aws = aws
        self.service = service
        self.pools = pools
        self.notice = notice
        self.hand_off = hand_off or self.run_now
        self.triggers: dict[str, tuple[Function, S3Trigger]] = {}
        for function in service.functions:
            for index, trigger in enumerate(function.s3_triggers):
                self.triggers[f"{function.name}-{index}"] = (function, trigger)
        self._loop = ReceiveLoop(
            "s3-trigger",
            self._receive,
            self._settle,
            concurrency=workers,
            on_error=lambda error: notice(f"local S3 triggers: {error}"),
        )
        self._sqs: Any = None
        self.queue_name = queue_name
        self.failed_queue_name = f"{queue_name}-failed"
        self._queue_url = ""
        self._failed_url = ""

    def start(self) -> None:
        if not self.triggers:
            return
        self._sqs = sqs = self.aws.client("sqs")
        longest = max(function.timeout for function, _ in self.triggers.values())
        attributes = {"VisibilityTimeout": str(min(43200, max(30, 6 * int(longest))))}
        self._queue_url = _queue_with(sqs, self.queue_name, attributes)
        self._failed_url = sqs.create_queue(QueueName=self.failed_queue_name)["QueueUrl"]
        self.aws.add_resource("queue", self.queue_name)
        self.aws.add_resource("queue", self.failed_queue_name)
        queue_arn = sqs.get_queue_attributes(QueueUrl=self._queue_url, AttributeNames=["QueueArn"])[
            "Attributes"
        ]["QueueArn"]
        by_bucket: dict[str, list[dict[str, Any]]] = {}
        for configuration_id, (_, trigger) in self.triggers.items():
            by_bucket.setdefault(trigger.bucket, []).append(
                _queue_configuration(configuration_id, queue_arn, trigger)
            )
        s3 = self.aws.client()
        for bucket, configurations in by_bucket.items():
            s3.put_bucket_notification_configuration(
                Bucket=bucket,
                NotificationConfiguration={"QueueConfigurations": configurations},
            )
        self._loop.start()

    def stop(self) -> None:
        self._loop.stop()

    def run_now(self, function: Function, event: dict[str, Any]) -> bool:
        """Run the event on the function's warm sandboxes; True when the function succeeded."""
        try:
            outcome = self.pools[function.name].invoke(json.dumps(event).encode())
        except Exception as error:
            self.notice(f"{function.name}: {error}")
            return False
        if outcome.function_error:
            self.notice(f"{function.name} failed: {outcome.payload.decode(errors='replace')}")
            return False
        return True

    def _receive(self, free: int) -> list[dict[str, Any]]:
        reply = self._sqs.receive_message(
            QueueUrl=self._queue_url,
            MaxNumberOfMessages=min(free, 10),
            WaitTimeSeconds=1,
            AttributeNames=["ApproximateReceiveCount"],
        )
        return list(reply.get("Messages", []))

    def _settle(self, message: dict[str, Any]) -> None:
        """Run every record of one notification; delete it only if all of them succeeded."""
        sqs = self._sqs
        records = json.loads(message["Body"]).get("Records", [])
        failed = [record for record in records if not self._run(record)]
        receipt = message["ReceiptHandle"]
        if not failed:
            sqs.delete_message(QueueUrl=self._queue_url, ReceiptHandle=receipt)
            return
        attempt = int(message.get("Attributes", {}).get("ApproximateReceiveCount", 1))
        what = ", ".join(_describe(record) for record in failed)
        if attempt >= MAX_ATTEMPTS:
            sqs.send_message(QueueUrl=self._failed_url, MessageBody=message["Body"])
            sqs.delete_message(QueueUrl=self._queue_url, ReceiptHandle=receipt)
            self.notice(
                f"{what}: failed {attempt} times; the notification is kept in the local "
                f"queue {self.failed_queue_name}"
            )
            return
        delay = RETRY_DELAYS[min(attempt, len(RETRY_DELAYS)) - 1]
        self.notice(f"{what}: attempt {attempt} of {MAX_ATTEMPTS} failed; retrying in {delay} s")
        sqs.change_message_visibility(
            QueueUrl=self._queue_url, ReceiptHandle=receipt, VisibilityTimeout=delay
        )

    def _run(self, record: dict[str, Any]) -> bool:
        configuration_id = record.get("s3", {}).get("configurationId")
        if configuration_id not in self.triggers or duplicate_of_multipart(record):
            return True  # not ours (test events, other configurations), or not a new object
        function, trigger = self.triggers[configuration_id]
        event = function_event(record, trigger, self.service.region)
        self.notice(f"{_describe(record)} -> {function.name}")
        return self.hand_off(function, event)


def _queue_with(sqs: Any, name: str, attributes: dict[str, str]) -> str:
    """The queue's URL, created with `attributes` or given them (a `serve` reload may change
    the functions' timeouts, and SQS refuses to create a queue again with other settings)."""
    try:
        return str(sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"])
    except sqs.exceptions.QueueNameExists:
        url = str(sqs.get_queue_url(QueueName=name)["QueueUrl"])
        sqs.set_queue_attributes(QueueUrl=url, Attributes=attributes)
        return url


def _describe(record: dict[str, Any]) -> str:
    bucket = record["s3"]["bucket"]["name"]
    return f"{record['eventName']} s3://{bucket}/{object_key(record)}"


def _queue_configuration(
    configuration_id: str, queue_arn: str, trigger: S3Trigger
) -> dict[str, Any]:
    configuration: dict[str, Any] = {
        "Id": configuration_id,
        "QueueArn": queue_arn,
        "Events": list(trigger.events),
    }
    rules = [
        {"Name": name, "Value": value}
        for name, value in (("prefix", trigger.prefix), ("suffix", trigger.suffix))
        if value
    ]
    if rules:
        configuration["Filter"] = {"Key": {"FilterRules": rules}}
    return configuration
