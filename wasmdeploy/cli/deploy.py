"""`preview`, `up`, `destroy`, `refresh`, `outputs`: the stage's stack through Pulumi.

Each command checks for the `pulumi` CLI before doing any work, so without it
the user learns what to install at once. `up` and `preview` package first
(zips are reproducible, so unchanged functions are not updated).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from wasmdeploy.cli.options import load_service, manifest_options

if TYPE_CHECKING:
    from rich.console import Console

    from wasmdeploy.manifest.model import Service
    from wasmdeploy.stacks.automation import StackSession
    from wasmdeploy.stacks.progress import DeployProgress

F = TypeVar("F", bound=Callable[..., Any])


def stack_options(command: F) -> F:
    command = click.option(
        "--backend",
        default=None,
        metavar="URL",
        help="Pulumi state backend: s3://bucket for teams (default: file://<manifest dir>/"
        ".wasmdeploy/state, or PULUMI_BACKEND_URL).",
    )(command)
    return manifest_options(command)


def yes_option(command: F) -> F:
    return click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")(command)


def _console() -> Console:
    from rich.console import Console

    return Console(stderr=True)


def open_session(
    manifest_file: Path | None,
    stage: str | None,
    region: str | None,
    backend: str | None,
    *,
    package: bool,
    create: bool = True,
) -> tuple[Service, StackSession]:
    """Load the manifest, check for the CLI, package if the program will run, open the stack."""
    service = load_service(manifest_file, stage, region, aws=True)
    from wasmdeploy.stacks.automation import open_stack, preflight

    checked = preflight(service, backend)  # before packaging: fail fast, say what to fix
    program: Callable[[], None] = _program_not_needed
    if package:
        from wasmdeploy.cli.plan import runtime_notes

        for note in runtime_notes(service):
            click.echo(f"Warning: {note}", err=True)
        program = packaged_program(service)
    return service, open_stack(service, program, checked, create=create)


def _program_not_needed() -> None:
    """destroy, refresh and outputs work from the stack's state; the program is not run."""


def packaged_program(service: Service) -> Callable[[], None]:
    from wasmdeploy.build.package import package_service
    from wasmdeploy.stacks.program import build_program

    console = _console()
    with console.status("Packaging...") as status:
        artifacts = package_service(
            service, progress=lambda step: status.update(f"Packaging {step}")
        )
    for warning in artifacts.warnings:
        console.print(f"[yellow]warning:[/] {warning}")
    return build_program(service, artifacts)


def run_with_progress(
    title: str, operation: Callable[[Callable[[Any], None]], Any]
) -> tuple[Any, DeployProgress]:
    from wasmdeploy.stacks.progress import DeployProgress, LiveProgress

    progress = DeployProgress(title)
    with LiveProgress(progress, _console()):
        result = operation(progress.on_event)
    return result, progress


def describe_changes(counts: dict[str, int]) -> str:
    return ", ".join(f"{count} to {op}" for op, count in sorted(counts.items())) or "no changes"


def retained_notes(service: Service) -> list[str]:
    notes = []
    edge = [f.deployed_name for f in service.functions if f.is_edge]
    if edge:
        notes.append(
            f"Edge function(s) {', '.join(edge)} are kept: CloudFront's replicas block their "
            "deletion for hours. Delete them later with `aws lambda delete-function "
            "--region us-east-1 --function-name NAME`."
        )
    if service.retain_buckets and service.buckets_to_create:
        notes.append(
            f"Bucket(s) {', '.join(service.buckets_to_create)} are kept with their objects "
            "(set `provider.retainBuckets: false` to delete them with the stack)."
        )
    return notes


def show_outputs(outputs: dict[str, Any], as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(outputs, indent=2, default=str))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title="Outputs", title_justify="left")
    table.add_column("Output", style="cyan")
    table.add_column("Value")
    for key, value in outputs.items():
        if key == "functions" and isinstance(value, dict):
            for name, details in value.items():
                table.add_row(f"function {name}", str(details.get("arn") or details))
        elif isinstance(value, list):
            table.add_row(key, ", ".join(str(item) for item in value) or "-")
        else:
            table.add_row(key, str(value))
    Console().print(table)


@click.command("preview")
@stack_options
def preview(
    manifest_file: Path | None, stage: str | None, region: str | None, backend: str | None
) -> None:
    """Show what `up` would change in the stage's stack."""
    service, session = open_session(manifest_file, stage, region, backend, package=True)
    _, progress = run_with_progress(f"Preview {service.name}/{service.stage}", session.preview)
    click.echo(f"Preview: {describe_changes(progress.counts())}.")


@click.command("up")
@stack_options
@yes_option
def up(
    manifest_file: Path | None,
    stage: str | None,
    region: str | None,
    backend: str | None,
    yes: bool,
) -> None:
    """Deploy the stage to AWS."""
    service, session = open_session(manifest_file, stage, region, backend, package=True)
    target = f"{service.name}/{service.stage} ({service.region})"
    if not yes:
        _, progress = run_with_progress(f"Preview {target}", session.preview)
        counts = progress.counts()
        if not counts:
            click.echo("No changes.")
            return
        question = f"Deploy {describe_changes(counts)} to {target}?"
        if not sys.stdin.isatty():
            from wasmdeploy.errors import UserError

            raise UserError(
                f"{question} No terminal to ask on, so nothing was deployed.",
                hint="Pass --yes to deploy without asking (as CI does).",
            )
        click.confirm(question, abort=True)
    result, _ = run_with_progress(f"Deploying {target}", session.up)
    show_outputs({key: value.value for key, value in result.outputs.items()}, as_json=False)


@click.command("destroy")
@stack_options
@yes_option
def destroy(
    manifest_file: Path | None,
    stage: str | None,
    region: str | None,
    backend: str | None,
    yes: bool,
) -> None:
    """Remove the stage's resources from AWS (buckets and edge functions are kept)."""
    service, session = open_session(
        manifest_file, stage, region, backend, package=False, create=False
    )
    notes = retained_notes(service)
    for note in notes:
        click.echo(f"Note: {note}", err=True)
    if not yes:
        click.confirm(f"Destroy stage {service.stage} of {service.name}?", abort=True)
    _, progress = run_with_progress(f"Destroying {service.name}/{service.stage}", session.destroy)
    click.echo(f"Destroyed: {describe_changes(progress.counts())}.")


@click.command("refresh")
@stack_options
@yes_option
def refresh(
    manifest_file: Path | None,
    stage: str | None,
    region: str | None,
    backend: str | None,
    yes: bool,
) -> None:
    """Update the stack's state from what exists in AWS."""
    service, session = open_session(
        manifest_file, stage, region, backend, package=False, create=False
    )
    if not yes:
        click.confirm(f"Update the state of {service.name}/{service.stage} from AWS?", abort=True)
    _, progress = run_with_progress(f"Refreshing {service.name}/{service.stage}", session.refresh)
    click.echo(f"Refreshed: {describe_changes(progress.counts())}.")


@click.command("outputs")
@stack_options
@click.option("--json", "as_json", is_flag=True, help="Print the outputs as JSON.")
def outputs(
    manifest_file: Path | None,
    stage: str | None,
    region: str | None,
    backend: str | None,
    as_json: bool,
) -> None:
    """Show the deployed stack's outputs: function names and ARNs, URLs, buckets."""
    _, session = open_session(manifest_file, stage, region, backend, package=False, create=False)
    show_outputs(session.outputs(), as_json)
