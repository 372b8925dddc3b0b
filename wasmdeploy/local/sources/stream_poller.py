"""A Kinesis or DynamoDB stream event source mapping: one reader per shard, in order.

Each shard's reader starts at `starting_position`, reads up to `batch_size`
records (within `window` seconds when set), and invokes the function with them.
A failed batch is retried (`max_retry_attempts`, -1 = until it succeeds or its
records are too old), split in two first when `bisect` is on (splitting uses no
retries, as in AWS), and with `report_failures` retried from the lowest
sequence number the function names in `batchItemFailures`. Records older than
`max_record_age` are skipped. Whatever is given up goes to `on_failure` as
AWS's batch record (shard and sequence numbers). The shard's checkpoint moves
past a batch only once it succeeded or its failure was recorded.
"""

from __future__ import annotations

import datetime
import json
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from wasmdeploy.local.sources.delivery import Deliver, Reply
from wasmdeploy.local.sources.destinations import (
    DestinationError,
    Destinations,
    DestinationUnreachable,
)
from wasmdeploy.local.sources.event_filters import passes
from wasmdeploy.local.sources.failure_records import (
    BatchInfo,
    StreamCondition,
    stream_batch_record,
)
from wasmdeploy.local.sources.stream_records import (
    IteratorType,
    ShardSource,
    arrival_of,
    sequence_of,
)
from wasmdeploy.local.sources.tumbling_windows import ShardWindow

Notice = Callable[[str], None]
_IDLE_POLL = 0.1  # seconds between reads of an idle shard (Lambda: about one a second)
_SHARD_DISCOVERY = 10.0  # seconds between looks for new shards
_RETRY_BACKOFF = (0.1, 0.5, 1.0, 2.0)


@dataclass(frozen=True)
class StreamMapping:
    batch_size: int = 100
    window: float = 0.0  # maximumBatchingWindowInSeconds
    starting_position: IteratorType = "TRIM_HORIZON"
    starting_timestamp: float | None = None
    max_retry_attempts: int = -1
    max_record_age: int = -1  # seconds
    bisect: bool = False
    report_failures: bool = False
    on_failure: str | None = None  # destination ARN
    filter_patterns: tuple[dict[str, Any], ...] = ()  # filterPatterns: other records are skipped
    tumbling_window: int = 0  # seconds; 0: no windows


def first_failed_sequence(reply: Reply, sequences: list[str]) -> str | bool | None:
    """With ReportBatchItemFailures: the sequence to retry from, True for the whole batch,
    None when every record succeeded."""
    if not reply.ok:
        return True
    try:
        answer = json.loads(reply.payload) if reply.payload.strip() else {}
    except ValueError:
        return None
    failures = answer.get("batchItemFailures") if isinstance(answer, dict) else None
    if not failures:
        return None
    if not isinstance(failures, list):
        return True
    named = [f.get("itemIdentifier") if isinstance(f, dict) else None for f in failures]
    positions = [sequences.index(item) for item in named if item in sequences]
    if len(positions) != len(named):
        return True  # an entry names no record of the batch: the whole batch failed
    return sequences[min(positions)]


