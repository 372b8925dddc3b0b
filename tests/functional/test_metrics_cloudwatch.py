"""`wasmdeploy metrics` reads moto's CloudWatch: Lambda's metrics and the runtime's EMF ones."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from stacks_factories import make_function, make_service

from tests.functional.cloudwatch_metrics import put
from wasmdeploy.stacks.metrics import function_metrics


def record(endpoint: str | None, function: str, invocations: int) -> None:
    cloudwatch = boto3.client("cloudwatch", region_name="eu-west-1", endpoint_url=endpoint)
    put(cloudwatch, "AWS/Lambda", "Invocations", function, [1.0] * invocations)
    put(cloudwatch, "AWS/Lambda", "Errors", function, [1.0, 1.0])
    put(cloudwatch, "AWS/Lambda", "Throttles", function, [1.0])
    put(cloudwatch, "AWS/Lambda", "Duration", function, [2.0, 4.0, 30.0], "Milliseconds")
    put(cloudwatch, "wasmdeploy", "ColdStart", function, [1.0, 0.0, 1.0, 0.0])
    put(cloudwatch, "wasmdeploy", "PeakLinearMemory", function, [65536.0, 131072.0], "Bytes")


def test_figures_come_from_the_deployed_functions_own_metrics(
    tmp_path: Path, s3_endpoint: str
) -> None:
    service = make_service(
        tmp_path, [make_function(tmp_path, "hello", service="metered")], name="metered"
    )
    record(s3_endpoint, "metered-dev-hello", 7)
    record(s3_endpoint, "metered-prod-hello", 100)  # another stage: not counted
    now = datetime.now(tz=UTC)
    client = boto3.client(
        "cloudwatch",
        region_name="eu-west-1",
        endpoint_url=s3_endpoint,
        config=Config(retries={"max_attempts": 1}),
    )
    figures = function_metrics(
        service,
        service.functions[0],
        now - timedelta(hours=1),
        now + timedelta(minutes=1),
        client=client,
    )
    assert (figures.invocations, figures.errors, figures.throttles) == (7, 2, 1)
    assert figures.cold_starts == 2 and figures.peak_linear_memory_bytes == 131072
    assert figures.duration_ms["max"] == 30.0
    assert figures.duration_ms["avg"] == pytest.approx(12.0)
    # moto's CloudWatch computes no percentiles (it fails the query): they stay unknown
    # instead of failing the rest.
    assert figures.duration_ms["p50"] is None and figures.region == "eu-west-1"


class PercentileCloudWatch:
    """Answers GetMetricData as CloudWatch does for a p50/p99 query."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []

    def get_paginator(self, name: str) -> Any:
        assert name == "get_metric_data"
        return self

    def paginate(self, **request: Any) -> list[dict[str, Any]]:
        self.requests.append(request)
        answers = {"duration_p50": [3.5], "duration_p99": [28.0], "invocations": [5.0, 4.0]}
        return [
            {
                "MetricDataResults": [
                    {"Id": query["Id"], "Values": answers.get(query["Id"], [])}
                    for query in request["MetricDataQueries"]
                ]
            }
        ]


def test_percentiles_are_asked_of_cloudwatch_over_one_period(tmp_path: Path) -> None:
    service = make_service(tmp_path, [make_function(tmp_path, "hello")])
    fake = PercentileCloudWatch()
    now = datetime.now(tz=UTC)
    figures = function_metrics(
        service, service.functions[0], now - timedelta(minutes=90), now, client=fake
    )
    assert figures.duration_ms["p50"] == 3.5 and figures.duration_ms["p99"] == 28.0
    assert figures.invocations == 9  # summed over the periods CloudWatch returned
    stats = {q["MetricStat"]["Stat"] for r in fake.requests for q in r["MetricDataQueries"]}
    assert {"p50", "p99", "Sum", "Maximum"} <= stats
    periods = {q["MetricStat"]["Period"] for r in fake.requests for q in r["MetricDataQueries"]}
    assert periods == {5400}
    dimensions = fake.requests[0]["MetricDataQueries"][0]["MetricStat"]["Metric"]["Dimensions"]
    assert dimensions == [{"Name": "FunctionName", "Value": "images-dev-hello"}]
