"""The manifest's event sources on the local AWS: the parts of this package, wired to functions.

`EventSources.start()` creates what the manifest declares, then for each
function: its asynchronous queue (S3, schedules and function destinations
submit there), a poller per SQS and stream trigger, an SQS-backed subscription
per SNS trigger, a rule with an SQS target per eventBridge trigger (the local
AWS applies filter policies and event patterns), and the schedules.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
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
from wasmdeploy.local.sources.queue_events import eventbridge_event, select_input, sns_event
from wasmdeploy.local.sources.scheduler import LocalSchedule, Scheduler
from wasmdeploy.local.sources.sqs_poller import SqsMapping, SqsPoller
from wasmdeploy.local.sources.stream_poller import StreamMapping, StreamPoller
from wasmdeploy.local.sources.stream_records import DynamoDbShards, KinesisShards, ShardSource
from wasmdeploy.manifest.model import Function, Service
from wasmdeploy.manifest.model_events import DEFAULT_BUS, EventBridgeTrigger
from wasmdeploy.manifest.schedule_expression import parse

Notice = Callable[[str], None]
ClientFor = Callable[[str], Any]
_INTERNAL = "wasmdeploy-local"


def has_event_sources(function: Function) -> bool:
    return not function.events.is_empty


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
        self.parts: list[Any] = []  # everything started, stopped in reverse
        self.resources = LocalResources(service.region)
        self.scheduler = Scheduler([], region=service.region, notice=notice)
        self._sqs: Any = None

    def start(self) -> None:
        service = self.service
        self._sqs = self.client_for("sqs")
        self.resources = create_local_resources(self.client_for, service)
        served = [f for f in service.functions if f.name in self.delivery]
        for function in served:  # every function can be invoked asynchronously
            self.async_queues[function.name] = self._async_queue(function, "async")
        for name, queue in self.async_queues.items():
            self.destinations.functions[self.function_arns[name]] = _submit_bytes(queue)
        schedules: list[LocalSchedule] = []
        for function in served:
            self._wire_sqs(function)
            self._wire_streams(function)
            self._wire_sns(function)
            schedules.extend(self._wire_event_bridge(function))
            schedules.extend(self._schedules(function))
        self.scheduler = Scheduler(schedules, region=service.region, notice=self.notice)
        for part in self.parts:
            part.start()
        self.scheduler.start(fire_now=self.run_schedules_now)

    def stop(self) -> None:
        self.scheduler.stop()
        for part in reversed(self.parts):
            part.stop()

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
        self.parts.append(queue)
        return queue

    def _wire_sqs(self, function: Function) -> None:
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
            self.parts.append(
                SqsPoller(
                    self.client_for("sqs"),
                    mapping,
                    self.delivery[function.name],
                    region=self.service.region,
                    label=f"sqs {trigger.queue} -> {function.name}",
                    notice=self.notice,
                )
            )

    def _wire_streams(self, function: Function) -> None:
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
            self.parts.append(
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

    def _wire_sns(self, function: Function) -> None:
        sns = self.client_for("sns")
        for index, trigger in enumerate(function.events.sns):
            topic_arn = self.resources.topic_arn(trigger.topic)
            holder: dict[str, str] = {}
            queue = self._async_queue(function, "sns", index, _sns_events(holder))
            attributes: dict[str, str] = {}
            if trigger.filter_policy is not None:
                attributes["FilterPolicy"] = json.dumps(trigger.filter_policy)
                attributes["FilterPolicyScope"] = trigger.filter_policy_scope
            queue_arn = _queue_arn_of(self._sqs, queue.queue_url)
            reply = sns.subscribe(
                TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn, Attributes=attributes
            )
            holder["arn"] = reply["SubscriptionArn"]

    def _wire_event_bridge(self, function: Function) -> list[LocalSchedule]:
        events = self.client_for("events")
        schedules = []
        for index, trigger in enumerate(function.events.event_bridge):
            if not trigger.enabled:
                continue
            rule = trigger.name or f"{function.deployed_name}-rule-{index + 1}"
            bus = trigger.event_bus or DEFAULT_BUS
            if trigger.schedule is not None:
                arn = _rule_arn(self.service.region, bus, rule)
                schedules.append(
                    LocalSchedule(
                        label=f"{trigger.schedule} -> {function.name}",
                        rule_arn=arn,
                        schedule=parse(trigger.schedule),
                        submit=self.async_queues[function.name].submit,
                        input=trigger.input,
                    )
                )
                continue
            rule_input = _rule_inputs(trigger, self.service.region)
            queue = self._async_queue(function, "events", index, rule_input)
            events.put_rule(
                Name=rule, EventBusName=bus, EventPattern=json.dumps(trigger.pattern or {})
            )
            events.put_targets(
                Rule=rule,
                EventBusName=bus,
                Targets=[{"Id": "1", "Arn": _queue_arn_of(self._sqs, queue.queue_url)}],
            )
        return schedules

    def _schedules(self, function: Function) -> list[LocalSchedule]:
        schedules = []
        for index, trigger in enumerate(function.events.schedules):
            if not trigger.enabled:
                continue
            rule = trigger.name or f"{function.deployed_name}-schedule-{index + 1}"
            for expression, parsed in zip(trigger.expressions, trigger.schedules, strict=True):
                schedules.append(
                    LocalSchedule(
                        label=f"{expression} -> {function.name}",
                        rule_arn=_rule_arn(self.service.region, DEFAULT_BUS, rule),
                        schedule=parsed,
                        submit=self.async_queues[function.name].submit,
                        input=trigger.input,
                        timezone=trigger.timezone if trigger.method == "scheduler" else None,
                    )
                )
        return schedules


def _sns_events(subscription: dict[str, str]) -> Callable[[str], Any]:
    """The SNS envelope a subscription queue holds -> the SNS event (its ARN known once made)."""
    return lambda body: sns_event(json.loads(body), subscription_arn=subscription["arn"])


def _rule_inputs(trigger: EventBridgeTrigger, region: str) -> Callable[[str], Any]:
    """The event a rule's target queue holds -> what the target gets (input, path, transformer)."""
    return lambda body: _rule_target_input(
        trigger, eventbridge_event(json.loads(body), region=region)
    )


def _submit_bytes(queue: AsyncQueue) -> Callable[[bytes], None]:
    return lambda body: queue.submit(json.loads(body))


def _queue_arn_of(sqs: Any, url: str) -> str:
    reply = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
    return str(reply["Attributes"]["QueueArn"])


def _rule_arn(region: str, bus: str, rule: str) -> str:
    where = rule if bus == DEFAULT_BUS else f"{bus}/{rule}"
    return f"arn:aws:events:{region}:{LOCAL_ACCOUNT_ID}:rule/{where}"


def _rule_target_input(trigger: EventBridgeTrigger, event: dict[str, Any]) -> Any:
    transformer = trigger.input_transformer
    if transformer is not None:
        text = transformer.input_template
        for name, path in transformer.input_paths_map.items():
            value = select_input(event, input_path=path)
            text = text.replace(f"<{name}>", value if isinstance(value, str) else json.dumps(value))
        try:
            return json.loads(text)
        except ValueError:
            return text
    return select_input(event, input_value=trigger.input, input_path=trigger.input_path)
