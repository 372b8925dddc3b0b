"""One CloudWatch Embedded Metric Format line per invocation.

Lambda forwards the line to CloudWatch Logs, and CloudWatch turns it into
metrics in the `wasmdeploy` namespace, dimensioned by function name, with no
API call from the function.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

NAMESPACE = "wasmdeploy"


@dataclass(frozen=True)
class InvocationMetrics:
    function_name: str
    request_id: str
    duration: float  # seconds, the whole invocation (S3 I/O included)
    instantiate_time: float  # seconds
    peak_memory: int  # bytes of linear memory
    fuel_used: int | None
    cold_start: bool
    error_type: str | None = None


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
