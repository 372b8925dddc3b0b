"""Lambda's own log lines: START, END, REPORT, and the timeout notice; and the short form of
the runtime's metric records (EMF) that local commands show instead of the record, and the
sink that writes a local run's log lines to stderr."""

from __future__ import annotations

import json
import math
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass

from wasmdeploy.local.timestamps import iso_milliseconds

_write_lock = threading.Lock()


@dataclass(frozen=True)
class InvocationFigures:
    request_id: str
    duration_ms: float
    memory_size_mb: int
    max_memory_used_mb: int
    init_duration_ms: float | None = None  # only on a cold start
    status: str = "success"  # success | error | timeout | crash
    error_type: str | None = None


def start_line(request_id: str, version: str = "$LATEST") -> str:
    return f"START RequestId: {request_id} Version: {version}"


def end_line(request_id: str) -> str:
    return f"END RequestId: {request_id}"


def report_line(figures: InvocationFigures) -> str:
    init = figures.init_duration_ms or 0.0
    billed = math.ceil(figures.duration_ms + init) if figures.duration_ms + init > 0 else 1
    fields = [
        f"REPORT RequestId: {figures.request_id}",
        f"Duration: {figures.duration_ms:.2f} ms",
        f"Billed Duration: {billed} ms",
        f"Memory Size: {figures.memory_size_mb} MB",
        f"Max Memory Used: {figures.max_memory_used_mb} MB",
    ]
    if figures.init_duration_ms is not None:
        fields.append(f"Init Duration: {figures.init_duration_ms:.2f} ms")
    if figures.status == "timeout":
        fields.append("Status: timeout")
    elif figures.status == "crash":
        fields.append("Status: error")
        fields.append(f"Error Type: {figures.error_type or 'Runtime.ExitError'}")
    return "\t".join(fields)


def timeout_line(request_id: str, timeout: float) -> str:
    return f"{iso_milliseconds()} {request_id} Task timed out after {timeout:.2f} seconds"


def timeout_message(request_id: str, timeout: float) -> str:
    return f"RequestId: {request_id} Error: Task timed out after {timeout:.2f} seconds"


def exit_message(request_id: str, returncode: int | None) -> str:
    if returncode is None:
        reason = "Runtime exited without providing a reason"
    elif returncode < 0:
        reason = f"Runtime exited with error: signal: {_signal_name(-returncode)}"
    else:
        reason = f"Runtime exited with error: exit status {returncode}"
    return f"RequestId: {request_id} Error: {reason}"


def metric_summary(line: str) -> str | None:
    """`Metrics: Duration 0.45 ms, PeakLinearMemory 64 KB, ...` for an EMF record (the JSON
    line CloudWatch reads metrics from), or None when `line` is not one."""
    if not line.startswith('{"_aws"'):
        return None
    try:
        record = json.loads(line)
        directives = record["_aws"]["CloudWatchMetrics"]
        metrics = [m for directive in directives for m in directive["Metrics"]]
        parts = [_metric_text(m["Name"], record[m["Name"]], m.get("Unit")) for m in metrics]
    except (ValueError, KeyError, TypeError):
        return None
    return "Metrics: " + ", ".join(parts) + " (--verbose shows the EMF record)"


def stderr_sink(prefix: str = "", *, metric_records: bool = False) -> Callable[[str], None]:
    """Write log lines to stderr whole, even when several sandboxes log at once; the runtime's
    metric records (EMF) shortened to their figures unless `metric_records`."""

    def emit(line: str) -> None:
        line = (None if metric_records else metric_summary(line)) or line
        with _write_lock:
            sys.stderr.write(f"{prefix}{line}\n")
            sys.stderr.flush()

    return emit


def _metric_text(name: str, value: object, unit: object) -> str:
    if not isinstance(value, int | float) or isinstance(value, bool):
        return f"{name} {value}"
    if unit == "Milliseconds":
        return f"{name} {value:.2f} ms"
    if unit == "Bytes":
        for suffix, factor in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
            if value >= factor:
                return f"{name} {value / factor:.4g} {suffix}"
        return f"{name} {value:g} B"
    return f"{name} {value:g}"


def _signal_name(number: int) -> str:
    import signal

    try:
        return signal.Signals(number).name.removeprefix("SIG").lower()
    except ValueError:
        return str(number)
