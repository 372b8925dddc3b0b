"""The sample-event catalog: service -> event -> template, as data.

`catalog.json` lists every event, its template file and its parameters (with
help and defaults); the `wasmdeploy events` commands are generated from it.
A template is AWS's documented event with `{{name}}` placeholders: a string
that is exactly one placeholder takes the value's JSON type (an object, a
number, null), and the key disappears when the value is `OMIT` (AWS leaves
such keys out rather than sending null). Values a person does not type (the
URL-encoded key, the request time, multi-value headers) are derived per
service in `derived_values`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from wasmdeploy.errors import UserError
from wasmdeploy.local.events.derived_values import DERIVERS, OMIT

_PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")


@dataclass(frozen=True)
class EventParam:
    name: str
    help: str
    default: Any
    type: str = "str"  # str | int | pairs
    cli: bool = True  # offered as a command-line option


@dataclass(frozen=True)
class EventSpec:
    service: str
    name: str
    help: str
    template: str
    params: tuple[EventParam, ...]


@cache
def catalog() -> dict[str, tuple[str, dict[str, EventSpec]]]:
    """service -> (help, event name -> spec)."""
    raw = json.loads(resources.files(__package__).joinpath("catalog.json").read_text())
    services: dict[str, tuple[str, dict[str, EventSpec]]] = {}
    for service, entry in raw.items():
        events = {
            name: EventSpec(
                service=service,
                name=name,
                help=spec["help"],
                template=spec["template"],
                params=tuple(
                    EventParam(
                        name=param,
                        help=details["help"],
                        default=details.get("default"),
                        type=details.get("type", "str"),
                        cli=details.get("cli", True),
                    )
                    for param, details in spec["params"].items()
                ),
            )
            for name, spec in entry["events"].items()
        }
        services[service] = (entry["help"], events)
    return services


def event_spec(service: str, event: str) -> EventSpec:
    services = catalog()
    if service not in services:
        raise UserError(f"no sample events for {service!r}; known: {', '.join(services)}")
    events = services[service][1]
    if event not in events:
        raise UserError(f"no {service} event {event!r}; known: {', '.join(events)}")
    return events[event]


def render_event(service: str, event: str, params: Mapping[str, Any] | None = None) -> Any:
    """The event AWS would send, from its template, defaults and `params`."""
    spec = event_spec(service, event)
    values: dict[str, Any] = {param.name: param.default for param in spec.params}
    unknown = set(params or {}) - set(values)
    if unknown:
        raise ValueError(f"{service} {event} has no parameter {', '.join(sorted(unknown))}")
    values.update(params or {})
    values.update(DERIVERS[service](event, values))
    return _fill(_template(spec.template), values)


@cache
def _template_text(name: str) -> str:
    return resources.files(__package__).joinpath("templates", name).read_text()


def _template(name: str) -> Any:
    return json.loads(_template_text(name))


def _fill(node: Any, values: Mapping[str, Any]) -> Any:
    if isinstance(node, dict):
        filled = {key: _fill(value, values) for key, value in node.items()}
        return {key: value for key, value in filled.items() if value is not OMIT}
    if isinstance(node, list):
        return [item for item in (_fill(item, values) for item in node) if item is not OMIT]
    if isinstance(node, str):
        whole = _PLACEHOLDER.fullmatch(node)
        if whole:
            return values[whole.group(1)]
        return _PLACEHOLDER.sub(lambda match: str(values[match.group(1)]), node)
    return node
