"""EventBridge: the buses a service creates, and rules (patterns or schedules) targeting a function.

`schedule` events become EventBridge rules on the default bus, as Serverless's
default `method: eventBus` does; `method: scheduler` (needed for a time zone)
becomes an EventBridge Scheduler schedule (see `schedules`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

from wasmdeploy.manifest.model_events import DEFAULT_BUS, EventBus, InputTransformer
from wasmdeploy.stacks.function import WasmFunction

EVENTS_PRINCIPAL = "events.amazonaws.com"


@dataclass(frozen=True)
class ServiceBusesArgs:
    buses: Sequence[EventBus]
    tags: Mapping[str, str] = field(default_factory=dict)


class ServiceBuses(pulumi.ComponentResource):
    names: dict[str, pulumi.Output[str]]

    def __init__(
        self, name: str, args: ServiceBusesArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("wasmdeploy:aws:ServiceBuses", name, None, opts)
        self.buses = {
            bus.name: aws.cloudwatch.EventBus(
                f"{name}-{bus.name}",
                name=bus.name,
                tags=dict(args.tags),
                opts=pulumi.ResourceOptions(parent=self),
            )
            for bus in args.buses
        }
        self.names = {bus_name: b.name for bus_name, b in self.buses.items()}
        self.register_outputs({"arns": {n: b.arn for n, b in self.buses.items()}})


@dataclass(frozen=True)
class RuleSpec:
    """One rule: a pattern or a schedule expression, and what the target receives."""

    rule_name: str
    event_bus: pulumi.Input[str] = DEFAULT_BUS
    pattern: dict[str, Any] | None = None
    schedule: str | None = None
    description: str | None = None
    enabled: bool = True
    input: Any = None
    input_path: str | None = None
    input_transformer: InputTransformer | None = None
    retry_maximum_event_age: int | None = None
    retry_maximum_attempts: int | None = None
    dead_letter_arn: str | None = None


@dataclass(frozen=True)
class FunctionRuleArgs:
    function: WasmFunction
    rule: RuleSpec


def _input(value: Any) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True)


def _transformer(
    value: InputTransformer | None,
) -> aws.cloudwatch.EventTargetInputTransformerArgs | None:
    if value is None:
        return None
    return aws.cloudwatch.EventTargetInputTransformerArgs(
        input_template=value.input_template, input_paths=dict(value.input_paths_map) or None
    )


class FunctionRule(pulumi.ComponentResource):
    """A rule, the function as its target, and the permission for exactly that rule."""

    def __init__(
        self, name: str, args: FunctionRuleArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("wasmdeploy:aws:FunctionRule", name, None, opts)
        spec = args.rule
        child = pulumi.ResourceOptions(parent=self)
        self.rule = aws.cloudwatch.EventRule(
            f"{name}-rule",
            name=spec.rule_name,
            event_bus_name=spec.event_bus,
            event_pattern=json.dumps(spec.pattern, sort_keys=True) if spec.pattern else None,
            schedule_expression=spec.schedule,
            description=spec.description,
            state="ENABLED" if spec.enabled else "DISABLED",
            opts=child,
        )
        self.permission = aws.lambda_.Permission(
            f"{name}-invoke",
            action="lambda:InvokeFunction",
            function=args.function.name,
            principal=EVENTS_PRINCIPAL,
            source_arn=self.rule.arn,
            opts=child,
        )
        retry = None
        if spec.retry_maximum_event_age is not None or spec.retry_maximum_attempts is not None:
            retry = aws.cloudwatch.EventTargetRetryPolicyArgs(
                maximum_event_age_in_seconds=spec.retry_maximum_event_age,
                maximum_retry_attempts=spec.retry_maximum_attempts,
            )
        self.target = aws.cloudwatch.EventTarget(
            f"{name}-target",
            rule=self.rule.name,
            event_bus_name=spec.event_bus,
            arn=args.function.arn,
            input=_input(spec.input),
            input_path=spec.input_path,
            input_transformer=_transformer(spec.input_transformer),
            retry_policy=retry,
            dead_letter_config=(
                aws.cloudwatch.EventTargetDeadLetterConfigArgs(arn=spec.dead_letter_arn)
                if spec.dead_letter_arn
                else None
            ),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.permission]),
        )
        self.register_outputs({"ruleArn": self.rule.arn})
