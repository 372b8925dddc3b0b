"""The local invokers `wasmdeploy bench` measures: a warm pool, and cold sandboxes.

Warm invocations share one `FunctionPool` (the pool `serve` uses) sized to the
bench's concurrency; each cold start gets a sandbox of its own that is stopped
right after, so its Init Duration is a real runtime start.
"""

from __future__ import annotations

from types import TracebackType

from wasmdeploy.local.bench import Sample, error_type_of, timed
from wasmdeploy.local.pool import FunctionPool
from wasmdeploy.local.runtime_session import InvocationOutcome, LogSink
from wasmdeploy.local.sandbox_factory import SandboxFactory
from wasmdeploy.manifest.model import Function, Service


def outcome_sample(outcome: InvocationOutcome) -> Sample:
    """An invocation's REPORT figures and error type (latency is set by `timed`)."""
    figures = outcome.figures
    error = None
    if outcome.invocation.is_error:
        fallback = {"timeout": "Sandbox.Timedout", "crash": "Runtime.ExitError"}.get(
            outcome.invocation.status, "Unhandled"
        )
        error = outcome.invocation.error_type or error_type_of(outcome.payload, fallback)
    return Sample(
        latency_ms=0.0,
        duration_ms=figures.duration_ms,
        init_duration_ms=figures.init_duration_ms,
        max_memory_mb=figures.max_memory_used_mb,
        error_type=error,
    )


class LocalBench:
    """Invokers for one function's module, run through the local runtime."""

    def __init__(
        self,
        service: Service,
        function: Function,
        emit: LogSink,
        *,
        concurrency: int,
        bootstrap: tuple[str, ...] | None = None,
        aws_endpoint: str | None = None,
    ) -> None:
        self.service = service
        self.function = function
        self._emit = emit
        self._bootstrap = bootstrap
        self._aws_endpoint = aws_endpoint  # a local AWS for the function's S3 I/O
        factory = self._factory()
        self._pool = FunctionPool(factory, emit, max_concurrency=concurrency)

    def __enter__(self) -> LocalBench:
        self._pool.warm()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._pool.close()

    def _factory(self) -> SandboxFactory:
        return SandboxFactory(
            self.service, self.function, bootstrap=self._bootstrap, aws_endpoint=self._aws_endpoint
        )

    def warm(self, payload: bytes) -> Sample:
        return timed(lambda: outcome_sample(self._pool.invoke(payload)))

    def cold(self, payload: bytes) -> Sample:
        pool = FunctionPool(self._factory(), self._emit, max_concurrency=1)
        pool.warm()  # staging the task root is packaging, not part of Lambda's cold start
        try:
            return timed(lambda: outcome_sample(pool.invoke(payload)))
        finally:
            pool.close()
