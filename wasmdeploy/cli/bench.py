"""`wasmdeploy bench FUNCTION`: latency, throughput, cold starts and memory of one function.

N warm invocations at a concurrency, plus K cold starts, through the same
local runtime as `invoke` (or the deployed function with `--remote`); a table
and a latency histogram, or `--json`. `--compare OTHER.wasm` runs a second
build of the module on the same events in the same run and prints the ratios.
`--object FILE` benchmarks an `input: object` function: the file is uploaded to
a local S3 under the function's trigger and every invocation gets its S3 event.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from wasmdeploy.cli.options import find_function, load_service, manifest_options
from wasmdeploy.errors import UserError

if TYPE_CHECKING:
    from wasmdeploy.local.bench import BenchRun
    from wasmdeploy.manifest.model import Function, Service


@click.command("bench")
@click.argument("function_name", metavar="FUNCTION")
@manifest_options
@click.option(
    "-n",
    "invocations",
    default=100,
    show_default=True,
    type=click.IntRange(1, 100_000),
    help="Warm invocations.",
)
@click.option(
    "-c",
    "--concurrency",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Invocations in flight at once.",
)
@click.option(
    "--event",
    "-e",
    "event_file",
    default=None,
    metavar="FILE|-",
    help="Event JSON (default: an event of the function's trigger).",
)
@click.option(
    "--object",
    "object_file",
    default=None,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="For input: object functions: upload FILE to a local S3 and send its S3 event.",
)
@click.option(
    "--cold",
    "cold_starts",
    default=3,
    show_default=True,
    type=click.IntRange(0, 1000),
    help="Cold starts to measure (local only).",
)
@click.option(
    "--compare",
    "compare_module",
    default=None,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Another build of the module, run on the same events: prints the ratios.",
)
@click.option("--remote", is_flag=True, help="Invoke the deployed function on AWS instead.")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@click.option("--verbose", "-v", is_flag=True, help="Also print the functions' log lines.")
def bench(
    function_name: str,
    manifest_file: Path | None,
    stage: str | None,
    region: str | None,
    invocations: int,
    concurrency: int,
    event_file: str | None,
    object_file: Path | None,
    cold_starts: int,
    compare_module: Path | None,
    remote: bool,
    as_json: bool,
    verbose: bool,
) -> None:
    """Benchmark a function: p50/p90/p99 latency, throughput, cold start, memory, errors."""
    from wasmdeploy.local.stop_signals import exit_on_sigterm

    exit_on_sigterm()
    service = load_service(manifest_file, stage, region)
    function = find_function(service, function_name)
    if remote and compare_module is not None:
        raise UserError("--compare runs two local builds: it does not go with --remote")
    if object_file is not None and (remote or event_file is not None):
        raise UserError(
            "--object makes the event from a local upload: it goes without --event and --remote"
        )
    settings = {"invocations": invocations, "concurrency": concurrency, "cold_starts": cold_starts}
    runs: dict[str, BenchRun] = {}
    if object_file is not None:
        from wasmdeploy.local.invoke import stage_object
        from wasmdeploy.local.local_aws import LocalAws

        with LocalAws(region=service.region) as s3:
            _, payload = stage_object(s3, service, function, object_file)
            runs = _local_runs(
                service, function, payload, settings, verbose, compare_module, s3.endpoint_url
            )
    elif remote:
        payload = _payload(service, function, event_file)
        runs[function.name] = _remote_run(service, function, payload, settings)
    else:
        payload = _payload(service, function, event_file)
        runs = _local_runs(service, function, payload, settings, verbose, compare_module, None)
    _print(runs, as_json)


def _local_runs(
    service: Service,
    function: Function,
    payload: bytes,
    settings: dict[str, int],
    verbose: bool,
    compare_module: Path | None,
    aws_endpoint: str | None,
) -> dict[str, BenchRun]:
    """The function's module, then the `--compare` build on the same events."""
    builds = {function.module_relpath: function}
    if compare_module is not None:
        builds[str(compare_module)] = dataclasses.replace(function, module=compare_module.resolve())
    return {
        name: _local_run(service, build, payload, settings, verbose, aws_endpoint)
        for name, build in builds.items()
    }


def _local_run(
    service: Service,
    function: Function,
    payload: bytes,
    settings: dict[str, int],
    verbose: bool,
    aws_endpoint: str | None = None,
) -> BenchRun:
    from wasmdeploy.local.bench import run_bench
    from wasmdeploy.local.bench_local import LocalBench

    emit = _log_to_stderr if verbose else _discard
    concurrency = settings["concurrency"]
    with LocalBench(
        service, function, emit, concurrency=concurrency, aws_endpoint=aws_endpoint
    ) as local:
        return run_bench(
            local.warm,
            payload,
            invocations=settings["invocations"],
            concurrency=settings["concurrency"],
            cold_starts=settings["cold_starts"],
            cold_invoker=local.cold,
        )


def _remote_run(
    service: Service, function: Function, payload: bytes, settings: dict[str, int]
) -> BenchRun:
    """Deployed functions: cold starts cannot be forced without changing the function, so the
    cold figures are those of the invocations whose REPORT line has an Init Duration."""
    from wasmdeploy.local.bench import Sample, error_type_of, report_figures, run_bench, timed
    from wasmdeploy.stacks.remote import function_region, invoke_remote, lambda_client

    client = lambda_client(function_region(service, function))

    def call(body: bytes) -> Sample:
        result = invoke_remote(service, function.name, body, client=client)
        figures = report_figures(result.log_tail)
        error = error_type_of(result.payload) if result.function_error else None
        return dataclasses.replace(figures, error_type=error)

    run = run_bench(
        lambda body: timed(lambda: call(body)),
        payload,
        invocations=settings["invocations"],
        concurrency=settings["concurrency"],
        warmup=False,
    )
    run.cold = [sample for sample in run.warm if sample.init_duration_ms is not None]
    return run


def _payload(service: Service, function: Function, source: str | None) -> bytes:
    if source is None:
        if function.reads_objects:
            raise UserError(
                f"function {function.name!r} reads the uploaded object (input: object)",
                hint="Pass --object FILE to upload a file to a local S3 and send its event.",
            )
        from wasmdeploy.local.default_events import default_event

        return json.dumps(default_event(service, function)).encode()
    try:
        data = sys.stdin.buffer.read() if source == "-" else Path(source).read_bytes()
        json.loads(data)
    except OSError as error:
        raise UserError(f"cannot read --event {source}: {error.strerror or error}") from None
    except ValueError as error:
        raise UserError(f"--event {source} is not JSON: {error}") from None
    return data


def _print(runs: dict[str, BenchRun], as_json: bool) -> None:
    from wasmdeploy.cli.bench_report import comparison, render_runs

    summaries = {name: run.summary() for name, run in runs.items()}
    if as_json:
        (first, *rest) = summaries.values()
        document: dict[str, Any] = dict(first)
        if rest:
            document["compare"] = rest[0]
            document["ratios"] = comparison(first, rest[0])
        click.echo(json.dumps(document, indent=2))
        return
    render_runs(runs, summaries)


def _log_to_stderr(line: str) -> None:
    sys.stderr.write(line + "\n")


def _discard(line: str) -> None:
    pass
