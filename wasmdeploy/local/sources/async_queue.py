"""Lambda's asynchronous invocation for one function, on an internal queue of the local AWS.

S3 notifications, SNS topics, EventBridge rules and schedules invoke a function
asynchronously: Lambda queues the event, runs it, retries a failure up to
`maximum_retry_attempts` times (default 2) after a delay (AWS waits about 1 then
2 minutes; locally `retry_delays`, 1 s then 2 s by default), gives up on
events older than `maximum_event_age`, and then sends an invocation record to
the onFailure destination (onSuccess gets one after a success).

The queue is an SQS queue on the local AWS, so a pending event is never only in
this process's memory: a message is deleted only once its function succeeded or
its failure record is written, its receive count is the attempt number, and a
retry is the message made visible again after the delay. SNS subscriptions and
EventBridge targets deliver straight into such a queue; `to_event` turns what
they wrote into the event AWS gives the function.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from wasmdeploy.local.sources.delivery import Deliver, Reply
from wasmdeploy.local.sources.destinations import (
    DestinationError,
    Destinations,
    DestinationUnreachable,
)
from wasmdeploy.local.sources.failure_records import AsyncCondition, async_invocation_record
from wasmdeploy.local.sources.receive_loop import ReceiveLoop

Notice = Callable[[str], None]
ToEvent = Callable[[str], Any]  # a message body -> the event (a JSON value)

AWS_RETRY_DELAYS = (60, 120)  # seconds Lambda waits before the first and second retry
LOCAL_RETRY_DELAYS = (1, 2)  # serve's, so a failure reaches its destination within seconds
DEFAULT_MAXIMUM_EVENT_AGE = 21600  # six hours, Lambda's default and maximum
_LONG_POLL = 1


def body_as_event(body: str) -> Any:
    """The message body is the event itself (S3 notifications, schedules, direct submits)."""
    return json.loads(body)


@dataclass(frozen=True)
class AsyncSettings:
    """A function's asynchronous invocation configuration, resolved."""

    function_arn: str
    timeout: float  # the function's, seconds: how long an event stays invisible while it runs
    maximum_retry_attempts: int = 2
    maximum_event_age: int = DEFAULT_MAXIMUM_EVENT_AGE
    retry_delays: tuple[int, ...] = LOCAL_RETRY_DELAYS
    on_success: str | None = None  # destination ARNs
    on_failure: str | None = None
    destination_retry: int = 5  # seconds before writing a refused destination record again


