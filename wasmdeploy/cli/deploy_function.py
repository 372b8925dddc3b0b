"""`wasmdeploy deploy function -f NAME`: update one deployed function in seconds.

As `serverless deploy function`: the function's zip is built and uploaded, and
its configuration applied, through Lambda's API directly; no stack update. A
change that needs the stack (new triggers, new permissions, a new function) is
refused with what to run instead.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import click

from wasmdeploy.cli.options import find_function, load_service


@click.group("deploy")
def deploy() -> None:
    """Update part of a deployed stage directly (the whole stage: wasmdeploy up)."""


@deploy.command("function")
@click.option(
    "--function",
    "-f",
    "function_name",
    required=True,
    metavar="NAME",
    help="The function to update.",
)
@click.option(
    "--file",
    "manifest_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Manifest file (default: wasmdeploy.yml in this directory).",
)
@click.option("--stage", "-s", default=None, help="Stage name (default: provider.stage or dev).")
@click.option("--region", default=None, help="AWS region (overrides provider.region).")
def deploy_function(
    function_name: str, manifest_file: Path | None, stage: str | None, region: str | None
) -> None:
    """Upload one function's code and configuration (UpdateFunctionCode/Configuration)."""
    from wasmdeploy.build.package import package_service
    from wasmdeploy.stacks.function_update import update_function

    service = load_service(manifest_file, stage, region)
    function = find_function(service, function_name)
    alone = dataclasses.replace(service, functions=(function,))
    # Edge functions carry the runtime in their zip; the others use the deployed layer.
    packaged = package_service(alone, build_layers=function.is_edge)
    update = update_function(service, function, packaged.functions[function.name])
    click.echo(f"Updated {update.function_name} in {update.region} (code {update.code_sha256})")
    if update.changed:
        click.echo(f"  configuration: {', '.join(update.changed)}")
    if update.version is not None:
        click.echo(
            f"  published version {update.version}; CloudFront keeps serving the version "
            "the last `up` associated until the next `up`"
        )
    click.echo(
        "The Pulumi state still records the previous code: the next `wasmdeploy up` refreshes it."
    )
