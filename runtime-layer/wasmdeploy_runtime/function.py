"""A WASM function: its config, its sandbox, its S3 binding, its logs and metrics.

The Runtime API loop and the managed-Python handler both hold one
`WasmFunction` and call `invoke` per event; neither knows about ABIs or S3.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from wasmdeploy_runtime.config import FunctionConfig, load_config, task_root_from
from wasmdeploy_runtime.errors import INVALID_EVENT, FunctionError
from wasmdeploy_runtime.guest_log import guest_lines, printable
from wasmdeploy_runtime.metrics import InvocationMetrics, emf_line
from wasmdeploy_runtime.sandbox import (
    MAX_OBJECT_OUTPUT_BYTES,
    MAX_RESPONSE_BYTES,
    Outcome,
    Sandbox,
)

if TYPE_CHECKING:
    from wasmdeploy_runtime.s3_objects import ObjectRef, ObjectStore

LogWriter = Callable[[bytes], None]


def write_stderr(data: bytes) -> None:
    _write_all(2, data)


def write_stdout(data: bytes) -> None:
    _write_all(1, data)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


class Result:
    __slots__ = ("body", "error")

    def __init__(
        self,
        body: bytes | None,
        error: FunctionError | None,
    ) -> None:
        self.body = body  # the response, None on error
        self.error = error


class _Totals:
    __slots__ = ("fuel_used", "instantiate_time", "peak_memory")

    def __init__(self) -> None:
        self.instantiate_time = 0.0
        self.peak_memory = 0
        self.fuel_used: int | None = None

    def add(self, outcome: Outcome) -> None:
        self.instantiate_time += outcome.instantiate_time
        self.peak_memory = max(self.peak_memory, outcome.peak_memory)
        if outcome.fuel_used is not None:
            self.fuel_used = (self.fuel_used or 0) + outcome.fuel_used


class WasmFunction:
    def __init__(
        self,
        config: FunctionConfig,
        *,
        objects: ObjectStore | None = None,
        log: LogWriter = write_stderr,
        metrics: LogWriter = write_stdout,
        metric_name: str | None = None,
    ) -> None:
        """Prepare the module; raises InitError when it cannot run. `metric_name` is the
        metrics' FunctionName dimension: the deployed function's name (Lambda's
        AWS_LAMBDA_FUNCTION_NAME, unique per service and stage), else the config's."""
        self.config = config
        self._metric_name = metric_name or config.function_name
        limit = MAX_OBJECT_OUTPUT_BYTES if config.output else MAX_RESPONSE_BYTES
        self.sandbox = Sandbox(config, output_limit=limit)
        self._objects = objects
        self._log = log
        self._metrics = metrics
        self._cold = True
        self._request_id = ""
        self._pending_metrics: list[InvocationMetrics] = []

    @classmethod
    def from_environment(
        cls, environ: Mapping[str, str] | None = None, task_root: Path | None = None
    ) -> WasmFunction:
        environ = os.environ if environ is None else environ
        root = task_root if task_root is not None else task_root_from(environ)
        return cls(load_config(root, environ), metric_name=environ.get("AWS_LAMBDA_FUNCTION_NAME"))

    def invoke(
        self, payload: bytes, *, request_id: str = "", deadline: float | None = None
    ) -> Result:
        """Run one event; `deadline` is Lambda's, in time.monotonic() seconds. Call
        `after_response()` once the result is delivered."""
        started = time.monotonic()
        totals = _Totals()
        self._request_id = request_id  # for the guest's log lines
        kv = self.sandbox.prepared.kv
        kv_calls, kv_time = (kv.calls, kv.time) if kv is not None else (0, 0.0)
        try:
            body: bytes | None = self._handle(payload, deadline, totals)
            error = None
        except FunctionError as failure:
            body, error = None, failure
            self._log(_error_lines(failure))
        # Formatted by after_response(), once the answer is on its way.
        self._pending_metrics.append(
            InvocationMetrics(
                function_name=self._metric_name,
                request_id=request_id,
                duration=time.monotonic() - started,
                instantiate_time=totals.instantiate_time,
                peak_memory=totals.peak_memory,
                fuel_used=totals.fuel_used,
                cold_start=self._cold,
                error_type=error.error_type if error else None,
                kv_calls=None if kv is None else kv.calls - kv_calls,
                kv_time=0.0 if kv is None else kv.time - kv_time,
            )
        )
        self._cold = False
        return Result(body, error)

    def after_response(self) -> None:
        """Once the answer is on its way: write the metrics line, close the spent store and
        prepare the next instance, so none of it delays a response."""
        if self._pending_metrics:
            lines = [emf_line(metrics) + "\n" for metrics in self._pending_metrics]
            self._pending_metrics.clear()
            self._metrics("".join(lines).encode())
        self.sandbox.prewarm()

    def close(self) -> None:
        self.after_response()
        self.sandbox.close()

    def _object_store(self) -> ObjectStore:
        if self._objects is None:
            from wasmdeploy_runtime.s3_objects import ObjectStore

            self._objects = ObjectStore()
        return self._objects

    def _handle(self, payload: bytes, deadline: float | None, totals: _Totals) -> bytes:
        config = self.config
        if config.input == "event" and config.output is None:
            return self._run(payload, deadline, totals)
        # S3 binding: loaded only by functions that read or write objects.
        from wasmdeploy_runtime.s3_objects import object_refs

        event = _parse_event(payload)
        if config.input == "object":
            results = []
            for source in object_refs(event):
                data = self._object_store().get(source)
                results.append(self._deliver(self._run(data, deadline, totals), source))
            if len(results) == 1:
                return results[0]
            return json.dumps([_as_json_value(result) for result in results]).encode()
        sources = _optional_refs(event)
        return self._deliver(self._run(payload, deadline, totals), sources[0] if sources else None)

    def _run(self, payload: bytes, deadline: float | None, totals: _Totals) -> bytes:
        if self.sandbox.prepared.kv is not None:
            self.sandbox.prepared.kv.start_invocation()
        outcome = self.sandbox.run(payload, deadline=deadline)
        totals.add(outcome)
        if outcome.logs:
            self._log(guest_lines(outcome.logs, self._request_id))
        if outcome.error is not None:
            raise outcome.error
        assert outcome.output is not None
        return outcome.output

    def _deliver(self, output: bytes, source: ObjectRef | None) -> bytes:
        """The response: the output itself, or where `output:` put it in S3."""
        from wasmdeploy_runtime.s3_objects import ObjectRef, render_key, template_fields

        target = self.config.output
        if target is None:
            return output
        fields = template_fields(source) if source else {}
        bucket = target.bucket or (source.bucket if source else None)
        if bucket is None:
            raise FunctionError(
                INVALID_EVENT, "output has no bucket and the event names no S3 object"
            )
        written = self._object_store().put(
            ObjectRef(bucket, render_key(target.key, fields)), output
        )
        return json.dumps(written).encode()


def _parse_event(payload: bytes) -> object:
    try:
        return json.loads(payload)
    except ValueError as error:
        raise FunctionError(INVALID_EVENT, f"the event is not JSON: {error}") from None


def _optional_refs(event: object) -> list[ObjectRef]:
    from wasmdeploy_runtime.s3_objects import object_refs

    try:
        return object_refs(event)
    except FunctionError:
        return []


def _as_json_value(body: bytes) -> object:
    try:
        return json.loads(body)
    except ValueError:
        return body.decode("utf-8", errors="replace")


def _error_lines(error: FunctionError) -> bytes:
    # Messages and frame names may hold the guest's text (abort messages, function names).
    lines = [f"[ERROR] {error.error_type}: {printable(error.message)}"]
    lines.extend(f"    {printable(frame)}" for frame in error.stack_trace)
    return ("\n".join(lines) + "\n").encode()
