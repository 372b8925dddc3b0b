"""S3 trigger checks that need key matching: recursive outputs and overlapping notifications.

An output key template (`processed/{stem}.png`) is a literal prefix, fields,
and a literal suffix; a field can be anything. A trigger matches keys with its
prefix and suffix. The template "may match" a trigger when some key the
template can produce satisfies both, which is decidable from the literals.
"""

from __future__ import annotations

import re
from typing import Any

from wasmdeploy.manifest import model, settings
from wasmdeploy.manifest.events import function_events
from wasmdeploy.manifest.problems import Problems

_FIELD = re.compile(r"\{[a-z]+\}")


def _compatible_prefix(a: str, b: str) -> bool:
    return a.startswith(b) or b.startswith(a)


def _compatible_suffix(a: str, b: str) -> bool:
    return a.endswith(b) or b.endswith(a)


def template_may_match(template: str, prefix: str | None, suffix: str | None) -> bool:
    """Whether a key produced by `template` can start with `prefix` and end with `suffix`."""
    prefix, suffix = prefix or "", suffix or ""
    parts = _FIELD.split(template)
    if len(parts) == 1:  # no fields: one exact key
        return template.startswith(prefix) and template.endswith(suffix)
    return _compatible_prefix(parts[0], prefix) and _compatible_suffix(parts[-1], suffix)


def _creates_objects(events: tuple[str, ...]) -> bool:
    return any(event.startswith("s3:ObjectCreated") for event in events)


def check_recursion(data: Any, problems: Problems) -> None:
    """An output that lands where the same function's trigger fires is an endless loop."""
    for name, function in settings.functions_of(data).items():
        output = function.get("output")
        if not isinstance(output, dict):
            continue
        triggers, _ = function_events(function)
        for index, trigger in triggers:
            if _feeds(output, trigger):
                problems.error(
                    ("functions", name, "output", "key"),
                    f"output s3://{output['bucket']}/{output['key']} lands where this function's "
                    f"own trigger (events[{index}]) fires: every result would run the function "
                    "again, in an endless loop",
                    hint="Write the output to another bucket, or give the trigger a prefix or "
                    "suffix rule the output key cannot match (e.g. prefix: uploads/).",
                )
                break


def _events_overlap(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    for first in a:
        for second in b:
            family_a, _, kind_a = first.rpartition(":")
            family_b, _, kind_b = second.rpartition(":")
            if first == second:
                return True
            if family_a == family_b and "*" in (kind_a, kind_b):
                return True
    return False


def _filters_overlap(a: model.S3Trigger, b: model.S3Trigger) -> bool:
    return _compatible_prefix(a.prefix or "", b.prefix or "") and _compatible_suffix(
        a.suffix or "", b.suffix or ""
    )


def check_overlapping_notifications(data: Any, problems: Problems) -> None:
    """S3 refuses two notifications on one bucket whose event types and key filters overlap."""
    seen: list[tuple[str, int, model.S3Trigger]] = []
    for name, function in settings.functions_of(data).items():
        triggers, _ = function_events(function)
        for index, trigger in triggers:
            for other_name, other_index, other in seen:
                if (
                    other.bucket == trigger.bucket
                    and _events_overlap(other.events, trigger.events)
                    and _filters_overlap(other, trigger)
                ):
                    problems.error(
                        ("functions", name, "events", index, "s3"),
                        f"this trigger on bucket {trigger.bucket} overlaps "
                        f"functions.{other_name}.events[{other_index}]: S3 refuses notification "
                        "configurations whose event types and prefix/suffix filters overlap",
                        hint="Give the triggers prefix or suffix rules that cannot both match.",
                    )
                    break
            seen.append((name, index, trigger))


def _feeds(output: dict[str, Any], trigger: model.S3Trigger) -> bool:
    bucket, key = output.get("bucket"), output.get("key")
    return (
        isinstance(bucket, str)
        and isinstance(key, str)
        and trigger.bucket == bucket
        and _creates_objects(trigger.events)
        and template_may_match(key, trigger.prefix, trigger.suffix)
    )


def check_chains(data: Any, problems: Problems) -> None:
    """Warn when functions feed each other's triggers in a cycle (A writes for B, B for A)."""
    functions = settings.functions_of(data)
    triggers = {name: function_events(function)[0] for name, function in functions.items()}
    feeds: dict[str, list[str]] = {}
    for name, function in functions.items():
        output = function.get("output")
        if not isinstance(output, dict):
            continue
        feeds[name] = [
            other
            for other, other_triggers in triggers.items()
            if other != name and any(_feeds(output, trigger) for _, trigger in other_triggers)
        ]
    reported: set[frozenset[str]] = set()
    for start in feeds:
        cycle = _cycle_from(start, feeds)
        if cycle and frozenset(cycle) not in reported:
            reported.add(frozenset(cycle))
            problems.warning(
                ("functions", start, "output"),
                "these functions trigger each other through S3 in a loop: "
                + " -> ".join([*cycle, cycle[0]]),
                hint="Make sure some output cannot match the next function's trigger rules.",
            )


def _cycle_from(start: str, feeds: dict[str, list[str]]) -> list[str] | None:
    path = [start]
    stack = [iter(feeds.get(start, []))]
    while stack:
        nxt = next(stack[-1], None)
        if nxt is None:
            stack.pop()
            path.pop()
        elif nxt == start:
            return path
        elif nxt not in path:
            path.append(nxt)
            stack.append(iter(feeds.get(nxt, [])))
    return None
