"""`wasmdeploy start-lambda`: the Lambda Invoke API, locally, for SDKs and the aws CLI."""

from __future__ import annotations

import threading
from pathlib import Path

import click

from wasmdeploy.cli.options import load_service, manifest_options, runtime_pool_options
from wasmdeploy.errors import UserError


@click.command("start-lambda")
@manifest_options
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", "-p", default=3001, show_default=True, help="Port to listen on.")
@runtime_pool_options
def start_lambda(
    manifest_file: Path | None,
    stage: str | None,
    region: str | None,
    host: str,
    port: int,
    concurrency: int,
    bootstrap: str | None,
) -> None:
    """Serve `POST /2015-03-31/functions/{name}/invocations` for the manifest's functions."""
    from wasmdeploy.local.emulator import create_pools, stderr_sink
    from wasmdeploy.local.lambda_invoke_api import LambdaInvokeServer
    from wasmdeploy.local.runtime_command import parse_bootstrap
    from wasmdeploy.local.stop_signals import exit_on_sigterm

    exit_on_sigterm()
    service = load_service(manifest_file, stage, region)
    command = parse_bootstrap(bootstrap) if bootstrap is not None else None
    pools = create_pools(
        service,
        service.functions,
        s3_endpoint=None,
        concurrency=concurrency,
        sink_for=lambda function: stderr_sink(f"[{function.name}] "),
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
        try:
            threading.Event().wait()
        finally:
            server.stop()
    finally:
        for pool in pools.values():
            pool.close()
