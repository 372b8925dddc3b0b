"""Wire a service's schedule, SQS, stream, SNS and EventBridge sources to its functions.

Created resources first (queues with their DLQs, streams, topics, buses), then per
function: its event-source policy, its mappings, subscriptions and rules, and its
asynchronous-invocation config. A source the manifest names by ARN is used as is;
one it names only by name is the one created here.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Mapping
from typing import Any

import pulumi
import pulumi_aws as aws

from wasmdeploy.manifest.model import Function, Service
from wasmdeploy.manifest.model_events import Destination, DestinationType
from wasmdeploy.stacks.async_invoke import AsyncInvokeArgs, AsyncInvokeConfig
from wasmdeploy.stacks.event_access import EventAccess, EventAccessArgs
from wasmdeploy.stacks.event_mappings import EventMapping, EventMappingArgs
from wasmdeploy.stacks.event_rules import (
    FunctionRule,
    FunctionRuleArgs,
    RuleSpec,
    ServiceBuses,
    ServiceBusesArgs,
)
from wasmdeploy.stacks.function import WasmFunction
from wasmdeploy.stacks.queues import ServiceQueues, ServiceQueuesArgs
from wasmdeploy.stacks.schedules import FunctionSchedule, FunctionScheduleArgs, ScheduleSpec
from wasmdeploy.stacks.streams import ServiceStreams, ServiceStreamsArgs
from wasmdeploy.stacks.topics import (
    ServiceTopics,
    ServiceTopicsArgs,
    TopicSubscription,
    TopicSubscriptionArgs,
)

MAX_RULE_NAME = 64


def rule_name(base: str, suffix: str) -> str:
    """`{function}-{suffix}`, shortened with a hash to EventBridge's 64 characters."""
    name = f"{base}-{suffix}"
    if len(name) <= MAX_RULE_NAME:
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:8]
    return f"{base[: MAX_RULE_NAME - len(suffix) - 10]}-{digest}-{suffix}"


class _Created:
    """The resources the service creates, by name; a component only for kinds it has."""

    def __init__(self, service: Service, tags: Mapping[str, str], opts: pulumi.ResourceOptions):
        resources = service.event_resources
        self.components: list[pulumi.Resource] = []
        self.queue_arns: dict[str, pulumi.Output[str]] = {}
        self.queue_urls: dict[str, pulumi.Output[str]] = {}
        self.stream_arns: dict[str, pulumi.Output[str]] = {}
        self.topic_arns: dict[str, pulumi.Output[str]] = {}
        self.bus_names: dict[str, pulumi.Output[str]] = {}
        if resources.queues:
            queues = ServiceQueues("queues", ServiceQueuesArgs(resources.queues, tags), opts)
            self.queue_arns, self.queue_urls = queues.arns, queues.urls
            self.components.append(queues)
        if resources.streams:
            streams = ServiceStreams("streams", ServiceStreamsArgs(resources.streams, tags), opts)
            self.stream_arns = streams.arns
            self.components.append(streams)
        if resources.topics:
            topics = ServiceTopics("topics", ServiceTopicsArgs(resources.topics, tags), opts)
            self.topic_arns = topics.arns
            self.components.append(topics)
        if resources.event_buses:
            buses = ServiceBuses("event-buses", ServiceBusesArgs(resources.event_buses, tags), opts)
            self.bus_names = buses.names

    def destination_arn(
        self, destination: Destination, functions: Mapping[str, WasmFunction]
    ) -> pulumi.Input[str]:
        if destination.arn is not None:
            return destination.arn
        name = destination.name or ""
        if destination.type == "function":
            return functions[name].arn
        if destination.type == "sns":
            return self.topic_arns[name]
        return self.queue_arns[name]


def _consumers(
    function: Function, created: _Created, opts: pulumi.ResourceOptions
) -> dict[int, pulumi.Input[str]]:
    """Kinesis enhanced fan-out: the consumer ARN of each stream trigger that has one."""
    consumers: dict[int, pulumi.Input[str]] = {}
    for index, stream in enumerate(function.events.streams):
        if isinstance(stream.consumer, str):
            consumers[index] = stream.consumer
        elif stream.consumer is True:
            consumers[index] = aws.kinesis.StreamConsumer(
                f"{function.name}-stream-{index}-consumer",
                name=f"{function.deployed_name}-{index}",
                stream_arn=stream.arn or created.stream_arns[stream.stream],
                opts=opts,
            ).arn
    return consumers


def _access(
    function: Function,
    component: WasmFunction,
    created: _Created,
    functions: Any,
    consumers: Mapping[int, pulumi.Input[str]],
) -> EventAccessArgs:
    sources = function.events
    queues = [t.arn or created.queue_arns[t.queue] for t in sources.sqs]
    kinesis = [
        t.arn or created.stream_arns[t.stream] for t in sources.streams if t.type == "kinesis"
    ]
    dynamodb = [t.arn for t in sources.streams if t.type == "dynamodb" and t.arn]
    targets: list[tuple[DestinationType, pulumi.Input[str]]] = []
    for stream in sources.streams:
        if stream.on_failure is not None:
            arn = created.destination_arn(stream.on_failure, functions)
            targets.append((stream.on_failure.type, arn))
    config = function.async_config
    for destination in (config.on_failure, config.on_success) if config else ():
        if destination is not None:
            targets.append((destination.type, created.destination_arn(destination, functions)))
    return EventAccessArgs(
        function=component,
        queues=queues,
        kinesis_streams=kinesis,
        dynamodb_streams=dynamodb,
        kinesis_consumers=list(consumers.values()),
        targets=targets,
    )


