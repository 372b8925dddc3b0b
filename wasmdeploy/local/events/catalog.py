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
    return _render_template(spec.template, values)


@dataclass(frozen=True)
class _CompiledTemplate:
    """A template's JSON text and where its placeholders are, found once."""

    text: str
    # (path, original string, the name when the string is exactly one placeholder)
    slots: tuple[tuple[tuple[str | int, ...], str, str | None], ...]


@cache
def _compiled(name: str) -> _CompiledTemplate:
    text = resources.files(__package__).joinpath("templates", name).read_text()
    slots: list[tuple[tuple[str | int, ...], str, str | None]] = []

    def visit(node: Any, path: tuple[str | int, ...]) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                visit(value, (*path, key))
        elif isinstance(node, list):
            for index, item in enumerate(node):
                visit(item, (*path, index))
        elif isinstance(node, str) and _PLACEHOLDER.search(node):
            whole = _PLACEHOLDER.fullmatch(node)
            slots.append((path, node, whole.group(1) if whole else None))

    visit(json.loads(text), ())
    # Deepest and last first, so removing an OMIT list item leaves earlier paths valid.
    slots.sort(key=lambda slot: slot[0], reverse=True)
    return _CompiledTemplate(text, tuple(slots))


def _render_template(name: str, values: Mapping[str, Any]) -> Any:
    template = _compiled(name)
    document = json.loads(template.text)  # a fresh copy, at C speed
    for path, original, whole in template.slots:
        parent = document
        for step in path[:-1]:
            parent = parent[step]
        if whole is not None:
            value = values[whole]
        else:
            value = _PLACEHOLDER.sub(lambda match: str(values[match.group(1)]), original)
        if value is OMIT:
            del parent[path[-1]]
        else:
            parent[path[-1]] = value
    return document
