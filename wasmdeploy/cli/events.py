"""`wasmdeploy events SERVICE EVENT [options]`: print a sample AWS event (JSON).

The subcommands and their options are generated from the event catalog
(`wasmdeploy/local/events/catalog.json`), as SAM's `generate-event` is.
"""

from __future__ import annotations

import json
from typing import Any

import click

from wasmdeploy.errors import UserError
from wasmdeploy.local.events.catalog import EventSpec, catalog, render_event


def _event_command(spec: EventSpec) -> click.Command:
    def run(**options: Any) -> None:
        params = {name: value for name, value in options.items() if value is not None}
        for param in spec.params:
            if param.type == "pairs" and param.name in params:
                params[param.name] = list(params[param.name])
        try:
            event = render_event(spec.service, spec.name, params)
        except ValueError as error:
            raise UserError(f"events {spec.service} {spec.name}: {error}") from error
        click.echo(json.dumps(event, indent=2))

    command = click.Command(spec.name, callback=run, help=spec.help)
    for param in spec.params:
        if not param.cli:
            continue
        flag = "--" + param.name.replace("_", "-")
        if param.type == "pairs":
            option = click.Option([flag], multiple=True, metavar="K=V", help=param.help)
        else:
            kind: Any = click.INT if param.type == "int" else click.STRING
            shown = f" (default: {param.default})" if param.default not in (None, "") else ""
            option = click.Option([flag], type=kind, default=None, help=param.help + shown)
        command.params.append(option)
    return command


def _service_group(service: str, help_text: str, events: dict[str, EventSpec]) -> click.Group:
    group = click.Group(service, help=help_text)
    for spec in events.values():
        group.add_command(_event_command(spec))
    return group


@click.group("events")
def events() -> None:
    """Generate sample AWS events (JSON on stdout), e.g. `wasmdeploy events s3 put --key a.png`."""


for _service, (_help, _events) in catalog().items():
    events.add_command(_service_group(_service, _help, _events))