class StreamPoller:
    def __init__(
        self,
        source: ShardSource,
        mapping: StreamMapping,
        deliver: Deliver,
        destinations: Destinations,
        *,
        function_arn: str,
        label: str,
        notice: Notice,
    ) -> None:
        self.source = source
        self.mapping = mapping
        self.deliver = deliver
        self.destinations = destinations
        self.function_arn = function_arn
        self.label = label
        self.notice = notice
        self.checkpoints: dict[str, str] = {}  # shard id -> last sequence number done with
        self.windows: dict[str, ShardWindow] = {}  # shard id -> its open tumbling window
        self._stop = threading.Event()
        self._threads: dict[str, threading.Thread] = {}
        self._discovery: threading.Thread | None = None

    def start(self) -> None:
        self._start_new_shards()
        self._discovery = threading.Thread(target=self._discover, daemon=True)
        self._discovery.start()

    def stop(self) -> None:
        self._stop.set()
        for thread in [*self._threads.values(), self._discovery]:
            if thread is not None:
                thread.join(timeout=5)

    def _discover(self) -> None:
        while not self._stop.wait(_SHARD_DISCOVERY):
            try:
                self._start_new_shards()
            except Exception as error:
                if not self._stop.is_set():
                    self.notice(f"{self.label}: cannot list shards: {error}")

    def _start_new_shards(self) -> None:
        for shard_id in self.source.shard_ids():
            if shard_id not in self._threads:
                thread = threading.Thread(
                    target=self._read_shard, args=(shard_id,), daemon=True, name=shard_id
                )
                self._threads[shard_id] = thread
                thread.start()

    def _first_iterator(self, shard_id: str) -> str:
        done = self.checkpoints.get(shard_id)
        if done is not None:
            return self.source.iterator(shard_id, "AFTER_SEQUENCE_NUMBER", sequence=done)
        mapping = self.mapping
        return self.source.iterator(
            shard_id, mapping.starting_position, timestamp=mapping.starting_timestamp
        )

    def _read_shard(self, shard_id: str) -> None:
        iterator: str | None = None
        while not self._stop.is_set():
            try:
                if iterator is None:
                    iterator = self._first_iterator(shard_id)
                batch, iterator = self._collect(iterator)
                window = self._window(shard_id)
                if window is not None and not batch and window.due(self._now()):
                    self._close_window(window)  # its end passed with no later record yet
                if batch:
                    self._process(shard_id, batch)
                    if self._stop.is_set():
                        return  # stopped mid-batch: the checkpoint stays before it
                    self.checkpoints[shard_id] = sequence_of(batch[-1])
                if iterator is None:
                    return  # the shard is closed and read to its end
                if not batch:
                    self._stop.wait(_IDLE_POLL)
            except Exception as error:  # a transient failure: read again from the checkpoint
                if self._stop.is_set():
                    return
                self.notice(f"{self.label} {shard_id}: {error}")
                iterator = None
                self._stop.wait(1.0)

    def _collect(self, iterator: str) -> tuple[list[dict[str, Any]], str | None]:
        mapping = self.mapping
        batch, next_iterator = self.source.read(iterator, mapping.batch_size)
        if not batch or mapping.window <= 0:
            return batch, next_iterator
        closes = self._now() + datetime.timedelta(seconds=mapping.window)
        while next_iterator and len(batch) < mapping.batch_size and self._now() < closes:
            more, next_iterator = self.source.read(next_iterator, mapping.batch_size - len(batch))
            batch.extend(more)
            if not more:
                self._stop.wait(_IDLE_POLL)
        return batch, next_iterator

    def _process(self, shard_id: str, records: list[dict[str, Any]]) -> None:
        mapping = self.mapping
        if mapping.filter_patterns:  # records no pattern matches are skipped, as Lambda does
            records = [
                record
                for record in records
                if passes(self.source.event_record(record, shard_id), mapping.filter_patterns)
            ]
        pending: deque[tuple[list[dict[str, Any]], int]] = deque([(records, 0)])
        while pending and not self._stop.is_set():
            batch, retries = pending.popleft()
            batch = self._drop_expired(shard_id, batch, retries)
            if not batch:
                continue
            event_records = [self.source.event_record(r, shard_id) for r in batch]
            window = self._window(shard_id)
            if window is not None:
                runs = window.split(batch)
                if len(runs) > 1:  # the batch spans windows: one window at a time
                    pending.extendleft(reversed([(run, retries) for _, run in runs]))
                    continue
                if window.start is not None and window.start != runs[0][0]:
                    self._close_window(window)  # a record of a later window: this one is over
                window.open(runs[0][0])
                event = window.event(event_records)
                reply = window.accept(self.deliver(json.dumps(event).encode()))
            else:
                reply = self.deliver(json.dumps({"Records": event_records}).encode())
            failed = self._failed_part(reply, batch)
            if not failed:
                continue
            if not reply.ok and mapping.bisect and len(failed) > 1:
                half = len(failed) // 2
                pending.extendleft([(failed[half:], retries), (failed[:half], retries)])
                self.notice(f"{self.label} {shard_id}: batch of {len(failed)} failed, bisecting")
            elif mapping.max_retry_attempts < 0 or retries < mapping.max_retry_attempts:
                self.notice(
                    f"{self.label} {shard_id}: {len(failed)} records failed, retry {retries + 1}"
                )
                pending.appendleft((failed, retries + 1))
                self._stop.wait(_RETRY_BACKOFF[min(retries, len(_RETRY_BACKOFF) - 1)])
            else:
                self._give_up(shard_id, failed, "RetryAttemptsExhausted", retries + 1, reply)

    def _window(self, shard_id: str) -> ShardWindow | None:
        if not self.mapping.tumbling_window:
            return None
        if shard_id not in self.windows:
            self.windows[shard_id] = ShardWindow(
                self.mapping.tumbling_window, shard_id, self.source.stream_arn
            )
        return self.windows[shard_id]

    def _close_window(self, window: ShardWindow) -> None:
        """The final invocation of a window that is over, retried until it succeeds (the
        shard waits meanwhile, as in AWS)."""
        attempt = 0
        while not self._stop.is_set():
            final = json.dumps(window.event([], final=True)).encode()
            if window.accept(self.deliver(final)).ok:
                window.close()
                return
            self.notice(f"{self.label} {window.shard_id}: the window's final invocation failed")
            self._stop.wait(_RETRY_BACKOFF[min(attempt, len(_RETRY_BACKOFF) - 1)])
            attempt += 1

    def _failed_part(self, reply: Reply, batch: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if not self.mapping.report_failures:
            return [] if reply.ok else batch
        sequences = [sequence_of(record) for record in batch]
        start = first_failed_sequence(reply, sequences)
        if start is None:
            return []
        if start is True:
            return batch
        return batch[sequences.index(str(start)) :]

    def _drop_expired(
        self, shard_id: str, batch: list[dict[str, Any]], retries: int
    ) -> list[dict[str, Any]]:
        age = self.mapping.max_record_age
        if age < 0:
            return batch
        oldest_kept = self._now() - datetime.timedelta(seconds=age)
        expired = [record for record in batch if arrival_of(record) < oldest_kept]
        if expired:
            self._give_up(shard_id, expired, "RecordAgeExceeded", retries, None)
        return batch[len(expired) :]

    def _give_up(
        self,
        shard_id: str,
        records: list[dict[str, Any]],
        condition: StreamCondition,
        invoke_count: int,
        reply: Reply | None,
    ) -> None:
        info = BatchInfo(
            kind=self.source.kind,
            stream_arn=self.source.stream_arn,
            shard_id=shard_id,
            first_sequence=sequence_of(records[0]),
            last_sequence=sequence_of(records[-1]),
            first_arrival=arrival_of(records[0]),
            last_arrival=arrival_of(records[-1]),
            size=len(records),
        )
        target = self.mapping.on_failure
        where = target or "nowhere: the mapping has no onFailure destination"
        self.notice(
            f"{self.label} {shard_id}: {len(records)} records skipped ({condition}) -> {where}"
        )
        if target is None:
            return
        record = stream_batch_record(
            info,
            function_arn=self.function_arn,
            request_id=reply.request_id if reply is not None else "",
            condition=condition,
            invoke_count=invoke_count,
            function_error=reply is not None and not reply.ok,
        )
        for delay in (*_RETRY_BACKOFF, None):
            try:
                self.destinations.send(target, record)
                return
            except DestinationUnreachable as error:  # trying again cannot help: log the record
                self.notice(f"{self.label}: {error}; the record: {json.dumps(record)}")
                return
            except DestinationError as error:
                if delay is None:
                    raise
                self.notice(f"{self.label}: {error}")
                self._stop.wait(delay)

    @staticmethod
    def _now() -> datetime.datetime:
        return datetime.datetime.now(datetime.UTC)
