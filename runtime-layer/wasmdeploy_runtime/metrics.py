"""One CloudWatch Embedded Metric Format line per invocation.

Lambda forwards the line to CloudWatch Logs, and CloudWatch turns it into
metrics in the `wasmdeploy` namespace, dimensioned by function name, with no
API call from the function.
"""

from __future__ import annotations

import json
import time

NAMESPACE = "wasmdeploy"


class InvocationMetrics:
    __slots__ = (
        "cold_start",
        "duration",
        "error_type",
        "fuel_used",
        "function_name",
        "instantiate_time",
        "kv_calls",
        "kv_time",
        "peak_memory",
        "request_id",
    )

    def __init__(
        self,
        function_name: str,
        request_id: str,
        duration: float,
        instantiate_time: float,
        peak_memory: int,
        fuel_used: int | None,
        cold_start: bool,
        error_type: str | None = None,
        kv_calls: int | None = None,
        kv_time: float = 0.0,
    ) -> None:
        self.function_name = function_name
        self.request_id = request_id
        self.duration = duration  # seconds, the whole invocation (S3 I/O included)
        self.instantiate_time = instantiate_time  # seconds
        self.peak_memory = peak_memory  # bytes of linear memory
        self.fuel_used = fuel_used
        self.cold_start = cold_start
        self.error_type = error_type
        self.kv_calls = kv_calls  # key-value store calls; None for a function with no stores
        self.kv_time = kv_time  # seconds spent in them


_METRICS = (
    ("Duration", "Milliseconds"),
    ("InstantiateTime", "Milliseconds"),
    ("PeakLinearMemory", "Bytes"),
    ("ColdStart", "Count"),
)
_FUEL = ("FuelUsed", "Count")
_KV = (("KvCalls", "Count"), ("KvTime", "Milliseconds"))


def _directive(with_fuel: bool, with_kv: bool = False) -> str:
    """The constant `CloudWatchMetrics` part of the document, as JSON."""
    metrics = [*_METRICS, _FUEL] if with_fuel else list(_METRICS)
    if with_kv:
        metrics.extend(_KV)
    return json.dumps(
        [
            {
                "Namespace": NAMESPACE,
                "Dimensions": [["FunctionName"]],
                "Metrics": [{"Name": name, "Unit": unit} for name, unit in metrics],
            }
        ],
        separators=(",", ":"),
    )


# Rendered once: one line per invocation is written on the hot path.
_DIRECTIVES = {(fuel, kv): _directive(fuel, kv) for fuel in (False, True) for kv in (False, True)}
_string = json.encoder.encode_basestring_ascii


def emf_line(metrics: InvocationMetrics, *, timestamp_ms: int | None = None) -> str:
    """The EMF JSON document for one invocation, on one line."""
    timestamp = int(time.time() * 1000) if timestamp_ms is None else timestamp_ms
    fields = [
        f'{{"_aws":{{"Timestamp":{timestamp},'
        f'"CloudWatchMetrics":'
        f"{_DIRECTIVES[metrics.fuel_used is not None, metrics.kv_calls is not None]}}}",
        f'"FunctionName":{_string(metrics.function_name)}',
        f'"Duration":{round(metrics.duration * 1000, 3)!r}',
        f'"InstantiateTime":{round(metrics.instantiate_time * 1000, 3)!r}',
        f'"PeakLinearMemory":{int(metrics.peak_memory)}',
        f'"ColdStart":{1 if metrics.cold_start else 0}',
        f'"requestId":{_string(metrics.request_id)}',
    ]
    if metrics.fuel_used is not None:
        fields.append(f'"FuelUsed":{int(metrics.fuel_used)}')
    if metrics.kv_calls is not None:
        fields.append(f'"KvCalls":{int(metrics.kv_calls)}')
        fields.append(f'"KvTime":{round(metrics.kv_time * 1000, 3)!r}')
    if metrics.error_type is not None:
        fields.append(f'"errorType":{_string(metrics.error_type)}')
    return ",".join(fields) + "}"
