"""Options shared by the commands that read a manifest, and how they load it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from wasmdeploy.manifest.model import Service

F = TypeVar("F", bound=Callable[..., Any])


def manifest_options(command: F) -> F:
    """Adds -f/--file, --stage and --region (the CLI layer of the precedence chain)."""
    command = click.option(
        "--region", default=None, help="AWS region (overrides provider.region)."
    )(command)
    command = click.option(
        "--stage", "-s", default=None, help="Stage name (overrides provider.stage; default dev)."
    )(command)
    return manifest_file_option(command)


def manifest_file_option(command: F) -> F:
    """Adds -f/--file (the manifest), passed as `manifest_file`."""
    return click.option(
        "--file",
        "-f",
        "manifest_file",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="Manifest file (default: wasmdeploy.yml, else serverless.yml, in this directory).",
    )(command)


def load_service(manifest_file: Path | None, stage: str | None, region: str | None) -> Service:
    """Load, resolve, schema-check and check the manifest; raise ManifestInvalid if it is wrong."""
    from wasmdeploy.manifest.load import load_service as load

    return load(manifest_file, stage=stage, region=region)


def runtime_pool_options(command: F) -> F:
    """Adds --concurrency and --bootstrap, for the commands that keep warm local runtimes."""
    command = click.option(
        "--bootstrap",
        default=None,
        metavar="CMD",
        help="Run this runtime command instead of the layer's bootstrap.",
    )(command)
    command = click.option(
        "--concurrency",
        default=10,
        show_default=True,
        type=click.IntRange(1, 1000),
        help="Warm sandboxes per function, at most.",
    )(command)
    return command