class AsyncQueue:
    """Receives events from one internal queue and runs them with Lambda's async semantics."""

    def __init__(
        self,
        sqs: Any,
        queue_url: str,
        deliver: Deliver,
        settings: AsyncSettings,
        destinations: Destinations,
        *,
        label: str,
        notice: Notice,
        to_event: ToEvent = body_as_event,
        workers: int = 4,
    ) -> None:
        self.sqs = sqs
        self.queue_url = queue_url
        self.deliver = deliver
        self.settings = settings
        self.destinations = destinations
        self.label = label
        self.notice = notice
        self.to_event = to_event
        self.workers = workers
        self._unsent: dict[str, tuple[str, dict[str, Any]]] = {}  # message id -> (ARN, record)
        self._loop = ReceiveLoop(
            f"async {label}",
            self._receive,
            self._handle,
            concurrency=workers,
            on_error=lambda error: notice(f"{label}: {error}"),
        )

    def submit(self, event: Any) -> None:
        """Invoke asynchronously (InvocationType=Event): queue the event and return."""
        self.sqs.send_message(QueueUrl=self.queue_url, MessageBody=json.dumps(event))

    def start(self) -> None:
        self._loop.start()

    def stop(self) -> None:
        self._loop.stop()

    def _receive(self, free: int) -> list[dict[str, Any]]:
        reply = self.sqs.receive_message(
            QueueUrl=self.queue_url,
            MaxNumberOfMessages=min(free, 10),
            WaitTimeSeconds=_LONG_POLL,
            VisibilityTimeout=int(self.settings.timeout) + 10,
            AttributeNames=["ApproximateReceiveCount", "SentTimestamp"],
        )
        return list(reply.get("Messages", []))

    def _handle(self, message: dict[str, Any]) -> None:
        unsent = self._unsent.get(message["MessageId"])
        if unsent is not None:  # the function has run: only its record is still to be written
            self._send(message, *unsent)
            return
        settings = self.settings
        attempt = int(message["Attributes"].get("ApproximateReceiveCount", "1"))
        sent = int(message["Attributes"].get("SentTimestamp", "0")) / 1000
        try:
            event = self.to_event(message["Body"])
        except (ValueError, KeyError, TypeError) as error:
            self.notice(f"{self.label}: not an event, dropped: {error}: {message['Body'][:200]}")
            self._delete(message)
            return
        if time.time() - sent > settings.maximum_event_age:
            self._settle(message, event, "EventAgeExceeded", attempt - 1, None)
            return
        reply = self.deliver(json.dumps(event).encode())
        if reply.ok:
            self._settle(message, event, "Success", attempt, reply)
            return
        retries_left = settings.maximum_retry_attempts - (attempt - 1)
        if retries_left > 0:
            delay = settings.retry_delays[min(attempt - 1, len(settings.retry_delays) - 1)]
            if time.time() + delay - sent <= settings.maximum_event_age:
                self.notice(
                    f"{self.label}: attempt {attempt} failed, retrying in {delay}s "
                    f"({retries_left} retr{'y' if retries_left == 1 else 'ies'} left)"
                )
                self._make_visible(message, delay)
                return
        self._settle(message, event, "RetriesExhausted", attempt, reply)

    def _settle(
        self,
        message: dict[str, Any],
        event: Any,
        condition: AsyncCondition,
        attempts: int,
        reply: Reply | None,
    ) -> None:
        """Write the destination record (if any), then delete the message; a destination that
        cannot be written keeps the message, to try again."""
        settings = self.settings
        target = settings.on_success if condition == "Success" else settings.on_failure
        if target is None:
            if condition != "Success":
                self.notice(
                    f"{self.label}: event discarded ({condition} after {attempts} attempts, "
                    f"no onFailure destination): {json.dumps(event)[:2000]}"
                )
            self._delete(message)
            return
        record = async_invocation_record(
            function_arn=settings.function_arn,
            request_id=message["MessageId"],
            condition=condition,
            invoke_count=attempts,
            request_payload=event,
            response_payload=reply.json() if reply is not None else None,
            function_error=condition != "Success",
        )
        self._send(message, target, record)

    def _send(self, message: dict[str, Any], target: str, record: dict[str, Any]) -> None:
        """Write the record, then delete the event; a refused write is tried again later
        (without running the function again), an unreachable destination gets the record
        printed in the log instead."""
        condition = record["requestContext"]["condition"]
        attempts = record["requestContext"]["approximateInvokeCount"]
        self._unsent.pop(message["MessageId"], None)
        try:
            self.destinations.send(target, record, success=condition == "Success")
        except DestinationUnreachable as error:
            self.notice(f"{self.label}: {error}; the record: {json.dumps(record)}")
        except DestinationError as error:
            delay = self.settings.destination_retry
            self.notice(f"{self.label}: {error}; trying again in {delay}s")
            self._unsent[message["MessageId"]] = (target, record)
            self._make_visible(message, delay)
            return
        if condition != "Success":
            self.notice(f"{self.label}: {condition} after {attempts} attempts -> {target}")
        self._delete(message)

    def _make_visible(self, message: dict[str, Any], delay: int) -> None:
        self.sqs.change_message_visibility(
            QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=delay
        )

    def _delete(self, message: dict[str, Any]) -> None:
        self.sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"])
