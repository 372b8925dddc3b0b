"""The manifest's event sources on the local AWS: the parts of this package, wired to functions.

`EventSources.start()` creates what the manifest declares, then for each
function: its asynchronous queue (S3, schedules and function destinations
submit there), a poller per SQS and stream trigger, an SQS-backed subscription
per SNS trigger, a rule with an SQS target per eventBridge trigger (the local
AWS applies filter policies and event patterns), and the schedules. What is
started for one function is its `SourceGroup`: `restart` stops and wires again
only the functions named, the others keep running.
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from wasmdeploy.local.lambda_environment import LOCAL_ACCOUNT_ID, function_arn
from wasmdeploy.local.sources.async_queue import (
    LOCAL_RETRY_DELAYS,
    AsyncQueue,
    AsyncSettings,
    body_as_event,
)
from wasmdeploy.local.sources.delivery import Deliver
from wasmdeploy.local.sources.destinations import Destinations
from wasmdeploy.local.sources.local_resources import LocalResources, create_local_resources
from wasmdeploy.local.sources.queue_bodies import (
    queue_arn_of,
    rule_arn,
    rule_inputs,
    sns_events,
    submit_bytes,
)
from wasmdeploy.local.sources.scheduler import LocalSchedule
from wasmdeploy.local.sources.source_group import SourceGroup
from wasmdeploy.local.sources.sqs_poller import SqsMapping, SqsPoller
from wasmdeploy.local.sources.stream_poller import StreamMapping, StreamPoller
from wasmdeploy.local.sources.stream_records import DynamoDbShards, KinesisShards, ShardSource
from wasmdeploy.manifest.model import Function, Service
from wasmdeploy.manifest.model_events import DEFAULT_BUS, SnsTrigger
from wasmdeploy.manifest.rule_names import event_rule_name, schedule_rule_name
from wasmdeploy.manifest.schedule_expression import parse

Notice = Callable[[str], None]
ClientFor = Callable[[str], Any]
_INTERNAL = "wasmdeploy-local"


def _internal_queue_name(kind: str, function: Function, index: int | None = None) -> str:
    name = re.sub(r"[^A-Za-z0-9_-]", "-", function.name)[:48]
    return f"{_INTERNAL}-{kind}-{name}" + ("" if index is None else f"-{index}")


class EventSources:
    def __init__(
        self,
        client_for: ClientFor,
        service: Service,
        delivery: Mapping[str, Deliver],
        notice: Notice,
        *,
        retry_delays: tuple[int, ...] = LOCAL_RETRY_DELAYS,
        run_schedules_now: bool = False,
    ) -> None:
        self.client_for = client_for
        self.service = service
        self.delivery = delivery  # function name -> how to invoke it
        self.notice = notice
        self.retry_delays = retry_delays
        self.run_schedules_now = run_schedules_now
        self.function_arns = {f.name: function_arn(service, f) for f in service.functions}
        self.destinations = Destinations(client_for)
        self.async_queues: dict[str, AsyncQueue] = {}  # function name -> its direct queue
        self.groups: dict[str, SourceGroup] = {}  # function name -> what was started for it
        self.resources = LocalResources(service.region)
        self._sqs: Any = None

    def start(self) -> None:
        self._sqs = self.client_for("sqs")
        self.resources = create_local_resources(self.client_for, self.service)
        for function in self.service.functions:
            if function.name in self.delivery:
                self._start_group(function, fire_now=self.run_schedules_now)

    def stop(self) -> None:
        for group in reversed(self.groups.values()):
            group.stop()

    def restart(
        self, service: Service, delivery: Mapping[str, Deliver], names: Iterable[str]
    ) -> None:
        """Serve `service` (same event resources): the named functions' sources are stopped
        and wired again (or only stopped, for a function no longer served)."""
        self.service, self.delivery = service, delivery
        self.function_arns = {f.name: function_arn(service, f) for f in service.functions}
        functions = {f.name: f for f in service.functions if f.name in delivery}
        for name in names:
            old = self.groups.pop(name, None)
            if old is not None:
                old.stop()
            new = self._start_group(functions[name]) if name in functions else None
            if new is None:
                queue = self.async_queues.pop(name, None)
                if queue is not None:
                    self.destinations.functions.pop(queue.settings.function_arn, None)
            if old is not None:
                old.release(new, self.client_for)

    def fire_all(self) -> None:
        """Fire every schedule once now (`serve --run-schedules-now`)."""
        for group in self.groups.values():
            if group.scheduler is not None:
                group.scheduler.fire_all()

    def next_fires(self) -> list[tuple[LocalSchedule, datetime.datetime]]:
        return [
            fire
            for group in self.groups.values()
            if group.scheduler is not None
            for fire in group.scheduler.next_fires()
        ]

    def _start_group(self, function: Function, *, fire_now: bool = False) -> SourceGroup:
        group = SourceGroup()
        # Every function can be invoked asynchronously; the queue is kept (by its name)
        # across restarts, and submitting to the old one meanwhile still reaches it.
        queue = self.async_queues[function.name] = self._async_queue(group, function, "async")
        self.destinations.functions[self.function_arns[function.name]] = submit_bytes(queue)
        self._wire_sqs(group, function)
        self._wire_streams(group, function)
        self._wire_sns(group, function)
        self._wire_event_bridge(group, function)
        self._wire_schedules(group, function)
        group.start(region=self.service.region, notice=self.notice, fire_now=fire_now)
        self.groups[function.name] = group
        return group

    def submit_async(self, function_name: str, event: Any) -> None:
        """Invoke a function asynchronously (how S3 notifications reach it)."""
        self.async_queues[function_name].submit(event)

    def _settings(self, function: Function) -> AsyncSettings:
        config = function.async_config
        function_arns = self.function_arns
        if config is None:
            return AsyncSettings(self.function_arns[function.name], float(function.timeout))
        return AsyncSettings(
            function_arn=function_arns[function.name],
            timeout=float(function.timeout),
            maximum_retry_attempts=config.maximum_retry_attempts,
            maximum_event_age=config.maximum_event_age or AsyncSettings.maximum_event_age,
            retry_delays=self.retry_delays,
            on_success=self._arn_of(config.on_success),
            on_failure=self._arn_of(config.on_failure),
        )

    def _arn_of(self, destination: Any) -> str | None:
        if destination is None:
            return None
        return self.resources.destination_arn(destination, self.function_arns)

    def _async_queue(
        self,
        group: SourceGroup,
        function: Function,
        kind: str,
        index: int | None = None,
        to_event: Callable[[str], Any] = body_as_event,
    ) -> AsyncQueue:
        name = _internal_queue_name(kind, function, index)
        url = self._sqs.create_queue(QueueName=name)["QueueUrl"]
        queue = AsyncQueue(
            self._sqs,
            url,
            self.delivery[function.name],
            self._settings(function),
            self.destinations,
            label=f"{kind} -> {function.name}",
            notice=self.notice,
            to_event=to_event,
        )
        group.parts.append(queue)
        return queue

    def _wire_sqs(self, group: SourceGroup, function: Function) -> None:
        for trigger in function.events.sqs:
            if not trigger.enabled:
                continue
            mapping = SqsMapping(
                queue_url=self.resources.queue_urls[trigger.queue],
                queue_arn=self.resources.queue_arn(trigger.queue),
                batch_size=trigger.batch_size,
                window=float(trigger.maximum_batching_window),
                report_failures=trigger.report_batch_item_failures,
                concurrency=min(trigger.maximum_concurrency or 2, 4),
                filter_patterns=trigger.filter_patterns,
            )
            group.parts.append(
                SqsPoller(
                    self.client_for("sqs"),
                    mapping,
                    self.delivery[function.name],
                    region=self.service.region,
                    label=f"sqs {trigger.queue} -> {function.name}",
                    notice=self.notice,
                )
            )

    def _wire_streams(self, group: SourceGroup, function: Function) -> None:
        role = f"arn:aws:iam::{LOCAL_ACCOUNT_ID}:role/{function.deployed_name}"
        for trigger in function.events.streams:
            if not trigger.enabled:
                continue
            source: ShardSource
            if trigger.type == "kinesis":
                source = KinesisShards(
                    self.client_for("kinesis"), trigger.stream, region=self.service.region,
                    role_arn=role,
                )  # fmt: skip
            else:
                stream_arn = self.resources.table_streams[trigger.stream]
                source = DynamoDbShards(
                    self.client_for("dynamodbstreams"), stream_arn, region=self.service.region
                )
            mapping = StreamMapping(
                batch_size=trigger.batch_size,
                window=float(trigger.batch_window),
                starting_position=trigger.starting_position,
                starting_timestamp=trigger.starting_position_timestamp,
                max_retry_attempts=trigger.maximum_retry_attempts,
                max_record_age=trigger.maximum_record_age,
                bisect=trigger.bisect_batch_on_function_error,
                report_failures=trigger.report_batch_item_failures,
                on_failure=self._arn_of(trigger.on_failure),
                filter_patterns=trigger.filter_patterns,
                tumbling_window=trigger.tumbling_window or 0,
            )
            group.parts.append(
                StreamPoller(
                    source,
                    mapping,
                    self.delivery[function.name],
                    self.destinations,
                    function_arn=self.function_arns[function.name],
                    label=f"{trigger.type} {trigger.stream} -> {function.name}",
                    notice=self.notice,
                )
            )

    def _wire_sns(self, group: SourceGroup, function: Function) -> None:
        sns = self.client_for("sns")
        for index, trigger in enumerate(function.events.sns):
            topic_arn = self.resources.topic_arn(trigger.topic)
            holder: dict[str, str] = {}
            queue = self._async_queue(group, function, "sns", index, sns_events(holder))
            queue_arn = queue_arn_of(self._sqs, queue.queue_url)
            # An existing subscription (a restart) is returned as it was: set its policy.
            arn = sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn)[
                "SubscriptionArn"
            ]
            _set_filter_policy(sns, arn, trigger)
            holder["arn"] = arn
            group.subscriptions.add(arn)

    def _wire_event_bridge(self, group: SourceGroup, function: Function) -> None:
        events = self.client_for("events")
        for index, trigger in enumerate(function.events.event_bridge):
            if not trigger.enabled:
                continue
            rule = event_rule_name(function, index)
            bus = trigger.event_bus or DEFAULT_BUS
            if trigger.schedule is not None:
                arn = rule_arn(self.service.region, bus, rule)
                group.schedules.append(
                    LocalSchedule(
                        label=f"{trigger.schedule} -> {function.name}",
                        rule_arn=arn,
                        schedule=parse(trigger.schedule),
                        submit=self.async_queues[function.name].submit,
                        input=trigger.input,
                    )
                )
                continue
            rule_input = rule_inputs(trigger, self.service.region)
            queue = self._async_queue(group, function, "events", index, rule_input)
            events.put_rule(
                Name=rule, EventBusName=bus, EventPattern=json.dumps(trigger.pattern or {})
            )
            events.put_targets(
                Rule=rule,
                EventBusName=bus,
                Targets=[{"Id": "1", "Arn": queue_arn_of(self._sqs, queue.queue_url)}],
            )
            group.rules.add((bus, rule))

    def _wire_schedules(self, group: SourceGroup, function: Function) -> None:
        for index, trigger in enumerate(function.events.schedules):
            if not trigger.enabled:
                continue
            pairs = zip(trigger.expressions, trigger.schedules, strict=True)
            for number, (expression, parsed) in enumerate(pairs):
                rule = schedule_rule_name(function, index, number)
                group.schedules.append(
                    LocalSchedule(
                        label=f"{expression} -> {function.name}",
                        rule_arn=rule_arn(self.service.region, DEFAULT_BUS, rule),
                        schedule=parsed,
                        submit=self.async_queues[function.name].submit,
                        input=trigger.input,
                        timezone=trigger.timezone if trigger.method == "scheduler" else None,
                    )
                )


def _set_filter_policy(sns: Any, arn: str, trigger: SnsTrigger) -> None:
    """The trigger's filter policy on its subscription; "" removes a policy it had."""
    policy = trigger.filter_policy
    if policy is not None:  # the scope first: the policy is checked against it
        scope = trigger.filter_policy_scope
        sns.set_subscription_attributes(
            SubscriptionArn=arn, AttributeName="FilterPolicyScope", AttributeValue=scope
        )
    value = "" if policy is None else json.dumps(policy)
    sns.set_subscription_attributes(
        SubscriptionArn=arn, AttributeName="FilterPolicy", AttributeValue=value
    )
