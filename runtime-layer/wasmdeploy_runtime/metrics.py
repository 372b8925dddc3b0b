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
    ) -> None:
        self.function_name = function_name
        self.request_id = request_id
        self.duration = duration  # seconds, the whole invocation (S3 I/O included)
        self.instantiate_time = instantiate_time  # seconds
        self.peak_memory = peak_memory  # bytes of linear memory
        self.fuel_used = fuel_used
        self.cold_start = cold_start
        self.error_type = error_type


def emf_line(metrics: InvocationMetrics, *, timestamp_ms: int | None = None) -> str:
    """The EMF JSON document for one invocation, on one line."""
    definitions = [
        {"Name": "Duration", "Unit": "Milliseconds"},
        {"Name": "InstantiateTime", "Unit": "Milliseconds"},
        {"Name": "PeakLinearMemory", "Unit": "Bytes"},
        {"Name": "ColdStart", "Unit": "Count"},
    ]
    document: dict[str, object] = {
        "_aws": {
            "Timestamp": int(time.time() * 1000) if timestamp_ms is None else timestamp_ms,
            "CloudWatchMetrics": [
                {
                    "Namespace": NAMESPACE,
                    "Dimensions": [["FunctionName"]],
                    "Metrics": definitions,
                }
            ],
        },
        "FunctionName": metrics.function_name,
        "Duration": round(metrics.duration * 1000, 3),
        "InstantiateTime": round(metrics.instantiate_time * 1000, 3),
        "PeakLinearMemory": metrics.peak_memory,
        "ColdStart": 1 if metrics.cold_start else 0,
        "requestId": metrics.request_id,
    }
    if metrics.fuel_used is not None:
        definitions.append({"Name": "FuelUsed", "Unit": "Count"})
        document["FuelUsed"] = metrics.fuel_used
    if metrics.error_type is not None:
        document["errorType"] = metrics.error_type
    return json.dumps(document, separators=(",", ":"))
