"""An SQS event source mapping: Lambda's poller for one queue and one function.

It long-polls for up to `batch_size` messages within `window` seconds, invokes
the function once with the batch, and deletes messages only after success.
With `report_failures` (functionResponseType: ReportBatchItemFailures) the
function's `{"batchItemFailures": [{"itemIdentifier": id}]}` keeps just those
messages; an answer naming a message that is not in the batch fails the whole
batch, as in AWS. Messages not deleted become visible again after the queue's
visibility timeout, and the queue's redrive policy moves them to its
dead-letter queue after `maxReceiveCount` receives (the local AWS applies it).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from wasmdeploy.local.sources.delivery import Deliver, Reply
from wasmdeploy.local.sources.event_filters import passes
from wasmdeploy.local.sources.queue_events import RECEIVE_ATTRIBUTES, sqs_event
from wasmdeploy.local.sources.receive_loop import ReceiveLoop

Notice = Callable[[str], None]
_RECEIVE_LIMIT = 10  # messages per ReceiveMessage call
_LONG_POLL = 1  # seconds per receive, so a stop is noticed quickly


@dataclass(frozen=True)
class SqsMapping:
    """The settings of an SQS event source mapping that shape delivery."""

    queue_url: str
    queue_arn: str
    batch_size: int = 10
    window: float = 0.0  # maximumBatchingWindow, seconds
    report_failures: bool = False
    concurrency: int = 2  # batches in flight at once (Lambda starts with five pollers)
    filter_patterns: tuple[dict[str, Any], ...] = ()  # filterPatterns: others are deleted unseen


def failed_message_ids(reply: Reply, batch_ids: Sequence[str]) -> set[str] | None:
    """The messages a partial batch response keeps; None means the whole batch failed.

    Lambda's rules: a function error, or a `batchItemFailures` entry that is
    empty or names no message of the batch, fails every message; an empty or
    missing list means all succeeded.
    """
    if not reply.ok:
        return None
    try:
        answer = json.loads(reply.payload) if reply.payload.strip() else {}
    except ValueError:
        return set()  # not JSON: Lambda treats an unparsable response as success
    failures = answer.get("batchItemFailures") if isinstance(answer, dict) else None
    if not failures:
        return set()
    if not isinstance(failures, list):
        return None
    ids: set[str] = set()
    for failure in failures:
        item = failure.get("itemIdentifier") if isinstance(failure, dict) else None
        if not isinstance(item, str) or item not in batch_ids:
            return None
        ids.add(item)
    return ids


class SqsPoller:
    def __init__(
        self,
        sqs: Any,
        mapping: SqsMapping,
        deliver: Deliver,
        *,
        region: str,
        label: str,
        notice: Notice,
    ) -> None:
        self.sqs = sqs
        self.mapping = mapping
        self.deliver = deliver
        self.region = region
        self.label = label  # "queue -> function", for the log lines
        self.notice = notice
        self._loop = ReceiveLoop(
            f"sqs {label}",
            self._next_batch,
            self._process,
            concurrency=mapping.concurrency,
            on_error=lambda error: notice(f"{label}: {error}"),
        )
        self._stop = self._loop.stopping

    def start(self) -> None:
        self._loop.start()

    def stop(self) -> None:
        self._loop.stop()

    def _next_batch(self, _free: int) -> list[list[dict[str, Any]]]:
        batch = self._collect()  # one batch at a time, however many handlers are free
        return [batch] if batch else []

    def _collect(self) -> list[dict[str, Any]]:
        """Up to batch_size messages: the first receive that returns any, then more until the
        window closes (no window: what the first receive brought)."""
        mapping = self.mapping
        batch: list[dict[str, Any]] = []
        closes: float | None = None
        while len(batch) < mapping.batch_size and not self._stop.is_set():
            remaining = None if closes is None else closes - time.monotonic()
            if remaining is not None and remaining <= 0:
                break
            wait = _LONG_POLL if remaining is None else min(_LONG_POLL, int(remaining))
            reply = self.sqs.receive_message(
                QueueUrl=mapping.queue_url,
                MaxNumberOfMessages=min(_RECEIVE_LIMIT, mapping.batch_size - len(batch)),
                WaitTimeSeconds=wait,
                **RECEIVE_ATTRIBUTES,
            )
            messages = reply.get("Messages", [])
            batch.extend(messages)
            if batch and closes is None:
                if mapping.window <= 0:
                    break
                closes = time.monotonic() + mapping.window
            if not messages and wait == 0:
                self._stop.wait(0.02)
        return batch

    def _process(self, received: list[dict[str, Any]]) -> None:
        mapping = self.mapping
        event = sqs_event(received, queue_arn=mapping.queue_arn, region=self.region)
        kept = [passes(record, mapping.filter_patterns) for record in event["Records"]]
        batch = [message for message, keep in zip(received, kept, strict=True) if keep]
        if len(batch) < len(received):  # Lambda deletes the messages its filters leave out
            self.notice(
                f"{self.label}: {len(received) - len(batch)} messages match no filter pattern: "
                "deleted without running the function, as Lambda does"
            )
            self._delete([message for message in received if message not in batch])
            event["Records"] = [r for r, keep in zip(event["Records"], kept, strict=True) if keep]
            if not batch:
                return
        reply = self.deliver(json.dumps(event).encode())
        ids = [message["MessageId"] for message in batch]
        if mapping.report_failures:
            failed = failed_message_ids(reply, ids)
        else:
            failed = None if not reply.ok else set()
        if failed is None:
            self.notice(
                f"{self.label}: batch of {len(batch)} failed; the messages return to the queue "
                f"after its visibility timeout: {reply.payload.decode(errors='replace')[:300]}"
            )
            return
        if failed:
            self.notice(f"{self.label}: {len(failed)} of {len(batch)} reported failed, kept")
        done = [message for message in batch if message["MessageId"] not in failed]
        self._delete(done)

    def _delete(self, messages: list[dict[str, Any]]) -> None:
        for start in range(0, len(messages), _RECEIVE_LIMIT):
            chunk = messages[start : start + _RECEIVE_LIMIT]
            entries = [
                {"Id": str(index), "ReceiptHandle": message["ReceiptHandle"]}
                for index, message in enumerate(chunk)
            ]
            reply = self.sqs.delete_message_batch(QueueUrl=self.mapping.queue_url, Entries=entries)
            for failure in reply.get("Failed", []):
                self.notice(f"{self.label}: cannot delete a processed message: {failure}")
