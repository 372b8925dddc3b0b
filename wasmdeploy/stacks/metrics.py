"""`wasmdeploy metrics`: a deployed function's figures from CloudWatch.

Lambda's own metrics (namespace `AWS/Lambda`: Invocations, Errors, Throttles,
Duration) and the runtime's Embedded Metric Format ones (namespace
`wasmdeploy`: ColdStart, PeakLinearMemory), both dimensioned by the deployed
function's name, read with one GetMetricData call per function over the whole
window (one period), as `serverless metrics` does. Duration percentiles come
in a query of their own: a CloudWatch that computes none leaves them unknown
instead of failing the rest.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from wasmdeploy.errors import UserError
from wasmdeploy.manifest.model import Function, Service
from wasmdeploy.stacks.remote import CREDENTIALS_HINT, function_region

LAMBDA_NAMESPACE = "AWS/Lambda"
RUNTIME_NAMESPACE = "wasmdeploy"

# query id -> (namespace, metric, statistic)
TOTALS = {
    "invocations": (LAMBDA_NAMESPACE, "Invocations", "Sum"),
    "errors": (LAMBDA_NAMESPACE, "Errors", "Sum"),
    "throttles": (LAMBDA_NAMESPACE, "Throttles", "Sum"),
    "duration_avg": (LAMBDA_NAMESPACE, "Duration", "Average"),
    "duration_max": (LAMBDA_NAMESPACE, "Duration", "Maximum"),
    "cold_starts": (RUNTIME_NAMESPACE, "ColdStart", "Sum"),
    "peak_memory": (RUNTIME_NAMESPACE, "PeakLinearMemory", "Maximum"),
}
PERCENTILES = {
    "duration_p50": (LAMBDA_NAMESPACE, "Duration", "p50"),
    "duration_p99": (LAMBDA_NAMESPACE, "Duration", "p99"),
}
_SUMMED = {"invocations", "errors", "throttles", "cold_starts"}


@dataclass(frozen=True)
class FunctionFigures:
    function: str  # the manifest's name
    deployed_name: str
    region: str
    invocations: int
    errors: int
    throttles: int
    duration_ms: dict[str, float | None]  # avg, p50, p99, max
    cold_starts: int
    peak_linear_memory_bytes: int | None

    def as_json(self) -> dict[str, Any]:
        return {
            "function": self.function,
            "deployed_name": self.deployed_name,
            "region": self.region,
            "invocations": self.invocations,
            "errors": self.errors,
            "throttles": self.throttles,
            "duration_ms": self.duration_ms,
            "cold_starts": self.cold_starts,
            "peak_linear_memory_bytes": self.peak_linear_memory_bytes,
        }


def function_metrics(
    service: Service,
    function: Function,
    start: datetime,
    end: datetime,
    *,
    client: Any | None = None,
) -> FunctionFigures:
    """The function's figures between `start` and `end`, from CloudWatch."""
    import boto3

    region = function_region(service, function)
    cloudwatch = client or boto3.client("cloudwatch", region_name=region)
    period = max(60, math.ceil((end - start).total_seconds() / 60) * 60)
    values = _query(cloudwatch, function, TOTALS, start, end, period, required=True)
    values.update(_query(cloudwatch, function, PERCENTILES, start, end, period, required=False))
    peak = values.get("peak_memory")
    return FunctionFigures(
        function=function.name,
        deployed_name=function.deployed_name,
        region=region,
        invocations=int(values.get("invocations") or 0),
        errors=int(values.get("errors") or 0),
        throttles=int(values.get("throttles") or 0),
        duration_ms={
            "avg": values.get("duration_avg"),
            "p50": values.get("duration_p50"),
            "p99": values.get("duration_p99"),
            "max": values.get("duration_max"),
        },
        cold_starts=int(values.get("cold_starts") or 0),
        peak_linear_memory_bytes=None if peak is None else int(peak),
    )


def _query(
    cloudwatch: Any,
    function: Function,
    queries: dict[str, tuple[str, str, str]],
    start: datetime,
    end: datetime,
    period: int,
    *,
    required: bool,
) -> dict[str, float | None]:
    from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

    dimensions = [{"Name": "FunctionName", "Value": function.deployed_name}]
    request = [
        {
            "Id": query_id,
            "MetricStat": {
                "Metric": {"Namespace": namespace, "MetricName": metric, "Dimensions": dimensions},
                "Period": period,
                "Stat": stat,
            },
            "ReturnData": True,
        }
        for query_id, (namespace, metric, stat) in queries.items()
    ]
    try:
        pages = cloudwatch.get_paginator("get_metric_data").paginate(
            MetricDataQueries=request, StartTime=start, EndTime=end
        )
        results = [result for page in pages for result in page["MetricDataResults"]]
    except NoCredentialsError as error:
        raise UserError(
            "no AWS credentials found for reading CloudWatch metrics",
            hint=CREDENTIALS_HINT,
        ) from error
    except (ClientError, BotoCoreError) as error:
        if not required:
            return {}
        raise UserError(
            f"CloudWatch GetMetricData for {function.deployed_name} failed: {error}"
        ) from error
    return {result["Id"]: _combine(result["Id"], result.get("Values", [])) for result in results}


def _combine(query_id: str, values: list[float]) -> float | None:
    if not values:
        return None
    if query_id in _SUMMED:
        return float(sum(values))
    if query_id.endswith("_avg") or query_id.startswith("duration_p"):
        return float(values[0]) if len(values) == 1 else float(sum(values) / len(values))
    return float(max(values))
