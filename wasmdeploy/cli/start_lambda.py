"""`wasmdeploy start-lambda`: the Lambda Invoke API, locally, for SDKs and the aws CLI."""

from __future__ import annotations

import threading
from pathlib import Path

import click

from wasmdeploy.cli.options import (
    PORT,
    PORT_OR_ANY,
    load_service,
    manifest_options,
    runtime_pool_options,
)
from wasmdeploy.cli.serve import local_aws_lines
from wasmdeploy.errors import UserError


@click.command("start-lambda")
@manifest_options
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", "-p", default=3001, type=PORT, show_default=True, help="Port to listen on.")
@click.option(
    "--aws-port",
    default=0,
    type=PORT_OR_ANY,
    help="Port of the local AWS the functions use (default: any free port).",
)
@click.option(
    "--aws",
    "real_aws",
    is_flag=True,
    help="Let the functions use your AWS account (your credentials) instead of a local AWS.",
)
@runtime_pool_options
def start_lambda(
    manifest_file: Path | None,
    stage: str | None,
    region: str | None,
    host: str,
    port: int,
    aws_port: int,
    real_aws: bool,
    concurrency: int,
    bootstrap: str | None,
    verbose: bool,
) -> None:
    """Serve `POST /2015-03-31/functions/{name}/invocations` for the manifest's functions."""
    from wasmdeploy.local.emulator import create_pools
    from wasmdeploy.local.lambda_invoke_api import LambdaInvokeServer
    from wasmdeploy.local.local_aws import LocalAws
    from wasmdeploy.local.report_lines import stderr_sink
    from wasmdeploy.local.runtime_command import parse_bootstrap
    from wasmdeploy.local.served import local_buckets
    from wasmdeploy.local.stop_signals import exit_on_sigterm

    exit_on_sigterm()
    service = load_service(manifest_file, stage, region)
    command = parse_bootstrap(bootstrap) if bootstrap is not None else None
    aws = LocalAws(host=host, port=aws_port, region=service.region)
    if not real_aws:
        aws.on_start(lambda local: local.create_buckets(local_buckets(service)))
        aws.start()
    pools = create_pools(
        service,
        service.functions,
        aws_endpoint=None if real_aws else aws.endpoint_url,
        real_aws=real_aws,
        concurrency=concurrency,
        sink_for=lambda function: stderr_sink(f"[{function.name}] ", metric_records=verbose),
        bootstrap=command,
    )
    try:
        try:
            server = LambdaInvokeServer(service, pools, host=host, port=port, notice=stderr_sink())
        except OSError as error:
            raise UserError(
                f"cannot listen on {host}:{port}: {error.strerror}", hint="Choose another --port."
            ) from None
        server.start()
        click.echo(f"Lambda Invoke API on {server.url} for:", err=True)
        for function in service.functions:
            click.echo(f"  {function.name}  ({function.deployed_name})", err=True)
        click.echo(
            f"e.g. boto3.client('lambda', endpoint_url='{server.url}')"
            f".invoke(FunctionName='{service.functions[0].name if service.functions else 'NAME'}')",
            err=True,
        )
        if real_aws:
            click.echo("The functions use your AWS account (--aws).", err=True)
        else:
            for line in local_aws_lines(aws):
                click.echo(line, err=True)
        try:
            threading.Event().wait()
        finally:
            server.stop()
    finally:
        for pool in pools.values():
            pool.close()
        aws.stop()
