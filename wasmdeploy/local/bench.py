"""`wasmdeploy bench`: many invocations of one function, and what they cost.

A run is K cold starts (each in a sandbox of its own, started for it and
stopped after it) and then N warm invocations at a given concurrency through
the same warm pool `serve` uses. Every invocation is timed from outside, the
way a client sees it (`latency`), and its REPORT figures (Duration, Init
Duration, Max Memory Used) are kept beside that.

The invoker is a plain callable, so the same runner measures the local
runtime and a deployed function (`--remote`).
"""

from __future__ import annotations

import json
import math
import time
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Sample:
    """One invocation, as the client saw it and as Lambda reported it."""

    latency_ms: float  # wall time around the call, as a client measures it
    duration_ms: float | None = None  # REPORT Duration
    init_duration_ms: float | None = None  # REPORT Init Duration (cold starts only)
    max_memory_mb: int | None = None  # REPORT Max Memory Used
    error_type: str | None = None  # None on success


Invoker = Callable[[bytes], Sample]


@dataclass
class BenchRun:
    """The samples of one bench run, and the wall time of its warm phase."""

    concurrency: int
    warm: list[Sample] = field(default_factory=list)
    cold: list[Sample] = field(default_factory=list)
    warm_wall_s: float = 0.0

    def summary(self) -> dict[str, Any]:
        """The figures `bench --json` prints."""
        latencies = sorted(sample.latency_ms for sample in self.warm)
        errors = Counter(s.error_type for s in self.warm + self.cold if s.error_type)
        memory = [s.max_memory_mb for s in self.warm + self.cold if s.max_memory_mb is not None]
        inits = [s.init_duration_ms for s in self.cold if s.init_duration_ms is not None]
        return {
            "invocations": len(self.warm),
            "concurrency": self.concurrency,
            "errors": sum(errors.values()),
            "errors_by_type": dict(sorted(errors.items())),
            "latency_ms": {
                "p50": _rounded(percentile(latencies, 50)),
                "p90": _rounded(percentile(latencies, 90)),
                "p99": _rounded(percentile(latencies, 99)),
                "max": _rounded(latencies[-1] if latencies else None),
            },
            "throughput_per_s": _rounded(
                len(self.warm) / self.warm_wall_s if self.warm_wall_s > 0 else None
            ),
            "cold_start_ms": _rounded(_median([s.latency_ms for s in self.cold])),
            "init_duration_ms": _rounded(_median(inits)),
            "max_memory_mb": max(memory) if memory else None,
        }


def percentile(ordered: Sequence[float], q: float) -> float | None:
    """The nearest-rank percentile of sorted values (None when there are none)."""
    if not ordered:
        return None
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def run_bench(
    warm_invoker: Invoker,
    payload: bytes,
    *,
    invocations: int,
    concurrency: int,
    cold_starts: int = 0,
    cold_invoker: Invoker | None = None,
    warmup: bool = True,
    on_progress: Callable[[int], None] | None = None,
) -> BenchRun:
    """K cold starts one after another, then N warm invocations, `concurrency` at a time.

    With `warmup`, one invocation per concurrent slot runs first (not counted),
    so the warm figures do not include the pool's own cold starts.
    """
    run = BenchRun(concurrency=concurrency)
    if cold_starts and cold_invoker is not None:
        for _ in range(cold_starts):
            run.cold.append(cold_invoker(payload))
            if on_progress:
                on_progress(1)
    with ThreadPoolExecutor(max_workers=concurrency) as workers:
        if warmup:
            list(workers.map(warm_invoker, [payload] * concurrency))
        started = time.perf_counter()
        futures = [workers.submit(warm_invoker, payload) for _ in range(invocations)]
        for future in futures:
            run.warm.append(future.result())
            if on_progress:
                on_progress(1)
        run.warm_wall_s = time.perf_counter() - started
    return run


def timed(call: Callable[[], Sample]) -> Sample:
    """Run `call` and put the client-side wall time on the sample it returns."""
    started = time.perf_counter()
    sample = call()
    latency = (time.perf_counter() - started) * 1000
    return Sample(
        latency_ms=latency,
        duration_ms=sample.duration_ms,
        init_duration_ms=sample.init_duration_ms,
        max_memory_mb=sample.max_memory_mb,
        error_type=sample.error_type,
    )


def error_type_of(body: bytes, fallback: str = "Unhandled") -> str:
    """The `errorType` of a Lambda error payload, or `fallback` when it has none."""
    try:
        kind = json.loads(body).get("errorType")
    except (ValueError, AttributeError):
        kind = None
    return kind if isinstance(kind, str) and kind else fallback


def report_figures(log_text: str) -> Sample:
    """Duration, Init Duration and Max Memory Used from the REPORT line in `log_text`."""
    for line in reversed(log_text.splitlines()):
        if line.startswith("REPORT RequestId:"):
            fields = dict(part.split(": ", 1) for part in line.split("\t") if ": " in part)
            return Sample(
                latency_ms=0.0,
                duration_ms=_number(fields.get("Duration")),
                init_duration_ms=_number(fields.get("Init Duration")),
                max_memory_mb=_int(fields.get("Max Memory Used")),
            )
    return Sample(latency_ms=0.0)


def histogram(values: Sequence[float], buckets: int = 10) -> list[tuple[float, float, int]]:
    """Equal-width buckets over [min, max]: (low, high, count) each."""
    if not values:
        return []
    low, high = min(values), max(values)
    if high == low:
        return [(low, high, len(values))]
    width = (high - low) / buckets
    counts = [0] * buckets
    for value in values:
        counts[min(int((value - low) / width), buckets - 1)] += 1
    return [(low + i * width, low + (i + 1) * width, counts[i]) for i in range(buckets)]


def _number(text: str | None) -> float | None:
    try:
        return float(text.split()[0]) if text else None
    except (ValueError, IndexError):
        return None


def _int(text: str | None) -> int | None:
    value = _number(text)
    return None if value is None else int(value)


def _median(values: Sequence[float]) -> float | None:
    return percentile(sorted(values), 50)


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 3)
