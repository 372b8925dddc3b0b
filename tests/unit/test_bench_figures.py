"""The arithmetic behind `wasmdeploy bench`: percentiles, histograms, REPORT parsing."""

from __future__ import annotations

from wasmdeploy.cli.bench_report import comparison
from wasmdeploy.local.bench import (
    BenchRun,
    Sample,
    error_type_of,
    histogram,
    percentile,
    report_figures,
)


def test_percentile_is_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == 50 and percentile(values, 99) == 99
    assert percentile(values, 100) == 100 and percentile([7.0], 90) == 7
    assert percentile([], 50) is None


def test_histogram_buckets_hold_every_value_once() -> None:
    values = [1.0, 1.5, 2.0, 9.0, 10.0]
    buckets = histogram(values, buckets=3)
    assert sum(count for _, _, count in buckets) == len(values)
    assert buckets[0][0] == 1.0 and buckets[-1][1] == 10.0
    assert histogram([4.0, 4.0]) == [(4.0, 4.0, 2)]


def test_report_figures_reads_lambdas_report_line() -> None:
    log = (
        "START RequestId: r Version: $LATEST\nEND RequestId: r\n"
        "REPORT RequestId: r\tDuration: 12.50 ms\tBilled Duration: 13 ms\t"
        "Memory Size: 128 MB\tMax Memory Used: 41 MB\tInit Duration: 99.10 ms\n"
    )
    figures = report_figures(log)
    assert (figures.duration_ms, figures.max_memory_mb, figures.init_duration_ms) == (
        12.5,
        41,
        99.1,
    )
    assert report_figures("no report here").duration_ms is None


def test_error_type_comes_from_the_error_payload() -> None:
    assert error_type_of(b'{"errorType": "WasmTimeout", "errorMessage": "x"}') == "WasmTimeout"
    assert error_type_of(b"not json") == "Unhandled"


def test_summary_counts_and_orders_the_figures() -> None:
    run = BenchRun(concurrency=2, warm_wall_s=2.0)
    run.warm = [Sample(latency_ms=float(i), max_memory_mb=30 + i) for i in range(1, 11)]
    run.warm[3] = Sample(latency_ms=4.0, error_type="WasmTrap")
    run.cold = [Sample(latency_ms=100.0, init_duration_ms=80.0, max_memory_mb=50)]
    summary = run.summary()
    assert summary["invocations"] == 10 and summary["throughput_per_s"] == 5.0
    assert summary["errors"] == 1 and summary["errors_by_type"] == {"WasmTrap": 1}
    assert summary["latency_ms"] == {"p50": 5.0, "p90": 9.0, "p99": 10.0, "max": 10.0}
    assert summary["cold_start_ms"] == 100.0 and summary["init_duration_ms"] == 80.0
    assert summary["max_memory_mb"] == 50


def test_comparison_divides_the_other_run_by_the_first() -> None:
    base = {"latency_ms": {"p50": 10.0}, "throughput_per_s": 100.0, "cold_start_ms": None}
    other = {"latency_ms": {"p50": 5.0}, "throughput_per_s": 150.0, "cold_start_ms": 3.0}
    ratios = comparison(base, other)
    assert ratios["p50 latency"] == 0.5 and ratios["throughput"] == 1.5
    assert ratios["cold start"] is None
