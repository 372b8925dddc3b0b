"""From a function's `schedule` and `eventBridge` triggers to the rules and schedules to declare.

`schedule` events are EventBridge rules on the default bus (Serverless's default
`method: eventBus`), or Scheduler schedules with `method: scheduler`; each expression
of a trigger is one rule or schedule, named by the manifest or `{function}-schedule-N`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import pulumi

from wasmdeploy.manifest.model import Function
from wasmdeploy.manifest.model_events import EventBridgeTrigger
from wasmdeploy.stacks.event_rules import RuleSpec
from wasmdeploy.stacks.schedules import ScheduleSpec

MAX_RULE_NAME = 64


def rule_name(base: str, suffix: str) -> str:
    """`{function}-{suffix}`, shortened with a hash to EventBridge's 64 characters."""
    name = f"{base}-{suffix}"
    if len(name) <= MAX_RULE_NAME:
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:8]
    return f"{base[: MAX_RULE_NAME - len(suffix) - 10]}-{digest}-{suffix}"


def schedule_specs(function: Function) -> list[ScheduleSpec]:
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


def rule_specs(
    function: Function, bus: Callable[[EventBridgeTrigger], pulumi.Input[str]]
) -> list[RuleSpec]:
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
