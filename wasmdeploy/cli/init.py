"""`wasmdeploy init NAME --template http|s3-image|edge [--dir PATH]`."""

from __future__ import annotations

from pathlib import Path

import click

from wasmdeploy.templates import TEMPLATES, create_service


@click.command("init")
@click.argument("name")
@click.option(
    "--template",
    "-t",
    type=click.Choice(tuple(TEMPLATES)),
    default="http",
    show_default=True,
    help="http: a JSON API; s3-image: an S3-triggered PNG function; edge: a Lambda@Edge rewrite.",
)
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where to create the service (default: ./NAME). Must be new or empty.",
)
@click.option(
    "--workflow/--no-workflow",
    default=True,
    show_default=True,
    help="Also write a GitHub Actions workflow (unless the directory is in a git repository).",
)
@click.option(
    "--install",
    default=None,
    metavar="REQUIREMENT",
    help="pip requirement the workflow installs wasmdeploy with "
    "(default: this wasmdeploy's exact revision).",
)
def init(
    name: str, template: str, directory: Path | None, workflow: bool, install: str | None
) -> None:
    """Create a new service from a template: manifest, sources, built module, README.

    The new service passes `wasmdeploy validate` and `wasmdeploy invoke` at once;
    rebuilding the module needs the Zig toolchain (`pip install ziglang`).
    """
    from wasmdeploy.templates.workflow import add_github_workflow

    created = create_service(name, template, directory or Path(name))
    click.echo(f"Created {created.directory} from the {template} template:")
    for relative in created.files:
        click.echo(f"  {relative}")
    if workflow:
        for line in add_github_workflow(created.directory, install):
            click.echo(line)
    click.echo("Next:")
    click.echo(f"  cd {click.format_filename(str(directory or Path(name)))}")
    click.echo("  wasmdeploy validate")
    click.echo(f"  {created.template.try_command}")
