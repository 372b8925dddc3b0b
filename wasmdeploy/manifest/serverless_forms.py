"""Serverless's older and shorter spellings, rewritten into the forms the schema describes.

- `service: {name: NAME}` (Serverless v1) becomes `service: NAME`, with a warning;
- a bare event name (`- alexaSkill`, as Serverless allows for events without
  settings) becomes `- alexaSkill: {}`, so the event's own answer applies to it.

Runs on the variable-resolved manifest, before the schema; every moved value keeps
its line.
"""

from __future__ import annotations

from typing import Any

from wasmdeploy.manifest.problems import Problems
from wasmdeploy.manifest.settings import as_dict


def normalize_serverless_forms(data: dict[str, Any], problems: Problems) -> dict[str, Any]:
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
