"""Tumbling windows on a stream mapping (`tumblingWindow`): state carried across a shard's
batches within fixed windows of time, and a final invocation when each window closes.

Windows are aligned to multiples of their length since the epoch (a 120 s window
runs 07:04:00-07:06:00) and a record belongs to the window of its arrival. Each
invocation gets `window: {start, end}`, the `state` the previous invocation of the
window returned (`{}` at first), `shardId`, `eventSourceARN`,
`isFinalInvokeForWindow` and `isWindowTerminatedEarly`; its answer must hold a
`state`, or the invocation counts as failed, as in AWS. When the window is over
(a later record arrived, or its end passed) the function is invoked once more
with no records and `isFinalInvokeForWindow: true`, until that succeeds; then
the window's state is dropped.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass, field
from typing import Any

from wasmdeploy.local.sources.delivery import Reply
from wasmdeploy.local.sources.stream_records import arrival_of

UTC = datetime.UTC


def _iso(moment: datetime.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class ShardWindow:
    seconds: int
    shard_id: str
    stream_arn: str
    start: datetime.datetime | None = None  # None: no window open
    state: Any = field(default_factory=dict)

    def start_of(self, record: dict[str, Any]) -> datetime.datetime:
        arrived = arrival_of(record).timestamp()
        return datetime.datetime.fromtimestamp(arrived // self.seconds * self.seconds, UTC)

    def split(self, records: list[dict[str, Any]]) -> list[tuple[datetime.datetime, list[Any]]]:
        """The records in runs of the same window, in order."""
        runs: list[tuple[datetime.datetime, list[Any]]] = []
        for record in records:
            start = self.start_of(record)
            if runs and runs[-1][0] == start:
                runs[-1][1].append(record)
            else:
                runs.append((start, [record]))
        return runs

    def open(self, start: datetime.datetime) -> None:
        if self.start != start:
            self.start, self.state = start, {}

    def close(self) -> None:
        self.start, self.state = None, {}

    def due(self, now: datetime.datetime) -> bool:
        return self.start is not None and now >= self.end

    @property
    def end(self) -> datetime.datetime:
        assert self.start is not None
        return self.start + datetime.timedelta(seconds=self.seconds)

    def event(self, records: list[dict[str, Any]], *, final: bool = False) -> dict[str, Any]:
        assert self.start is not None
        return {
            "Records": records,
            "window": {"start": _iso(self.start), "end": _iso(self.end)},
            "state": self.state,
            "shardId": self.shard_id,
            "eventSourceARN": self.stream_arn,
            "isFinalInvokeForWindow": final,
            "isWindowTerminatedEarly": False,
        }

    def accept(self, reply: Reply) -> Reply:
        """Keep the state a successful answer returns; an answer without one is a failure."""
        if not reply.ok:
            return reply
        try:
            answer = json.loads(reply.payload)
        except ValueError:
            answer = None
        if isinstance(answer, dict) and isinstance(answer.get("state"), dict):
            self.state = answer["state"]
            return reply
        error = {"errorType": "InvalidWindowResponse", "errorMessage": "the answer has no state"}
        return Reply(False, json.dumps(error).encode(), reply.request_id, reply.started_at)
