"""One local invocation, as `wasmdeploy invoke` runs it: a cold sandbox, one event, done.

The function never reaches an AWS account unless asked to (`real_aws`): a
function that may call AWS gets a local AWS, started for the invocation, with
the manifest's buckets (empty) and throwaway credentials. With `input: object`
functions an object file can stand in for the upload: the file is put under
the function's trigger, the S3 event for it is sent, and whatever the
function wrote is read back.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from wasmdeploy.errors import UserError
from wasmdeploy.local.default_events import s3_event_for
from wasmdeploy.local.local_aws import LocalAws
from wasmdeploy.local.pool import FunctionPool
from wasmdeploy.local.runtime_session import InvocationOutcome, LogSink
from wasmdeploy.local.sandbox_factory import SandboxFactory
from wasmdeploy.local.served import local_buckets
from wasmdeploy.manifest.model import Function, S3Trigger, Service


@dataclass
class ObjectInvocation:
    outcome: InvocationOutcome
    input_key: tuple[str, str]  # (bucket, key) of the uploaded file
    written: dict[tuple[str, str], bytes]  # objects the function created or changed


def invoke_once(
    service: Service,
    function: Function,
    payload: bytes,
    emit: LogSink,
    *,
    bootstrap: tuple[str, ...] | None = None,
    aws_endpoint: str | None = None,
    real_aws: bool = False,
    client_context: str | None = None,
) -> InvocationOutcome:
    """Run `payload` through a fresh sandbox of `function` (a cold start) and stop it."""
    if aws_endpoint is None and not real_aws and may_call_aws(function, bootstrap):
        with LocalAws(region=service.region) as aws:
            aws.create_buckets(local_buckets(service))
            buckets = ", ".join(aws.resources.get("bucket", [])) or "none"
            emit(
                f"Local AWS on {aws.endpoint_url} (empty buckets: {buckets}); "
                "--object FILE uploads an object, --aws uses your AWS account instead"
            )
            return invoke_once(
                service,
                function,
                payload,
                emit,
                bootstrap=bootstrap,
                aws_endpoint=aws.endpoint_url,
                client_context=client_context,
            )
    # One invocation: compiling in the runtime beats compiling here and loading the .cwasm.
    factory = SandboxFactory(
        service,
        function,
        bootstrap=bootstrap,
        aws_endpoint=aws_endpoint,
        real_aws=real_aws,
        precompile=False,
    )
    pool = FunctionPool(factory, emit, max_concurrency=1)
    try:
        return pool.invoke(payload, client_context=client_context)
    finally:
        pool.close()


def may_call_aws(function: Function, bootstrap: tuple[str, ...] | None) -> bool:
    """Whether the function may make AWS calls: the runtime's object I/O, or code of its own."""
    return (
        function.reads_objects
        or function.output is not None
        or function.runtime.startswith("python")
        or bootstrap is not None
    )


def invoke_with_object(
    service: Service,
    function: Function,
    object_file: Path,
    emit: LogSink,
    *,
    bootstrap: tuple[str, ...] | None = None,
) -> ObjectInvocation:
    """Upload `object_file` to a local S3 under the function's trigger and run the function."""
    with LocalAws(region=service.region) as s3:
        input_key, payload = stage_object(s3, service, function, object_file)
        before = s3.snapshot()
        outcome = invoke_once(
            service, function, payload, emit, bootstrap=bootstrap, aws_endpoint=s3.endpoint_url
        )
        after = s3.snapshot()
        client = s3.client()
        written = {
            (bucket, name): client.get_object(Bucket=bucket, Key=name)["Body"].read()
            for (bucket, name), tag in after.items()
            if before.get((bucket, name)) != tag
        }
    return ObjectInvocation(outcome=outcome, input_key=input_key, written=written)


def stage_object(
    s3: LocalAws, service: Service, function: Function, object_file: Path
) -> tuple[tuple[str, str], bytes]:
    """Create the function's buckets in `s3` and upload `object_file` under its trigger;
    returns the object's (bucket, key) and the S3 event of that upload."""
    try:
        data = object_file.read_bytes()
    except OSError as error:
        raise UserError(f"cannot read --object {object_file}: {error}") from error
    trigger = _object_trigger(function)
    key = f"{trigger.prefix or ''}{object_file.name}"
    buckets = [trigger.bucket, *service.buckets_to_create]
    if function.output is not None:
        buckets.append(function.output.bucket)
    s3.create_buckets(dict.fromkeys(buckets))
    etag = s3.client().put_object(Bucket=trigger.bucket, Key=key, Body=data)["ETag"]
    event = s3_event_for(trigger, service.region, key=key, size=len(data), etag=etag)
    return (trigger.bucket, key), json.dumps(event).encode()


def _object_trigger(function: Function) -> S3Trigger:
    if function.s3_triggers:
        return function.s3_triggers[0]
    bucket = function.output.bucket if function.output else "wasmdeploy-local-input"
    return S3Trigger(bucket=bucket)
