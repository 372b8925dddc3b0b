"""Schedules on their cadence: each fire sends EventBridge's Scheduled Event (or the rule's
`input`) to the function's asynchronous queue, as an EventBridge rule targets a function.

`rate(...)` counts from when `serve` started (as a rule counts from its creation);
`cron(...)` fires at the minutes it names, in UTC, or in the schedule's time
zone for EventBridge Scheduler schedules. `fire_now` fires every schedule once
at start (`serve --run-schedules-now`).
"""

from __future__ import annotations

import datetime
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from wasmdeploy.local.sources.queue_events import scheduled_event
from wasmdeploy.manifest.schedule_expression import Rate, Schedule

Notice = Callable[[str], None]
Submit = Callable[[Any], None]


@dataclass(frozen=True)
class LocalSchedule:
    """One expression of one schedule, and where its events go."""

    label: str  # "rate(1 minute) -> report", for log lines
    rule_arn: str
    schedule: Schedule
    submit: Submit  # the function's asynchronous invocation
    input: Any = None  # sent instead of the Scheduled Event when set
    timezone: str | None = None

    def next_after(
        self, moment: datetime.datetime, started: datetime.datetime
    ) -> datetime.datetime:
        if isinstance(self.schedule, Rate):
            return self.schedule.next_after(moment, started)
        zone = ZoneInfo(self.timezone) if self.timezone else datetime.UTC
        return self.schedule.next_after(moment.astimezone(zone)).astimezone(datetime.UTC)

    def event(self, region: str, at: datetime.datetime) -> Any:
        if self.input is not None:
            return self.input
        return scheduled_event(rule_arn=self.rule_arn, region=region, at=at)


class Scheduler:
    def __init__(self, schedules: list[LocalSchedule], *, region: str, notice: Notice) -> None:
        self.schedules = schedules
        self.region = region
        self.notice = notice
        self.fired: list[tuple[str, datetime.datetime]] = []  # (label, when), newest last
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._started = self._now()

    def start(self, *, fire_now: bool = False) -> None:
        if not self.schedules:
            return
        self._started = self._now()
        if fire_now:
            self.fire_all()
        self._thread = threading.Thread(target=self._run, daemon=True, name="scheduler")
        self._thread.start()

    def fire_all(self) -> None:
        """Fire every schedule once, now (their cadence goes on as before)."""
        now = self._now()
        for schedule in self.schedules:
            self._fire(schedule, now)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def next_fires(self) -> list[tuple[LocalSchedule, datetime.datetime]]:
        now = self._now()
        return [(s, s.next_after(now, self._started)) for s in self.schedules]

    def _run(self) -> None:
        upcoming = {index: when for index, (_, when) in enumerate(self.next_fires())}
        while not self._stop.is_set():
            index, when = min(upcoming.items(), key=lambda item: item[1])
            wait = (when - self._now()).total_seconds()
            if wait > 0 and self._stop.wait(min(wait, 60.0)):
                return
            if self._now() < when:
                continue
            schedule = self.schedules[index]
            self._fire(schedule, when)
            upcoming[index] = schedule.next_after(when, self._started)

    def _fire(self, schedule: LocalSchedule, when: datetime.datetime) -> None:
        try:
            schedule.submit(schedule.event(self.region, when))
        except Exception as error:  # the local AWS refused the event: say so, keep the cadence
            self.notice(f"{schedule.label}: cannot queue the scheduled event: {error}")
            return
        self.fired.append((schedule.label, when))
        self.notice(f"{schedule.label}: fired at {when:%H:%M:%S}")

    @staticmethod
    def _now() -> datetime.datetime:
        return datetime.datetime.now(datetime.UTC)
