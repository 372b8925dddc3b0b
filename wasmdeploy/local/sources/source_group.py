"""One function's event sources, started and stopped together.

`serve` restarts the event sources of the functions whose triggers changed and
leaves the others running. A group holds what was started for one function (its
asynchronous queue, pollers, schedules) and what it made on the local AWS (SNS
subscriptions, EventBridge rules with a target). A restarted function's new
group is wired before the old one lets go of the subscriptions and rules it no
longer wants, so a message published meanwhile still lands in its queue: the
internal queues keep their names, and the new pollers read what the old ones left.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from wasmdeploy.local.sources.scheduler import LocalSchedule, Scheduler

Notice = Callable[[str], None]


@dataclass
class SourceGroup:
    parts: list[Any] = field(default_factory=list)  # started in order, stopped in reverse
    schedules: list[LocalSchedule] = field(default_factory=list)
    subscriptions: set[str] = field(default_factory=set)  # SNS subscription ARNs
    rules: set[tuple[str, str]] = field(default_factory=set)  # (bus, rule), target Id "1"
    scheduler: Scheduler | None = None

    def start(self, *, region: str, notice: Notice, fire_now: bool = False) -> None:
        for part in self.parts:
            part.start()
        self.scheduler = Scheduler(self.schedules, region=region, notice=notice)
        self.scheduler.start(fire_now=fire_now)

    def stop(self) -> None:
        if self.scheduler is not None:
            self.scheduler.stop()
        for part in reversed(self.parts):
            part.stop()

    def release(self, kept: SourceGroup | None, client_for: Callable[[str], Any]) -> None:
        """Remove the subscriptions and rules this (stopped) group made that `kept`, the
        function's new group, does not use; all of them when the function has none."""
        subscriptions = self.subscriptions - (kept.subscriptions if kept else set())
        rules = self.rules - (kept.rules if kept else set())
        if subscriptions:
            sns = client_for("sns")
            for arn in subscriptions:
                _gone_already_is_fine(sns.unsubscribe, SubscriptionArn=arn)
        if rules:
            events = client_for("events")
            for bus, rule in rules:
                _gone_already_is_fine(events.remove_targets, Rule=rule, EventBusName=bus, Ids=["1"])
                _gone_already_is_fine(events.delete_rule, Name=rule, EventBusName=bus)


def _gone_already_is_fine(call: Callable[..., Any], **arguments: Any) -> None:
    """A subscription or rule whose topic or bus was removed meanwhile is already gone."""
    try:
        call(**arguments)
    except ClientError as error:
        if "NotFound" not in error.response.get("Error", {}).get("Code", ""):
            raise
