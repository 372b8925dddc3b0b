"""S3 triggers on the local S3: run a function when a matching object is created or deleted.

The bucket notifications are configured on the local S3 itself, one per
trigger, with the trigger's events and prefix/suffix rules, and an SQS queue
(in the same moto server) as their destination. moto then decides which
uploads match, by S3's own rules, and a poller turns each message into the
event AWS would send the function. This relies only on S3's and SQS's public
APIs (moto implements S3 -> SQS notifications), not on moto's internals, and
it sees every write whatever client made it (aws CLI, boto3, a function).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import unquote_plus

from wasmdeploy.local.default_events import s3_event_for
from wasmdeploy.local.local_s3 import LocalS3
from wasmdeploy.local.pool import FunctionPool
from wasmdeploy.local.runtime_session import LogSink
from wasmdeploy.manifest.model import Function, S3Trigger, Service

QUEUE_NAME = "wasmdeploy-local-s3-events"


class S3TriggerDispatcher:
    def __init__(
        self,
        s3: LocalS3,
        service: Service,
        pools: Mapping[str, FunctionPool],
        notice: LogSink,
        *,
        workers: int = 8,
    ) -> None:
        self.s3 = s3
        self.service = service
        self.pools = pools
        self.notice = notice
        self.triggers: dict[str, tuple[Function, S3Trigger]] = {}
        for function in service.functions:
            for index, trigger in enumerate(function.s3_triggers):
                self.triggers[f"{function.name}-{index}"] = (function, trigger)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="s3-trigger")
        self._queue_url = ""

    def start(self) -> None:
        if not self.triggers:
            return
        sqs = self.s3.client("sqs")
        self._queue_url = sqs.create_queue(QueueName=QUEUE_NAME)["QueueUrl"]
        attributes = sqs.get_queue_attributes(QueueUrl=self._queue_url, AttributeNames=["QueueArn"])
        queue_arn = attributes["Attributes"]["QueueArn"]
        by_bucket: dict[str, list[dict[str, Any]]] = {}
        for configuration_id, (_, trigger) in self.triggers.items():
            by_bucket.setdefault(trigger.bucket, []).append(
                _queue_configuration(configuration_id, queue_arn, trigger)
            )
        s3 = self.s3.client()
        for bucket, configurations in by_bucket.items():
            s3.put_bucket_notification_configuration(
                Bucket=bucket,
                NotificationConfiguration={"QueueConfigurations": configurations},
            )
        self._thread = threading.Thread(target=self._poll, daemon=True, name="s3-trigger-poller")
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._executor.shutdown(wait=True, cancel_futures=True)

    def _poll(self) -> None:
        sqs = self.s3.client("sqs")
        while not self._stop.is_set():
            try:
                reply = sqs.receive_message(
                    QueueUrl=self._queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1
                )
            except Exception as error:  # the server is stopping, or a transient failure
                if self._stop.is_set():
                    return
                self.notice(f"local S3 triggers: cannot read notifications: {error}")
                self._stop.wait(0.5)
                continue
            for message in reply.get("Messages", []):
                sqs.delete_message(QueueUrl=self._queue_url, ReceiptHandle=message["ReceiptHandle"])
                for record in json.loads(message["Body"]).get("Records", []):
                    self._executor.submit(self._run, record)

    def _run(self, record: dict[str, Any]) -> None:
        configuration_id = record["s3"]["configurationId"]
        if configuration_id not in self.triggers:
            return
        function, trigger = self.triggers[configuration_id]
        obj = record["s3"]["object"]
        key = unquote_plus(obj["key"])
        event = s3_event_for(
            trigger,
            self.service.region,
            key=key,
            size=int(obj.get("size") or 0),
            etag=obj.get("eTag"),
            event_name=record["eventName"],
            configuration_id=configuration_id,
        )
        self.notice(f"{record['eventName']} s3://{trigger.bucket}/{key} -> {function.name}")
        try:
            outcome = self.pools[function.name].invoke(json.dumps(event).encode())
        except Exception as error:
            self.notice(f"{function.name}: {error}")
            return
        if outcome.function_error:
            self.notice(f"{function.name} failed: {outcome.payload.decode(errors='replace')}")


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
