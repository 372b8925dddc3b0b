"""`logs`: a deployed function's CloudWatch log events (boto3 only).

Reads `/aws/lambda/<deployed name>` with `FilterLogEvents`, following
`nextToken` pages; an edge function's replicas log to
`/aws/lambda/us-east-1.<name>` in the region of each edge location that ran
them, so those groups are found and read in every region. `--tail` keeps
polling from the newest event seen, skipping events already shown
(CloudWatch may return them again).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from wasmdeploy.errors import UserError
from wasmdeploy.manifest.model import EDGE_REGION, Function, Service
from wasmdeploy.stacks.remote import find_function, function_region

SINCE_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
SINCE_PATTERN = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class LogEvent:
    timestamp: int  # milliseconds since the epoch
    stream: str
    message: str
    event_id: str
    region: str = ""  # where it was logged (edge functions log in many regions)

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


@dataclass(frozen=True)
class LogGroup:
    region: str
    name: str


def edge_regions() -> list[str]:
    """Every region of the commercial partition: Lambda@Edge logs where the request ran."""
    import boto3

    return boto3.session.Session().get_available_regions("logs")


def function_log_groups(
    service: Service, function: Function, regions: Sequence[str] = ()
) -> list[LogGroup]:
    """Where AWS writes a function's logs. A regional function: `/aws/lambda/<name>` in its
    region. An edge function: `/aws/lambda/us-east-1.<name>` in each region CloudFront ran it
    in, and `/aws/lambda/<name>` in us-east-1 for direct (test) invocations."""
    name = function.deployed_name
    if not function.is_edge:
        return [LogGroup(function_region(service, function), log_group_name(name))]
    replicas = [LogGroup(region, f"/aws/lambda/{EDGE_REGION}.{name}") for region in regions]
    return [LogGroup(EDGE_REGION, log_group_name(name)), *replicas]


ClientFactory = Callable[[str], Any]
REDISCOVER_EVERY = 10  # fetches between looks for groups in new regions (edge functions)
# A region not enabled in the account, or one the role may not read: no replica logs there.
SKIPPED_REGION_ERRORS = (
    "UnrecognizedClientException",
    "InvalidClientTokenId",
    "AccessDenied",
    "AccessDeniedException",
)


def boto3_logs_client(region: str) -> Any:
    import boto3

    return boto3.client("logs", region_name=region)


class FunctionLogs:
    """Reads a function's log groups, in every region AWS writes them (edge functions)."""

    def __init__(
        self,
        service: Service,
        function_name: str,
        clients: ClientFactory = boto3_logs_client,
        regions: Sequence[str] | None = None,
    ) -> None:
        function = find_function(service, function_name)
        self.service = service
        self.function = function
        if regions is None:
            regions = edge_regions() if function.is_edge else ()
        self.candidates = function_log_groups(service, function, regions)
        self.region = self.candidates[0].region
        self.group = self.candidates[0].name
        self._clients: dict[str, Any] = {}
        self._factory = clients
        self._seen: set[tuple[str, str]] = set()
        self._groups: list[LogGroup] = []
        self._fetches = 0

    def client(self, region: str) -> Any:
        if region not in self._clients:
            self._clients[region] = self._factory(region)
        return self._clients[region]

    def _exists(self, group: LogGroup) -> bool:
        from botocore.exceptions import ClientError

        try:
            found = self.client(group.region).describe_log_groups(logGroupNamePrefix=group.name)
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "")
            if group is not self.candidates[0] and code in SKIPPED_REGION_ERRORS:
                return False
            raise
        return any(g["logGroupName"] == group.name for g in found["logGroups"])

    def _discover(self) -> None:
        """The candidate groups that exist (looked up side by side: edge has many regions)."""
        with ThreadPoolExecutor(max_workers=8) as pool:
            exists = list(pool.map(self._exists, self.candidates))
        self._groups = [g for g, found in zip(self.candidates, exists, strict=True) if found]
        if not self._groups:
            raise self._missing_group()

    def _missing_group(self) -> UserError:
        where = f"{self.group} does not exist in {self.region}"
        if self.function.is_edge:
            where += f" and no region has /aws/lambda/{EDGE_REGION}.{self.function.deployed_name}"
        return UserError(
            f"Log group {where}.",
            hint=f"Deploy the function with `wasmdeploy up --stage {self.service.stage}`"
            " (the group is created with it, or when it first runs).",
        )

    def _read(self, group: LogGroup, request: dict[str, Any]) -> list[LogEvent]:
        client = self.client(group.region)
        request = {**request, "logGroupName": group.name}
        events: list[LogEvent] = []
        while True:
            page = client.filter_log_events(**request)
            events += [self._event(raw, group) for raw in page.get("events", [])]
            token = page.get("nextToken")
            if not token:
                return events
            request["nextToken"] = token

    def fetch(self, start: datetime, filter_pattern: str | None = None) -> list[LogEvent]:
        """Every event since `start` not returned before, oldest first, from every group."""
        from botocore.exceptions import ClientError, NoCredentialsError

        request: dict[str, Any] = {"startTime": int(start.timestamp() * 1000), "interleaved": True}
        if filter_pattern:
            request["filterPattern"] = filter_pattern
        try:
            if self._fetches % REDISCOVER_EVERY == 0:
                self._discover()
            self._fetches += 1
            with ThreadPoolExecutor(max_workers=8) as pool:
                pages = list(pool.map(lambda g: self._read(g, request), self._groups))
        except NoCredentialsError as error:
            raise UserError(
                "No AWS credentials found for reading logs.",
                hint="Set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY.",
            ) from error
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "ResourceNotFoundException":
                raise self._missing_group() from error
            raise UserError(f"CloudWatch Logs FilterLogEvents failed: {error}") from error
        events = [event for page in pages for event in page]
        fresh = [e for e in events if (e.region, e.event_id) not in self._seen]
        self._seen.update((e.region, e.event_id) for e in fresh)
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
    def _event(raw: dict[str, Any], group: LogGroup) -> LogEvent:
        return LogEvent(
            timestamp=int(raw["timestamp"]),
            stream=str(raw.get("logStreamName", "")),
            message=str(raw.get("message", "")),
            event_id=f"{group.name}:{raw.get('eventId') or raw['timestamp']}:{raw.get('message')}",
            region=group.region,
        )
