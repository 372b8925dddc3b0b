"""`wasmdeploy plan`: the resources a deploy would create, with no cloud and no Pulumi CLI."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import click

from wasmdeploy.cli.options import load_service, manifest_options

if TYPE_CHECKING:
    from wasmdeploy.manifest.model import Service
    from wasmdeploy.stacks.plan import Plan


@click.command("plan")
@manifest_options
@click.option("--json", "as_json", is_flag=True, help="Print the resources as a JSON list.")
def plan(manifest_file: Path | None, stage: str | None, region: str | None, as_json: bool) -> None:
    """Show the resources a deploy would create: type, name, parent and key inputs.

    The Pulumi program runs under mocks: nothing is deployed, no account or
    Pulumi CLI is needed, and no runtime layer is built.
    """
    service = load_service(manifest_file, stage, region)
    from wasmdeploy.stacks.artifacts import plan_artifacts
    from wasmdeploy.stacks.plan import plan_service

    with tempfile.TemporaryDirectory(prefix="wasmdeploy-plan-") as out:
        artifacts = plan_artifacts(service, Path(out))
        result = plan_service(service, artifacts)
    if as_json:
        click.echo(json.dumps(result.entries, indent=2, default=str))
        return
    deferred = [
        f"{variable} is shown as written: a deploy reads it from AWS"
        for variable in service.deferred
    ]
    notes = [*runtime_notes(service), *artifacts.notes, *deferred]
    show_plan(result, f"{service.name} / {service.stage} ({service.region})", notes)


def runtime_notes(service: Service) -> list[str]:
    """Runtimes deployed differently from what the manifest asked (provided.al2)."""
    return [
        f"{f.name}: runtime {f.requested_runtime} deploys as {f.runtime} (AWS deprecated "
        f"{f.requested_runtime}; new functions with it are blocked from 2026-07-31)"
        for f in service.functions
        if f.requested_runtime and f.requested_runtime != f.runtime
    ]


def short_type(token: str) -> str:
    """Shortens "aws:lambda/function:Function" to "lambda.Function"; components stay whole."""
    package, _, rest = token.partition(":")
    module, _, kind = rest.partition(":")
    if package == "aws" and kind:
        return f"{module.split('/')[0]}.{kind}"
    return token


def show_plan(result: Plan, title: str, notes: list[str]) -> None:
    """The plan as a table. On a terminal long values fold within its width; piped (a CI log,
    a file) the table is as wide as its longest row, so every value is whole on its line."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from wasmdeploy.stacks.plan import key_inputs

    console = Console()
    piped = not console.is_terminal
    table = Table(title=f"Plan: {title}", show_lines=False)
    for header, style, min_width in (
        ("Type", "cyan", 12),
        ("Name", "bold", 12),
        ("Parent", None, 8),
        ("Region", None, 9),
        ("Key inputs", None, 20),
    ):
        table.add_column(header, style=style, min_width=min_width, overflow="fold", no_wrap=piped)
    retained = set(result.retained)
    for entry in result.entries:
        name = Text(entry["name"])
        if entry["name"] in retained:
            name.append(" (kept on destroy)", style="yellow")
        table.add_row(
            Text(short_type(entry["type"])),
            name,
            Text(entry["parent"] or ""),
            Text(entry["provider"] or ""),
            Text(key_inputs(entry)),
        )
    if piped:
        width = console.measure(table, options=console.options.update(width=1_000_000)).maximum
        console = Console(width=max(width, 80))
    console.print(table)
    custom = sum(1 for entry in result.entries if entry["type"].startswith("aws:"))
    console.print(f"{custom} AWS resources in {len(result.entries)} entries.")
    for note in notes:
        console.print(Text(f"note: {note}", style="dim"))
