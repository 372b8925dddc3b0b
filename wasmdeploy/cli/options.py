"""Options shared by the commands that read a manifest, and how they load it; the checked
types of ports and of files a command will write."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from wasmdeploy.errors import UserError

if TYPE_CHECKING:
    from wasmdeploy.manifest.model import Function, Service

F = TypeVar("F", bound=Callable[..., Any])

PORT = click.IntRange(1, 65535)  # a TCP port to listen on
PORT_OR_ANY = click.IntRange(0, 65535)  # 0: any free port


class NewFile(click.Path):
    """A file the command will write: its directory must exist and be writable, checked when
    the command line is read, before any work is done."""

    def __init__(self) -> None:
        super().__init__(dir_okay=False, writable=True, path_type=Path)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        path = super().convert(value, param, ctx)
        directory = Path(os.fsdecode(path)).parent
        if not directory.is_dir():
            problem = "is not a directory" if directory.exists() else "does not exist"
            self.fail(f"directory {str(directory)!r} {problem}", param, ctx)
        if not os.access(directory, os.W_OK | os.X_OK):
            self.fail(f"directory {str(directory)!r} is not writable", param, ctx)
        return path


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


def load_service(
    manifest_file: Path | None, stage: str | None, region: str | None, *, aws: bool = False
) -> Service:
    """Load, resolve, schema-check and check the manifest; raise ManifestInvalid if it is wrong.

    `aws`: read the variables that need AWS (aws:accountId, ssm, cf) from it, as a deploy does.
    """
    from wasmdeploy.manifest.load import load_service as load

    if not aws:
        return load(manifest_file, stage=stage, region=region)
    from wasmdeploy.manifest.variable_sources_aws import Boto3Lookup

    return load(manifest_file, stage=stage, region=region, aws=Boto3Lookup())


def find_function(service: Service, name: str) -> Function:
    """The manifest's function `name`, or a UserError naming the functions there are."""
    try:
        return service.function(name)
    except KeyError:
        known = ", ".join(f.name for f in service.functions) or "none"
        raise UserError(
            f"no function {name!r} in {service.manifest_path.name}", hint=f"Functions: {known}."
        ) from None


def runtime_pool_options(command: F) -> F:
    """Adds --concurrency, --bootstrap and --verbose, for the commands that keep warm local
    runtimes."""
    command = click.option(
        "--verbose",
        "-v",
        is_flag=True,
        help="Show the runtime's metric records (EMF) in full, not summarised.",
    )(command)
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