def _schedules(function: Function) -> list[ScheduleSpec]:
    """`schedule` events with `method: scheduler`: one Scheduler schedule per expression."""
    specs: list[ScheduleSpec] = []
    for index, schedule in enumerate(function.events.schedules):
        if schedule.method != "scheduler":
            continue
        for number, expression in enumerate(schedule.expressions):
            specs.append(
                ScheduleSpec(
                    schedule_name=_schedule_name(function, schedule.name, index, number),
                    expression=expression,
                    timezone=schedule.timezone,
                    description=schedule.description,
                    enabled=schedule.enabled,
                    input=schedule.input,
                )
            )
    return specs


def _schedule_name(function: Function, name: str | None, index: int, number: int) -> str:
    suffix = f"schedule-{index}" + (f"-{number}" if number else "")
    return name if name and number == 0 else rule_name(function.deployed_name, suffix)


def _rules(function: Function) -> list[RuleSpec]:
    """Rules for `schedule` events (method eventBus, the default) and `eventBridge` events."""
    specs: list[RuleSpec] = []
    base = function.deployed_name
    for index, schedule in enumerate(function.events.schedules):
        if schedule.method == "scheduler":
            continue
        for number, expression in enumerate(schedule.expressions):
            name = _schedule_name(function, schedule.name, index, number)
            specs.append(
                RuleSpec(
                    rule_name=name,
                    schedule=expression,
                    description=schedule.description,
                    enabled=schedule.enabled,
                    input=schedule.input,
                    input_path=schedule.input_path,
                    input_transformer=schedule.input_transformer,
                )
            )
    for index, rule in enumerate(function.events.event_bridge):
        specs.append(
            RuleSpec(
                rule_name=rule.name or rule_name(base, f"rule-{index}"),
                event_bus=rule.bus_arn or rule.event_bus,
                pattern=rule.pattern,
                schedule=rule.schedule,
                description=rule.description,
                enabled=rule.enabled,
                input=rule.input,
                input_path=rule.input_path,
                input_transformer=rule.input_transformer,
                retry_maximum_event_age=rule.retry_maximum_event_age,
                retry_maximum_attempts=rule.retry_maximum_attempts,
                dead_letter_arn=rule.dead_letter_arn,
            )
        )
    return specs


def declare_function_sources(
    function: Function,
    component: WasmFunction,
    created: _Created,
    functions: Mapping[str, WasmFunction],
    opts: pulumi.ResourceOptions,
) -> None:
    name = function.name
    sources = function.events
    consumers = _consumers(function, created, opts)
    access_args = _access(function, component, created, functions, consumers)
    after: list[pulumi.Resource] = list(created.components)
    if not access_args.empty:
        access = EventAccess(f"{name}-event-access", access_args, opts)
        after.append(access)
    for index, sqs in enumerate(sources.sqs):
        arn = sqs.arn or created.queue_arns[sqs.queue]
        EventMapping(
            f"{name}-sqs-{index}", EventMappingArgs(component, sqs, arn, depends_on=after), opts
        )
    for index, stream in enumerate(sources.streams):
        arn = stream.arn or created.stream_arns[stream.stream]
        failure = (
            created.destination_arn(stream.on_failure, functions) if stream.on_failure else None
        )
        consumer = consumers.get(index)
        mapping = EventMappingArgs(component, stream, arn, failure, consumer, depends_on=after)
        EventMapping(f"{name}-stream-{index}", mapping, opts)
    for index, sns in enumerate(sources.sns):
        topic = sns.arn or created.topic_arns[sns.topic]
        TopicSubscription(f"{name}-sns-{index}", TopicSubscriptionArgs(component, sns, topic), opts)
    buses = created.bus_names
    for index, spec in enumerate(_rules(function)):
        if isinstance(spec.event_bus, str) and spec.event_bus in buses:
            spec = dataclasses.replace(spec, event_bus=buses[spec.event_bus])
        FunctionRule(f"{name}-rule-{index}", FunctionRuleArgs(component, spec), opts)
    for index, schedule_spec in enumerate(_schedules(function)):
        FunctionSchedule(
            f"{name}-schedule-{index}", FunctionScheduleArgs(component, schedule_spec), opts
        )
    config = function.async_config
    if config is not None:
        on_failure = (
            created.destination_arn(config.on_failure, functions) if config.on_failure else None
        )
        on_success = (
            created.destination_arn(config.on_success, functions) if config.on_success else None
        )
        AsyncInvokeConfig(
            f"{name}-async",
            AsyncInvokeArgs(component, config, on_failure, on_success, depends_on=after),
            opts,
        )


def declare_event_sources(
    service: Service,
    functions: Mapping[str, WasmFunction],
    tags: Mapping[str, str],
    opts: pulumi.ResourceOptions,
) -> dict[str, Any]:
    """Declare every event source; the stack outputs naming what was created."""
    has_sources = any(
        not f.events.is_empty or f.async_config is not None for f in service.functions
    )
    if not has_sources:
        return {}
    created = _Created(service, tags, opts)
    for function in service.functions:
        declare_function_sources(function, functions[function.name], created, functions, opts)
    named = (
        ("queues", created.queue_urls),
        ("streams", created.stream_arns),
        ("topics", created.topic_arns),
        ("eventBuses", created.bus_names),
    )
    return {key: values for key, values in named if values}
