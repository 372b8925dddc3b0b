"""Serverless's older and shorter spellings, rewritten into the forms the schema describes.

- `service: {name: NAME}` (Serverless v1) becomes `service: NAME`, with a warning;
- a bare event name (`- alexaSkill`, as Serverless allows for events without
  settings) becomes `- alexaSkill: {}`, so the event's own answer applies to it;
- `functions` and `resources` written as lists of mappings (often
  `- ${file(part.yml)}` items) are merged into one mapping, as Serverless does.

Runs on the variable-resolved manifest, before the schema; every moved value keeps
its line.
"""

from __future__ import annotations

from typing import Any

from wasmdeploy.manifest.problems import Problems
from wasmdeploy.manifest.settings import as_dict


def _merged(items: list[Any], depth: int) -> dict[str, Any] | None:
    """The mappings of `items` merged (`depth` 2: their mapping values merged key by key)."""
    if not all(isinstance(item, dict) for item in items):
        return None
    merged: dict[str, Any] = {}
    for item in items:
        for key, value in item.items():
            if depth > 1 and isinstance(value, dict) and isinstance(merged.get(key), dict):
                merged[key] = {**merged[key], **value}
            else:
                merged[key] = value
    return merged


def normalize_serverless_forms(data: dict[str, Any], problems: Problems) -> dict[str, Any]:
    for key, depth in (("functions", 1), ("resources", 2)):
        if isinstance(data.get(key), list):
            merged = _merged(data[key], depth)
            if merged is not None:
                data = {**data, key: merged}
    service = data.get("service")
    if isinstance(service, dict) and isinstance(service.get("name"), str) and len(service) == 1:
        data = {**data, "service": service["name"]}
        problems.warning(
            ("service",),
            "`service: {name: ...}` is Serverless v1's form",
            hint=f"Write `service: {service['name']}`.",
        )
    functions = data.get("functions")
    if not isinstance(functions, dict):
        return data
    rewritten: dict[str, Any] = {}
    for name, function in functions.items():
        events = as_dict(function).get("events")
        if isinstance(events, list) and any(isinstance(e, str) for e in events):
            for index, event in enumerate(events):
                if isinstance(event, str):
                    path = ("functions", name, "events", index)
                    problems.locations.keys[(*path, event)] = problems.locations.of(path)
            function = {
                **function,
                "events": [{e: {}} if isinstance(e, str) else e for e in events],
            }
        rewritten[name] = function
    return {**data, "functions": rewritten}
