"""`logs`: a deployed function's CloudWatch log events (boto3 only).

Reads `/aws/lambda/<deployed name>` with `FilterLogEvents`, following
`nextToken` pages; `--tail` keeps polling from the newest event seen,
skipping events already shown (CloudWatch may return them again).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from wasmdeploy.errors import UserError
from wasmdeploy.manifest.model import Service
from wasmdeploy.stacks.remote import find_function, function_region

SINCE_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
SINCE_PATTERN = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class LogEvent:
    timestamp: int  # milliseconds since the epoch
    stream: str
    message: str
    event_id: str

    @property
    def time(self) -> datetime:
        return datetime.fromtimestamp(self.timestamp / 1000, tz=UTC)


def parse_since(text: str, now: datetime) -> datetime:
    """'10m', '2h', '1d' before `now`, or an ISO 8601 time ('2026-11-23T21:00:00Z')."""
    match = SINCE_PATTERN.match(text)
    if match:
        seconds = float(match.group(1)) * SINCE_UNITS[match.group(2).lower()]
        return datetime.fromtimestamp(now.timestamp() - seconds, tz=UTC)
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise UserError(
            f"--since {text!r} is not a duration or a time.",
            hint="Write it like 30s, 10m, 2h, 1d, or 2026-11-23T21:00:00Z.",
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def log_group_name(deployed_name: str) -> str:
    return f"/aws/lambda/{deployed_name}"


class FunctionLogs:
    """Reads one function's log group."""

    def __init__(self, service: Service, function_name: str, client: Any | None = None) -> None:
        function = find_function(service, function_name)
        self.service = service
        self.group = log_group_name(function.deployed_name)
        self.region = function_region(service, function)
        if client is None:
            import boto3

            client = boto3.client("logs", region_name=self.region)
        self.client = client
        self._seen: set[str] = set()
        self._group_checked = False

    def _check_group(self) -> None:
        """A clear message for a function that was never deployed (or deleted)."""
        groups = self.client.describe_log_groups(logGroupNamePrefix=self.group)["logGroups"]
        if not any(group["logGroupName"] == self.group for group in groups):
            raise self._missing_group()
        self._group_checked = True

    def _missing_group(self) -> UserError:
        return UserError(
            f"Log group {self.group} does not exist in {self.region}.",
            hint=f"Deploy the function with `wasmdeploy up --stage {self.service.stage}`"
            " (the group is created with it).",
        )

    def fetch(self, start: datetime, filter_pattern: str | None = None) -> list[LogEvent]:
        """Every event since `start` not returned before, oldest first."""
        from botocore.exceptions import ClientError, NoCredentialsError

        request: dict[str, Any] = {
            "logGroupName": self.group,
            "startTime": int(start.timestamp() * 1000),
            "interleaved": True,
        }
        if filter_pattern:
            request["filterPattern"] = filter_pattern
        events: list[LogEvent] = []
        try:
            if not self._group_checked:
                self._check_group()
            while True:
                page = self.client.filter_log_events(**request)
                events += [self._event(raw) for raw in page.get("events", [])]
                token = page.get("nextToken")
                if not token:
                    break
                request["nextToken"] = token
        except NoCredentialsError as error:
            raise UserError(
                "No AWS credentials found for reading logs.",
                hint="Set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY.",
            ) from error
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "ResourceNotFoundException":
                raise self._missing_group() from error
            raise UserError(f"CloudWatch Logs FilterLogEvents failed: {error}") from error
        fresh = [event for event in events if event.event_id not in self._seen]
        self._seen.update(event.event_id for event in fresh)
        return sorted(fresh, key=lambda event: (event.timestamp, event.event_id))

    def follow(
        self,
        start: datetime,
        filter_pattern: str | None = None,
        *,
        interval: float = 2.0,
        sleep: Callable[[float], None] = time.sleep,
        rounds: int | None = None,
    ) -> Iterator[LogEvent]:
        """Yield events as they arrive; `rounds` bounds the polls (None: until interrupted)."""
        cursor = start
        done = 0
        while rounds is None or done < rounds:
            for event in self.fetch(cursor, filter_pattern):
                cursor = max(cursor, event.time)
                yield event
            done += 1
            if rounds is None or done < rounds:
                sleep(interval)

    @staticmethod
    def _event(raw: dict[str, Any]) -> LogEvent:
        return LogEvent(
            timestamp=int(raw["timestamp"]),
            stream=str(raw.get("logStreamName", "")),
            message=str(raw.get("message", "")),
            event_id=str(raw.get("eventId") or f"{raw['timestamp']}:{raw.get('message')}"),
        )
