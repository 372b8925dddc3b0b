"""`wasmdeploy logs FUNCTION`: a deployed function's CloudWatch logs."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click

from wasmdeploy.cli.options import load_service, manifest_options


@click.command("logs")
@click.argument("function_name", metavar="FUNCTION")
@manifest_options
@click.option(
    "--since",
    default="10m",
    show_default=True,
    help="How far back: 30s, 10m, 2h, 1d, or an ISO time.",
)
@click.option("--tail", "-t", is_flag=True, help="Keep printing new events until Ctrl-C.")
@click.option(
    "--filter",
    "filter_pattern",
    default=None,
    help="A CloudWatch Logs filter pattern (e.g. ERROR).",
)
def logs(
    function_name: str,
    manifest_file: Path | None,
    stage: str | None,
    region: str | None,
    since: str,
    tail: bool,
    filter_pattern: str | None,
) -> None:
    """Print FUNCTION's log events from /aws/lambda/<service>-<stage>-<function> (for an
    edge function, from every region its replicas logged in, each line naming its region)."""
    service = load_service(manifest_file, stage, region)
    from wasmdeploy.stacks.logs import FunctionLogs, parse_since

    start = parse_since(since, datetime.now(tz=UTC))
    reader = FunctionLogs(service, function_name)
    events = reader.follow(start, filter_pattern) if tail else reader.fetch(start, filter_pattern)
    edge = reader.function.is_edge
    for event in events:
        echo_event(event.time, event.message, event.region if edge else None)


def echo_event(moment: datetime, message: str, region: str | None = None) -> None:
    stamp = moment.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]
    where = f"[{region}]  " if region else ""
    click.echo(f"{stamp}  {where}{message.rstrip()}")
