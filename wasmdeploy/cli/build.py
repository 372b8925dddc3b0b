"""`wasmdeploy build`: run the functions' build commands."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from wasmdeploy.build.inputs import RULE
from wasmdeploy.cli.options import manifest_options

if TYPE_CHECKING:
    from wasmdeploy.manifest.model import Service


@click.command("build", epilog=RULE + " --force runs every command anyway.")
@manifest_options
@click.argument("functions", nargs=-1)
@click.option("--force", is_flag=True, help="Run the build commands even if nothing changed.")
@click.option("--verbose", "-v", is_flag=True, help="Print each command's output.")
def build(
    manifest_file: Path | None,
    stage: str | None,
    region: str | None,
    functions: tuple[str, ...],
    force: bool,
    verbose: bool,
) -> None:
    """Run each function's `build` command in the manifest's directory.

    Checks that each command produced its module and that the module is valid
    WebAssembly. Functions whose inputs did not change are skipped.
    """
    from rich.console import Console
    from rich.table import Table

    from wasmdeploy.build.limits import human_size
    from wasmdeploy.build.runner import build_functions

    service = _load_without_modules(manifest_file, stage, region)
    console = Console()
    with console.status("Building...") as status:
        outcomes = build_functions(
            service,
            functions,
            force=force,
            on_start=lambda f: status.update(f"Building {f.name}: {f.build}"),
        )
    table = Table(title=f"Build: {service.name}")
    for column in ("Function", "Status", "Module", "Size"):
        table.add_column(column, justify="right" if column == "Size" else "left")
    optimizers: set[str] = set()
    for outcome in outcomes:
        status_text: str = outcome.status
        if outcome.seconds is not None:
            status_text = f"[green]built[/green] in {outcome.seconds:.1f}s"
        elif outcome.status == "up to date":
            status_text = "[dim]up to date[/dim]"
        module = outcome.module.relative_to(service.root).as_posix()
        size = human_size(outcome.size)
        if outcome.size_before_optimize is not None:
            size = f"{human_size(outcome.size_before_optimize)} -> {size} (wasm-opt)"
            optimizers.add(outcome.optimizer or "wasm-opt")
        table.add_row(outcome.function, status_text, module, size)
        if verbose and outcome.output.strip():
            console.print(f"[bold]{outcome.function}[/bold] output:\n{outcome.output.rstrip()}")
    console.print(table)
    for optimizer in sorted(optimizers):
        console.print(f"wasm-opt: {optimizer}", highlight=False)


def _load_without_modules(path: Path | None, stage: str | None, region: str | None) -> Service:
    """The service, without inspecting the modules: building is what makes them right."""
    from wasmdeploy.manifest.load import load_manifest
    from wasmdeploy.manifest.problems import ManifestInvalid

    result = load_manifest(path, stage=stage, region=region, inspect_modules=False)
    if result.errors or result.service is None:
        raise ManifestInvalid(result.errors, result.warnings)
    return result.service
