"""`wasmdeploy invoke FUNCTION`: run a function once, locally (or `--remote` on AWS).

The response goes to stdout; the function's logs and Lambda's START / END /
REPORT lines go to stderr. Exit 0 on success, 1 on a function error (whose
error JSON is the response).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from wasmdeploy.cli.options import NewFile, find_function, load_service, manifest_options
from wasmdeploy.errors import UserError
from wasmdeploy.local.payload_limits import SYNC_REQUEST_BYTES, TOO_LARGE_ERROR, too_large_message
from wasmdeploy.local.report_lines import stderr_sink

if TYPE_CHECKING:
    from wasmdeploy.local.runtime_session import LogSink
    from wasmdeploy.manifest.model import Function, Service


@click.command("invoke")
@click.argument("function_name", metavar="FUNCTION")
@manifest_options
@click.option(
    "--event",
    "-e",
    "event_source",
    default=None,
    metavar="FILE|-",
    help="Event JSON file, or - for stdin (default: an event of the function's trigger).",
)
@click.option(
    "--bootstrap",
    default=None,
    metavar="CMD",
    help="Run this runtime command instead of the layer's bootstrap "
    '(e.g. "python -m awslambdaric app.handler").',
)
@click.option(
    "--object",
    "object_file",
    default=None,
    type=click.Path(dir_okay=False, path_type=Path),
    help="For input: object functions: upload FILE to a local S3 and send its S3 event.",
)
@click.option(
    "--out",
    "out_file",
    default=None,
    type=NewFile(),
    help="With --object: write the function's output object here.",
)
@click.option("--remote", is_flag=True, help="Invoke the deployed function on AWS instead.")
@click.option(
    "--verbose", "-v", is_flag=True, help="Show the runtime's metric records (EMF) in full."
)
@click.option(
    "--aws",
    "real_aws",
    is_flag=True,
    help="Run locally, but let the function use your AWS account instead of a local AWS.",
)
@click.option(
    "--env",
    "env_assignments",
    multiple=True,
    metavar="KEY=VALUE",
    help="Set an environment variable for this run (repeatable; over the manifest's).",
)
@click.option(
    "--env-file",
    default=None,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Environment variables for this run: dotenv lines, or SAM's --env-vars JSON.",
)
@click.option(
    "--context",
    "context_json",
    default=None,
    metavar="JSON",
    help="The client context the function receives, as a JSON object.",
)
def invoke(
    function_name: str,
    manifest_file: Path | None,
    stage: str | None,
    region: str | None,
    event_source: str | None,
    bootstrap: str | None,
    object_file: Path | None,
    out_file: Path | None,
    remote: bool,
    verbose: bool,
    real_aws: bool,
    env_assignments: tuple[str, ...],
    env_file: Path | None,
    context_json: str | None,
) -> None:
    """Invoke a function locally, with Lambda's runtime API and the same runtime as on AWS."""
    from wasmdeploy.local.stop_signals import exit_on_sigterm

    exit_on_sigterm()
    log = stderr_sink(metric_records=verbose)
    service = load_service(manifest_file, stage, region)
    function = find_function(service, function_name)
    if out_file is not None and object_file is None:
        raise UserError("--out needs --object: it receives the object the function writes")
    if object_file is not None and event_source is not None:
        raise UserError("give --event or --object, not both: --object generates the S3 event")
    if remote:
        if object_file is not None or bootstrap is not None or env_assignments or env_file:
            raise UserError(
                "--remote invokes the deployed function: --object, --bootstrap, --env and "
                "--env-file are local only"
            )
        if context_json is not None:
            raise UserError("--context is local only; the deployed function gets the caller's")
        _invoke_remote(service, function, _read_payload(service, function, event_source))
        return
    from wasmdeploy.local.invoke_overrides import client_context, with_environment
    from wasmdeploy.local.runtime_command import parse_bootstrap

    function = with_environment(function, env_file, env_assignments)
    context = client_context(context_json)
    command = parse_bootstrap(bootstrap) if bootstrap is not None else None
    if object_file is not None:
        _invoke_object(service, function, object_file, out_file, command, log)
        return
    from wasmdeploy.local.invoke import invoke_once

    payload = _read_payload(service, function, event_source)
    outcome = invoke_once(
        service,
        function,
        payload,
        log,
        bootstrap=command,
        real_aws=real_aws,
        client_context=context,
    )
    _print_result(outcome.payload, outcome.function_error)


def _invoke_object(
    service: Service,
    function: Function,
    object_file: Path,
    out_file: Path | None,
    command: tuple[str, ...] | None,
    log: LogSink,
) -> None:
    from wasmdeploy.local.invoke import invoke_with_object

    if not object_file.is_file():
        raise UserError(f"--object {object_file}: no such file")
    if not function.reads_objects:
        click.echo(
            f"Warning: function {function.name!r} has input: event; it gets the S3 event only.",
            err=True,
        )
    result = invoke_with_object(service, function, object_file, log, bootstrap=command)
    written = {key: data for key, data in result.written.items() if key != result.input_key}
    for (bucket, key), data in written.items():
        click.echo(f"Wrote s3://{bucket}/{key} ({len(data)} bytes)", err=True)
    if out_file is not None and not result.outcome.function_error:
        if not written:
            raise UserError(f"function {function.name!r} wrote no object, so --out got nothing")
        preferred = [k for k in written if function.output and k[0] == function.output.bucket]
        out_file.write_bytes(written[(preferred or list(written))[0]])
        click.echo(f"Saved the output object to {out_file}", err=True)
    _print_result(result.outcome.payload, result.outcome.function_error)


def _invoke_remote(service: Service, function: Function, payload: bytes) -> None:
    from wasmdeploy.stacks.remote import invoke_remote

    result = invoke_remote(service, function.name, payload)
    if result.log_tail:
        sys.stderr.write(
            result.log_tail if result.log_tail.endswith("\n") else result.log_tail + "\n"
        )
    _print_result(result.payload, result.function_error)


def _print_result(payload: bytes, function_error: str | None) -> None:
    out = sys.stdout.buffer
    out.write(payload)
    if not payload.endswith(b"\n"):
        out.write(b"\n")
    out.flush()
    if function_error:
        sys.exit(1)


def _read_payload(service: Service, function: Function, source: str | None) -> bytes:
    if source is None:
        if function.reads_objects:
            raise UserError(
                f"function {function.name!r} reads the uploaded object (input: object)",
                hint="Pass --object FILE to upload a file to a local S3, "
                "or --event with an S3 event.",
            )
        from wasmdeploy.local.default_events import default_event

        return json.dumps(default_event(service, function)).encode()
    if source == "-":
        data, where = sys.stdin.buffer.read(SYNC_REQUEST_BYTES + 1), "stdin"
    else:
        try:
            with Path(source).open("rb") as file:
                data, where = file.read(SYNC_REQUEST_BYTES + 1), source
        except OSError as error:
            raise UserError(f"cannot read --event {source}: {error.strerror or error}") from None
    too_large = too_large_message(len(data))
    if too_large:
        raise UserError(
            f"{TOO_LARGE_ERROR}: {too_large} (--event {where} is larger)",
            hint="Lambda refuses synchronous events over 6 MB: put the data in S3 and send "
            "its bucket and key instead.",
        )
    try:
        json.loads(data)
    except ValueError as error:
        raise UserError(
            f"--event {where} is not JSON: {error}", hint="Lambda events are JSON documents."
        ) from None
    return data
