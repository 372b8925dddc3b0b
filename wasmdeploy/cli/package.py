"""`wasmdeploy package`: build the runtime layers and the function zips."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, cast

import click

from wasmdeploy.cli.options import load_service, manifest_options

if TYPE_CHECKING:
    from rich.console import Console

    from wasmdeploy.build.layer import LayerKind, LayerOptions
    from wasmdeploy.build.package import PackageResult
    from wasmdeploy.build.zips import Artifact

ARCHITECTURES = ("x86_64", "arm64")


@click.command("package")
@manifest_options
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Output directory (default: .wasmdeploy/build/<stage>/ beside the manifest).",
)
@click.option(
    "--layer-only",
    is_flag=True,
    help="Build only runtime layers (no manifest needed); pick them with --arch and --kind.",
)
@click.option(
    "--arch",
    "architectures",
    type=click.Choice(ARCHITECTURES),
    multiple=True,
    help="With --layer-only: the layers' architecture (repeatable; default x86_64).",
)
@click.option(
    "--kind",
    "kinds",
    type=click.Choice(["provided", "python"]),
    multiple=True,
    help="With --layer-only: custom-runtime (provided) or managed-Python layer (default both).",
)
@click.option(
    "--python-dist",
    metavar="PATH|URL",
    default=None,
    help="The CPython to bundle: a python-build-standalone install_only tarball, an extracted "
    "directory, or a URL (default: the pinned release; env WASMDEPLOY_PYTHON_DIST).",
)
@click.option(
    "--no-layers",
    is_flag=True,
    help="Build only the function zips (edge functions, which embed the runtime, are skipped).",
)
@click.option(
    "--no-precompile", is_flag=True, help="Do not put a precompiled .cwasm in function zips."
)
@click.option("--no-bytecode", is_flag=True, help="Do not compile .pyc files into the layers.")
@click.option("--json", "as_json", is_flag=True, help="Print the artifacts as JSON.")
def package(
    manifest_file: Path | None,
    stage: str | None,
    region: str | None,
    out_dir: Path | None,
    layer_only: bool,
    architectures: tuple[str, ...],
    kinds: tuple[str, ...],
    python_dist: str | None,
    no_layers: bool,
    no_precompile: bool,
    no_bytecode: bool,
    as_json: bool,
) -> None:
    """Build the runtime layers and one reproducible zip per function.

    Function zips hold the module, its wasmdeploy.json, and a .cwasm when this
    machine has the function's architecture. Layers hold the runtime and the
    wasmtime wheel of their architecture; the custom-runtime layer also holds
    `bootstrap` and a relocatable CPython. Unchanged inputs give identical zips.
    """
    from rich.console import Console

    from wasmdeploy.build.layer import LayerOptions

    console = Console(stderr=as_json)
    options = LayerOptions(python_dist=python_dist, compile_bytecode=not no_bytecode)
    if layer_only:
        chosen = cast("tuple[LayerKind, ...]", kinds or ("provided", "python"))
        out = (out_dir or Path(".wasmdeploy") / "layers").resolve()
        rows, notes = _build_layers(console, architectures or ("x86_64",), chosen, out, options)
        _print(console, rows, out, [], notes, as_json)
        return
    if architectures or kinds:
        raise click.UsageError("--arch and --kind go with --layer-only")

    from wasmdeploy.build.package import package_service

    service = load_service(manifest_file, stage, region)
    with _progress(console, "Packaging") as step:
        result = package_service(
            service,
            out_dir=out_dir,
            build_layers=not no_layers,
            precompile=not no_precompile,
            layer_options=options,
            progress=step,
        )
    _print(console, _rows(result), result.out_dir, result.warnings, result.notes, as_json)


def _build_layers(
    console: Console,
    architectures: tuple[str, ...],
    kinds: tuple[LayerKind, ...],
    out: Path,
    options: LayerOptions,
) -> tuple[list[tuple[str, str, Artifact]], list[str]]:
    from wasmdeploy.build.layer import build_layer, layer_filename

    rows = []
    notes: list[str] = []
    with _progress(console, "Building layers") as step:
        for architecture in dict.fromkeys(architectures):
            for kind in dict.fromkeys(kinds):
                step(f"layer {kind} ({architecture})")
                built = build_layer(
                    architecture, kind, out / layer_filename(architecture, kind), options
                )
                rows.append((f"layer {kind} {architecture}", "layer", built.artifact))
                notes += [f"{kind} layer ({architecture}): {note}" for note in built.notes]
    return rows, notes


def _rows(result: PackageResult) -> list[tuple[str, str, Artifact]]:
    rows = [
        (f"layer {kind} {arch}", "layer", a) for (arch, kind), a in sorted(result.layers.items())
    ]
    rows += [(name, "function", artifact) for name, artifact in result.functions.items()]
    return rows


@contextmanager
def _progress(console: Console, title: str) -> Iterator[Callable[[str], None]]:
    """A spinner whose text each step updates."""
    with console.status(f"{title}...") as status:

        def step(message: str) -> None:
            status.update(f"{title}: {message}")

        yield step


def _print(
    console: Console,
    rows: list[tuple[str, str, Artifact]],
    out: Path,
    warnings: list[str],
    notes: list[str],
    as_json: bool,
) -> None:
    from rich.table import Table

    from wasmdeploy.build.limits import human_size

    if as_json:
        payload = [
            {
                "name": name,
                "type": kind,
                "path": str(artifact.path),
                "sha256": artifact.sha256,
                "size": artifact.size,
                "unzippedSize": artifact.unzipped_size,
            }
            for name, kind, artifact in rows
        ]
        click.echo(
            json.dumps({"artifacts": payload, "warnings": warnings, "notes": notes}, indent=2)
        )
        return
    table = Table(title="Artifacts", caption=f"in {_relative(out)}")
    for column in ("Name", "Size", "Unzipped", "SHA-256", "File"):
        table.add_column(column, justify="right" if column in ("Size", "Unzipped") else "left")
    table.columns[-1].overflow = "fold"
    for name, _kind, artifact in rows:
        table.add_row(
            name,
            human_size(artifact.size),
            human_size(artifact.unzipped_size),
            (artifact.sha256 or "not built")[:9],
            _relative(artifact.path, out),
        )
    console.print(table)
    for note in notes:
        console.print(f"[dim]note: {note}[/dim]")
    for warning in warnings:
        console.print(f"[yellow]warning: {warning}[/yellow]")


def _relative(path: Path, base: Path | None = None) -> str:
    try:
        return str(path.resolve().relative_to((base or Path.cwd()).resolve()))
    except ValueError:
        return str(path)
