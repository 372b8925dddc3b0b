"""The names of the EventBridge rules and Scheduler schedules a function's triggers become.

One naming for the deployed stack, `serve`'s local rules and `invoke`'s sample
events, so a rule's ARN in an event is the same locally and on AWS: the name the
manifest gives, else `{function}-schedule-N` (N the trigger's index, `-M` added
for its second and later expressions) or `{function}-rule-N`, shortened with a
hash to EventBridge's 64 characters.
"""

from __future__ import annotations

import hashlib

from wasmdeploy.manifest.model import Function

MAX_RULE_NAME = 64


def rule_name(base: str, suffix: str) -> str:
    """`{base}-{suffix}`, shortened with a hash to EventBridge's 64 characters."""
    name = f"{base}-{suffix}"
    if len(name) <= MAX_RULE_NAME:
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:8]
    return f"{base[: MAX_RULE_NAME - len(suffix) - 10]}-{digest}-{suffix}"


def schedule_rule_name(function: Function, index: int, number: int = 0) -> str:
    """The rule (or Scheduler schedule) of expression `number` of schedule trigger `index`."""
    name = function.events.schedules[index].name
    suffix = f"schedule-{index}" + (f"-{number}" if number else "")
    return name if name and number == 0 else rule_name(function.deployed_name, suffix)


def event_rule_name(function: Function, index: int) -> str:
    """The rule of eventBridge trigger `index`."""
    return function.events.event_bridge[index].name or rule_name(
        function.deployed_name, f"rule-{index}"
    )
