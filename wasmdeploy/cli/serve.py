"""`wasmdeploy serve`: the manifest's HTTP routes and S3 triggers, locally, on a local AWS."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING

import click

from wasmdeploy.cli.options import (
    PORT,
    PORT_OR_ANY,
    load_service,
    manifest_options,
    runtime_pool_options,
)

if TYPE_CHECKING:
    from rich.table import Table

    from wasmdeploy.local.emulator import LocalEmulator
    from wasmdeploy.local.local_aws import LocalAws
    from wasmdeploy.manifest.model import Service


@click.command("serve")
@manifest_options
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port", "-p", default=3000, type=PORT, show_default=True, help="Port of the local API."
)
@click.option(
    "--aws-port",
    "--s3-port",
    "aws_port",
    default=4566,
    type=PORT_OR_ANY,
    show_default=True,
    help="Port of the local AWS (S3, SQS, SNS, Kinesis, DynamoDB, EventBridge).",
)
@click.option(
    "--run-schedules-now",
    is_flag=True,
    help="Fire every schedule once at start, then on its cadence.",
)
@click.option(
    "--kv",
    "kv_backend",
    type=click.Choice(["sqlite", "dynamodb"]),
    default="sqlite",
    show_default=True,
    help="Where the key-value stores live: the stage's SQLite file, or the local AWS's DynamoDB.",
)
@click.option(
    "--fresh",
    is_flag=True,
    help="Start with an empty local AWS and empty key-value stores (drop what the stage kept).",
)
@click.option(
    "--no-reload",
    is_flag=True,
    help="Do not follow edits of the manifest (and the files it includes).",
)
@runtime_pool_options
def serve(
    manifest_file: Path | None,
    stage: str | None,
    region: str | None,
    host: str,
    port: int,
    aws_port: int,
    run_schedules_now: bool,
    kv_backend: str,
    fresh: bool,
    no_reload: bool,
    concurrency: int,
    bootstrap: str | None,
    verbose: bool,
) -> None:
    """Serve the API routes (API Gateway payload 1.0 / 2.0) and run S3 triggers on a local AWS."""
    from rich.console import Console

    from wasmdeploy.cli.serve_edge import edge_lines
    from wasmdeploy.cli.serve_reload import ManifestReload
    from wasmdeploy.local.emulator import LocalEmulator
    from wasmdeploy.local.kept_state import KeptState, discard_local_state
    from wasmdeploy.local.report_lines import stderr_sink
    from wasmdeploy.local.runtime_command import parse_bootstrap
    from wasmdeploy.local.sources.summary import event_source_lines
    from wasmdeploy.local.stop_signals import exit_on_sigterm

    exit_on_sigterm()
    service = load_service(manifest_file, stage, region)
    command = parse_bootstrap(bootstrap) if bootstrap is not None else None
    emulator = LocalEmulator(
        service,
        host=host,
        port=port,
        aws_port=aws_port,
        concurrency=concurrency,
        bootstrap=command,
        metric_records=verbose,
    )
    if kv_backend == "dynamodb":
        from wasmdeploy.local.kv_local import serve_stores_on

        serve_stores_on(emulator.aws, service)
    if fresh:
        for path in discard_local_state(service):
            click.echo(f"--fresh: removed {path}", err=True)
    kept = KeptState(service, stderr_sink())
    kept.attach(emulator)
    emulator.start()
    kept.restore_queues(emulator.aws)
    console = Console(stderr=True)
    reload = None
    if not no_reload:
        reload = ManifestReload(
            emulator,
            manifest_file,
            stage,
            region,
            after=lambda new: console.print(_triggers_table(new, emulator)),
        )
    try:
        table = _triggers_table(service, emulator)
        edges = edge_lines(service)
        if table.rows or not edges:
            console.print(table)
        for line in edges + local_aws_lines(emulator.aws) + event_source_lines(emulator):
            # Whole lines, even in a narrow terminal or a log: they are copied into shells.
            console.print(line, highlight=False, markup=False, soft_wrap=True)
        if reload is not None:
            reload.start()
            console.print("Watching the manifest: edits are applied as they are saved.")
        console.print("Press Ctrl+C to stop.")
        if run_schedules_now:
            emulator.fire_schedules()
        threading.Event().wait()
    finally:
        if reload is not None:
            reload.stop()
        emulator.stop()


def _triggers_table(service: Service, emulator: LocalEmulator) -> Table:
    """What runs what: each route's URL (and payload version), each S3 trigger's rules."""
    from rich.table import Table

    from wasmdeploy.local.sources.summary import event_source_rows

    table = Table(title=f"{service.name} ({service.stage}), local", title_justify="left")
    table.add_column("Trigger")
    table.add_column("Function")
    api_url = emulator.api.url if emulator.api is not None else None
    for function in service.functions:
        for route in function.routes if api_url is not None else ():
            payload = route.payload_version
            url = f"{route.method} {api_url}{route.path}"
            where = route.path if route.path == "$default" else url
            table.add_row(f"{where}  (payload {payload})", function.name)
        for trigger in function.s3_triggers:
            rules = "".join(
                f" {name}={value}"
                for name, value in (("prefix", trigger.prefix), ("suffix", trigger.suffix))
                if value
            )
            table.add_row(f"s3://{trigger.bucket} {','.join(trigger.events)}{rules}", function.name)
        for description in event_source_rows(function):
            table.add_row(description, function.name)
    return table


def local_aws_lines(aws: LocalAws) -> list[str]:
    """What a client needs to use the local AWS: where, the credentials, what is there."""
    lines = [f"Local AWS: {aws.endpoint_url}  (S3, SQS, SNS, Kinesis, DynamoDB, EventBridge)"]
    if aws.on_every_interface:
        lines.append(
            f"WARNING: --host {aws.host} puts the local AWS on every network interface too: "
            "anyone who can reach this machine can read and write its buckets and queues."
        )
    lines.append("To use it from a shell (aws CLI, boto3, SDKs):")
    lines += [f"  export {name}={value}" for name, value in aws.client_environment().items()]
    for kind, names in aws.resources.items():
        plural = kind + ("es" if kind.endswith("s") else "s")
        lines.append(f"  {plural}: {', '.join(names)}")
    lines.append("  e.g. aws s3 cp FILE s3://BUCKET/KEY")
    return lines
