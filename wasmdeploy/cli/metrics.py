"""`wasmdeploy metrics [FUNCTION]`: invocations, errors, duration and memory from CloudWatch."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import click

from wasmdeploy.cli.options import find_function, load_service, manifest_options
from wasmdeploy.errors import UserError

if TYPE_CHECKING:
    from wasmdeploy.stacks.metrics import FunctionFigures


@click.command("metrics")
@click.argument("function_name", metavar="[FUNCTION]", required=False)
@manifest_options
@click.option(
    "--since", default="1h", show_default=True, help="How far back: 30m, 6h, 1d, or an ISO time."
)
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
def metrics(
    function_name: str | None,
    manifest_file: Path | None,
    stage: str | None,
    region: str | None,
    since: str,
    as_json: bool,
) -> None:
    """Per function: invocations, errors, throttles, duration p50/p99, cold starts, memory."""
    from wasmdeploy.stacks.logs import parse_since
    from wasmdeploy.stacks.metrics import function_metrics

    service = load_service(manifest_file, stage, region)
    if function_name is None:
        functions = list(service.functions)
    else:
        functions = [find_function(service, function_name)]
    now = datetime.now(tz=UTC)
    start = parse_since(since, now)
    # CloudWatch keeps whole minutes: the window ends after the current one.
    end = now.replace(second=0, microsecond=0) + timedelta(minutes=1)
    if start >= now:
        raise UserError(f"--since {since!r} is not in the past")
    figures = [function_metrics(service, function, start, end) for function in functions]
    if as_json:
        document = {
            "stage": service.stage,
            "start": start.isoformat(),
            "end": end.isoformat(),
            "functions": [figure.as_json() for figure in figures],
        }
        click.echo(json.dumps(document, indent=2))
        return
    _table(figures, since)


def _table(figures: list[FunctionFigures], since: str) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"last {since}")
    for column in (
        "function",
        "invocations",
        "errors",
        "throttles",
        "p50 ms",
        "p99 ms",
        "max ms",
        "cold starts",
        "peak memory",
    ):
        table.add_column(column, justify="left" if column == "function" else "right")
    for figure in figures:
        duration = figure.duration_ms
        table.add_row(
            figure.function,
            str(figure.invocations),
            str(figure.errors),
            str(figure.throttles),
            _ms(duration["p50"]),
            _ms(duration["p99"]),
            _ms(duration["max"]),
            str(figure.cold_starts),
            _mib(figure.peak_linear_memory_bytes),
        )
    Console(soft_wrap=True).print(table)


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _mib(value: int | None) -> str:
    return "-" if value is None else f"{value / 1048576:.1f} MiB"
