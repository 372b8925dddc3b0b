"""Metric data for a deployed function, put into moto's CloudWatch as Lambda and the runtime
(its EMF records) would publish it."""

from __future__ import annotations

from typing import Any


def put(
    cloudwatch: Any,
    namespace: str,
    name: str,
    function: str,
    values: list[float],
    unit: str = "Count",
) -> None:
    cloudwatch.put_metric_data(
        Namespace=namespace,
        MetricData=[
            {
                "MetricName": name,
                "Dimensions": [{"Name": "FunctionName", "Value": function}],
                "Values": values,
                "Counts": [1.0] * len(values),
                "Unit": unit,
            }
        ],
    )
