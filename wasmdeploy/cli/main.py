"""The `wasmdeploy` command: a click group whose subcommands load lazily.

Each subcommand lives in its own module and is imported only when it runs, so
`wasmdeploy --help`, `validate` and `invoke` never pay for pulumi's import.
"""

from __future__ import annotations

import importlib
import sys
import traceback
from typing import Any

import click

from wasmdeploy import __version__
from wasmdeploy.errors import UserError

# name -> (module, attribute, one-line help shown by --help without importing the module)
COMMANDS: dict[str, tuple[str, str, str]] = {
    "init": ("wasmdeploy.cli.init", "init", "Create a new service from a template."),
    "validate": ("wasmdeploy.cli.validate", "validate", "Check the manifest and its modules."),
    "print": ("wasmdeploy.cli.validate", "print_manifest", "Print the resolved manifest."),
    "build": ("wasmdeploy.cli.build", "build", "Run each function's build command."),
    "package": ("wasmdeploy.cli.package", "package", "Build the runtime layer and function zips."),
    "invoke": ("wasmdeploy.cli.invoke", "invoke", "Invoke a function locally (or --remote)."),
    "bench": ("wasmdeploy.cli.bench", "bench", "Benchmark a function locally (or --remote)."),
    "events": ("wasmdeploy.cli.events", "events", "Generate sample AWS events."),
    "serve": ("wasmdeploy.cli.serve", "serve", "Serve the HTTP routes and S3 triggers locally."),
    "start-lambda": (
        "wasmdeploy.cli.start_lambda",
        "start_lambda",
        "Serve the Lambda Invoke API locally.",
    ),
    "plan": ("wasmdeploy.cli.plan", "plan", "Show the resources a deploy would create."),
    "preview": ("wasmdeploy.cli.deploy", "preview", "Preview a deploy (Pulumi)."),
    "up": ("wasmdeploy.cli.deploy", "up", "Deploy the stage to AWS (Pulumi)."),
    "deploy": (
        "wasmdeploy.cli.deploy_function",
        "deploy",
        "Update one deployed function directly (deploy function -f NAME).",
    ),
    "destroy": ("wasmdeploy.cli.deploy", "destroy", "Remove the stage from AWS (Pulumi)."),
    "refresh": ("wasmdeploy.cli.deploy", "refresh", "Refresh the stack's state from AWS."),
    "outputs": ("wasmdeploy.cli.deploy", "outputs", "Show the deployed stack's outputs."),
    "logs": ("wasmdeploy.cli.logs", "logs", "Show a deployed function's logs."),
    "kv": ("wasmdeploy.cli.kv", "kv", "Read and write the key-value stores (local or --remote)."),
    "metrics": ("wasmdeploy.cli.metrics", "metrics", "Show the deployed functions' metrics."),
    "ci": ("wasmdeploy.cli.ci", "ci", "Generate CI workflows and the AWS OIDC role."),
}

BUG_REPORT = "This is a bug in wasmdeploy. Please report it with the traceback above."


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module_name, attribute, _ = COMMANDS[cmd_name]
        command = getattr(importlib.import_module(module_name), attribute)
        assert isinstance(command, click.Command)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, help_text) for name, (_, _, help_text) in COMMANDS.items()]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="wasmdeploy")
def cli() -> None:
    """Deploy WebAssembly functions to AWS from one manifest (wasmdeploy.yml)."""


def main(argv: list[str] | None = None) -> Any:
    """Entry point: user mistakes print `Error: ...` and exit 1; bugs print a traceback."""
    try:
        return cli.main(args=argv, prog_name="wasmdeploy", standalone_mode=False)
    except UserError as error:
        click.echo(f"Error: {error.message}", err=True)
        if error.hint:
            click.echo(f"  {error.hint}", err=True)
        sys.exit(error.exit_code)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(1)
    except click.ClickException as error:
        error.show()
        sys.exit(error.exit_code)
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        sys.exit(130)
    except SystemExit:
        raise
    except Exception:
        traceback.print_exc()
        click.echo(f"\n{BUG_REPORT}", err=True)
        sys.exit(3)


if __name__ == "__main__":
    main()
