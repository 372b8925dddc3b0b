"""The Embedded Metric Format line written per invocation."""

from __future__ import annotations

import json

from wasmdeploy_runtime.metrics import InvocationMetrics, emf_line


def metrics(**overrides: object) -> InvocationMetrics:
    values: dict[str, object] = {
        "function_name": "processImage",
        "request_id": "req-1",
        "duration": 0.0123,
        "instantiate_time": 0.0001,
        "peak_memory": 131072,
        "fuel_used": None,
        "cold_start": True,
    }
    values.update(overrides)
    return InvocationMetrics(**values)  # type: ignore[arg-type,unused-ignore]


def test_emf_line_declares_namespace_dimension_and_metric_units() -> None:
    line = emf_line(metrics(), timestamp_ms=1700000000000)
    assert "\n" not in line
    document = json.loads(line)
    directive = document["_aws"]["CloudWatchMetrics"][0]
    assert document["_aws"]["Timestamp"] == 1700000000000
    assert directive["Namespace"] == "wasmdeploy"
    assert directive["Dimensions"] == [["FunctionName"]]
    units = {item["Name"]: item["Unit"] for item in directive["Metrics"]}
    assert units == {
        "Duration": "Milliseconds",
        "InstantiateTime": "Milliseconds",
        "PeakLinearMemory": "Bytes",
        "ColdStart": "Count",
    }
    assert document["FunctionName"] == "processImage"
    assert document["Duration"] == 12.3
    assert document["InstantiateTime"] == 0.1
    assert document["PeakLinearMemory"] == 131072
    assert document["ColdStart"] == 1
    assert "FuelUsed" not in document


def test_fuel_is_a_metric_only_when_metered_and_errors_are_a_property() -> None:
    document = json.loads(emf_line(metrics(fuel_used=420, cold_start=False, error_type="WasmTrap")))
    names = [item["Name"] for item in document["_aws"]["CloudWatchMetrics"][0]["Metrics"]]
    assert "FuelUsed" in names
    assert document["FuelUsed"] == 420
    assert document["ColdStart"] == 0
    assert document["errorType"] == "WasmTrap"
