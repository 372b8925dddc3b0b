"""From a function's `schedule` and `eventBridge` triggers to the rules and schedules to declare.

`schedule` events are EventBridge rules on the default bus (Serverless's default
`method: eventBus`), or Scheduler schedules with `method: scheduler`; each expression
of a trigger is one rule or schedule, named as `manifest.rule_names` says.
"""

from __future__ import annotations

from collections.abc import Callable

import pulumi

from wasmdeploy.manifest.model import Function
from wasmdeploy.manifest.model_events import EventBridgeTrigger
from wasmdeploy.manifest.rule_names import event_rule_name, schedule_rule_name
from wasmdeploy.stacks.event_rules import RuleSpec
from wasmdeploy.stacks.schedules import ScheduleSpec


def schedule_specs(function: Function) -> list[ScheduleSpec]:
    """`schedule` events with `method: scheduler`: one Scheduler schedule per expression."""
    specs: list[ScheduleSpec] = []
    for index, schedule in enumerate(function.events.schedules):
        if schedule.method != "scheduler":
            continue
        for number, expression in enumerate(schedule.expressions):
            specs.append(
                ScheduleSpec(
                    schedule_name=schedule_rule_name(function, index, number),
                    expression=expression,
                    timezone=schedule.timezone,
                    description=schedule.description,
                    enabled=schedule.enabled,
                    input=schedule.input,
                )
            )
    return specs


def rule_specs(
    function: Function, bus: Callable[[EventBridgeTrigger], pulumi.Input[str]]
) -> list[RuleSpec]:
    """Rules for `schedule` events (method eventBus, the default) and `eventBridge` events."""
    specs: list[RuleSpec] = []
    for index, schedule in enumerate(function.events.schedules):
        if schedule.method == "scheduler":
            continue
        for number, expression in enumerate(schedule.expressions):
            name = schedule_rule_name(function, index, number)
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
                rule_name=event_rule_name(function, index),
                event_bus=bus(rule),
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
