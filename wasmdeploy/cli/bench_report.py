"""How `wasmdeploy bench` shows its figures: a table per run, a histogram, the ratios."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:
    from wasmdeploy.local.bench import BenchRun

RATIO_FIGURES = (
    ("p50 latency", ("latency_ms", "p50")),
    ("p90 latency", ("latency_ms", "p90")),
    ("p99 latency", ("latency_ms", "p99")),
    ("max latency", ("latency_ms", "max")),
    ("throughput", ("throughput_per_s",)),
    ("cold start", ("cold_start_ms",)),
    ("init duration", ("init_duration_ms",)),
    ("max memory", ("max_memory_mb",)),
)
_BAR_WIDTH = 40


def comparison(base: dict[str, Any], other: dict[str, Any]) -> dict[str, float | None]:
    """other / base for each figure (below 1 is faster for times, slower for throughput)."""
    return {label: _ratio(_pick(base, path), _pick(other, path)) for label, path in RATIO_FIGURES}


def render_runs(runs: dict[str, BenchRun], summaries: dict[str, dict[str, Any]]) -> None:
    console = Console(soft_wrap=True)
    table = Table(title="wasmdeploy bench", show_lines=False)
    table.add_column("figure")
    for name in summaries:
        table.add_column(name, justify="right")
    for label, path in _ROWS:
        table.add_row(label, *(_cell(_pick(summary, path)) for summary in summaries.values()))
    table.add_row("errors", *(_errors(summary) for summary in summaries.values()))
    console.print(table)
    for name, run in runs.items():
        _print_histogram(console, name, [sample.latency_ms for sample in run.warm])
    if len(summaries) == 2:
        base, other = summaries.values()
        names = list(summaries)
        ratios = Table(title=f"{names[1]} / {names[0]}")
        ratios.add_column("figure")
        ratios.add_column("ratio", justify="right")
        for label, value in comparison(base, other).items():
            ratios.add_row(label, "n/a" if value is None else f"{value:.3f}x")
        console.print(ratios)


_ROWS = (
    ("invocations", ("invocations",)),
    ("concurrency", ("concurrency",)),
    ("p50 latency (ms)", ("latency_ms", "p50")),
    ("p90 latency (ms)", ("latency_ms", "p90")),
    ("p99 latency (ms)", ("latency_ms", "p99")),
    ("max latency (ms)", ("latency_ms", "max")),
    ("throughput (/s)", ("throughput_per_s",)),
    ("cold start (ms)", ("cold_start_ms",)),
    ("Init Duration (ms)", ("init_duration_ms",)),
    ("Max Memory Used (MB)", ("max_memory_mb",)),
)


def _print_histogram(console: Console, name: str, latencies: list[float]) -> None:
    from wasmdeploy.local.bench import histogram

    buckets = histogram(latencies)
    if not buckets:
        return
    console.print(f"\nlatency of the warm invocations, {name} (ms)")
    top = max(count for _, _, count in buckets)
    for low, high, count in buckets:
        bar = "█" * (round(_BAR_WIDTH * count / top) if top else 0)
        console.print(f"  {low:9.3f} - {high:9.3f}  {bar} {count}", highlight=False)


def _pick(summary: dict[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = summary
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    return value


def _ratio(base: Any, other: Any) -> float | None:
    if not isinstance(base, int | float) or not isinstance(other, int | float) or base == 0:
        return None
    return float(f"{other / base:.4g}")


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    return f"{value:,.3f}" if isinstance(value, float) else str(value)


def _errors(summary: dict[str, Any]) -> str:
    if not summary["errors"]:
        return "0"
    kinds = ", ".join(f"{kind} {count}" for kind, count in summary["errors_by_type"].items())
    return f"{summary['errors']} ({kinds})"
