"""Wire a service's schedule, SQS, stream, SNS and EventBridge sources to its functions.

Created resources first (queues with their DLQs, streams, topics, buses), then per
function: its event-source policy, its mappings, subscriptions and rules, and its
asynchronous-invocation config. A source the manifest names by ARN is used as is;
one it names only by name is the one created here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pulumi
import pulumi_aws as aws

from wasmdeploy.manifest.model import Function, Service
from wasmdeploy.manifest.model_events import (
    Destination,
    DestinationType,
    EventBridgeTrigger,
    SnsTrigger,
    SqsTrigger,
    StreamTrigger,
)
from wasmdeploy.stacks.async_invoke import AsyncInvokeArgs, AsyncInvokeConfig
from wasmdeploy.stacks.event_access import EventAccess, EventAccessArgs
from wasmdeploy.stacks.event_mappings import EventMapping, EventMappingArgs
from wasmdeploy.stacks.event_rules import (
    FunctionRule,
    FunctionRuleArgs,
    ServiceBuses,
    ServiceBusesArgs,
)
from wasmdeploy.stacks.function import WasmFunction
from wasmdeploy.stacks.queues import ServiceQueues, ServiceQueuesArgs
from wasmdeploy.stacks.rule_specs import rule_specs, schedule_specs
from wasmdeploy.stacks.schedules import FunctionSchedule, FunctionScheduleArgs
from wasmdeploy.stacks.streams import ServiceStreams, ServiceStreamsArgs
from wasmdeploy.stacks.topics import (
    ServiceTopics,
    ServiceTopicsArgs,
    TopicSubscription,
    TopicSubscriptionArgs,
)

Resolve = Callable[[Any], pulumi.Input[Any]]


def as_written(value: Any) -> pulumi.Input[Any]:
    """No resources stack: a value is used as written."""
    return value


class _Created:
    """The resources the service creates, by name; a component only for kinds it has."""

    def __init__(
        self,
        service: Service,
        tags: Mapping[str, str],
        opts: pulumi.ResourceOptions,
        resolve: Resolve,
    ):
        resources = service.event_resources
        self.resolve = resolve  # a `resources:` intrinsic -> the value CloudFormation gave it
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

    def _source(
        self, arn: str | None, reference: Any, created: Mapping[str, Any], name: str
    ) -> pulumi.Input[str]:
        """An ARN as written, a `resources:` reference's value, or what was created here."""
        if arn is not None:
            return arn
        if reference is not None:
            return self.resolve(reference)
        return created[name]

    def queue_arn(self, trigger: SqsTrigger) -> pulumi.Input[str]:
        return self._source(trigger.arn, trigger.arn_reference, self.queue_arns, trigger.queue)

    def stream_arn(self, trigger: StreamTrigger) -> pulumi.Input[str]:
        return self._source(trigger.arn, trigger.arn_reference, self.stream_arns, trigger.stream)

    def topic_arn(self, trigger: SnsTrigger) -> pulumi.Input[str]:
        return self._source(trigger.arn, trigger.arn_reference, self.topic_arns, trigger.topic)

    def bus(self, trigger: EventBridgeTrigger) -> pulumi.Input[str]:
        """The rule's bus: its ARN, a `resources:` bus, a created bus's name, or default."""
        names: dict[str, pulumi.Input[str]] = {
            trigger.event_bus: trigger.event_bus,
            **self.bus_names,
        }
        return self._source(trigger.bus_arn, trigger.bus_reference, names, trigger.event_bus)

    def destination_arn(
        self, destination: Destination, functions: Mapping[str, WasmFunction]
    ) -> pulumi.Input[str]:
        created: Mapping[str, pulumi.Input[str]]
        if destination.type == "function":
            created = {name: function.arn for name, function in functions.items()}
        else:
            created = self.topic_arns if destination.type == "sns" else self.queue_arns
        name = destination.name or ""
        return self._source(destination.arn, destination.arn_reference, created, name)


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
                stream_arn=created.stream_arn(stream),
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
    queues = [created.queue_arn(t) for t in sources.sqs]
    kinesis = [created.stream_arn(t) for t in sources.streams if t.type == "kinesis"]
    dynamodb = [created.stream_arn(t) for t in sources.streams if t.type == "dynamodb"]
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
        arn = created.queue_arn(sqs)
        EventMapping(
            f"{name}-sqs-{index}", EventMappingArgs(component, sqs, arn, depends_on=after), opts
        )
    for index, stream in enumerate(sources.streams):
        arn = created.stream_arn(stream)
        failure = (
            created.destination_arn(stream.on_failure, functions) if stream.on_failure else None
        )
        consumer = consumers.get(index)
        mapping = EventMappingArgs(component, stream, arn, failure, consumer, depends_on=after)
        EventMapping(f"{name}-stream-{index}", mapping, opts)
    for index, sns in enumerate(sources.sns):
        topic = created.topic_arn(sns)
        TopicSubscription(f"{name}-sns-{index}", TopicSubscriptionArgs(component, sns, topic), opts)
    for index, spec in enumerate(rule_specs(function, created.bus)):
        FunctionRule(f"{name}-rule-{index}", FunctionRuleArgs(component, spec), opts)
    for index, schedule_spec in enumerate(schedule_specs(function)):
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
    resolve: Resolve = as_written,
) -> dict[str, Any]:
    """Declare every event source; the stack outputs naming what was created.

    `resolve` turns a `resources:` intrinsic into its value (`IntrinsicResolver.resolve`)."""
    has_sources = any(
        not f.events.is_empty or f.async_config is not None for f in service.functions
    )
    if not has_sources:
        return {}
    created = _Created(service, tags, opts, resolve)
    for function in service.functions:
        declare_function_sources(function, functions[function.name], created, functions, opts)
    named = (
        ("queues", created.queue_urls),
        ("streams", created.stream_arns),
        ("topics", created.topic_arns),
        ("eventBuses", created.bus_names),
    )
    return {key: values for key, values in named if values}
