"""`wasmdeploy validate` and `wasmdeploy print`: check the manifest, show it resolved."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from wasmdeploy.cli.options import manifest_options

if TYPE_CHECKING:
    from wasmdeploy.manifest.load import LoadResult


@click.command("validate")
@manifest_options
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of text.")
def validate(
    manifest_file: Path | None, stage: str | None, region: str | None, as_json: bool
) -> None:
    """Check the manifest and its modules; list every problem with its line.

    Exit 0 when valid (warnings allowed), 1 when invalid.
    """
    from wasmdeploy.manifest.load import load_manifest

    result = load_manifest(manifest_file, stage=stage, region=region)
    if as_json:
        report = {
            "valid": result.valid,
            "errors": [problem.as_json() for problem in result.errors],
            "warnings": [problem.as_json() for problem in result.warnings],
        }
        if _shows_serverless_summary(result):
            report["serverless"] = result.serverless.as_json()
        click.echo(json.dumps(report, indent=2))
    else:
        for problem in [*result.errors, *result.warnings]:
            click.echo(problem.render())
        name = result.path.name
        if result.valid and result.service is not None:
            count = len(result.service.functions)
            noun = "function" if count == 1 else "functions"
            suffix = f" ({len(result.warnings)} warning{'s' if len(result.warnings) != 1 else ''})"
            click.echo(
                f"{name} is valid: service {result.service.name}, stage {result.service.stage}, "
                f"{count} {noun}" + (suffix if result.warnings else "")
            )
        else:
            count = len(result.errors)
            click.echo(f"{name} is invalid: {count} error{'s' if count != 1 else ''}")
        if _shows_serverless_summary(result):
            click.echo(result.serverless.line())
    if not result.valid:
        sys.exit(1)


def _shows_serverless_summary(result: LoadResult) -> bool:
    """On a serverless.yml, or whenever a Serverless-only key was warned about or refused."""
    counts = result.serverless.counts
    return result.path.name.startswith("serverless.") or bool(
        counts.get("warned") or counts.get("refused")
    )


@click.command("print")
@manifest_options
def print_manifest(manifest_file: Path | None, stage: str | None, region: str | None) -> None:
    """Print the resolved manifest (variables, defaults and precedence applied) as YAML.

    Warnings go to stderr, so the YAML on stdout can be piped or saved.
    """
    from wasmdeploy.manifest.load import load_service_with_warnings
    from wasmdeploy.manifest.render import render_service

    service, warnings = load_service_with_warnings(manifest_file, stage=stage, region=region)
    for warning in warnings:
        click.echo(warning.render(), err=True)
    click.echo(render_service(service), nl=False)
