"""Lambda's START / END / REPORT lines, as the local sandboxes print them."""

from __future__ import annotations

import json

import pytest

from wasmdeploy.local.report_lines import (
    InvocationFigures,
    exit_message,
    metric_summary,
    report_line,
    start_line,
    timeout_message,
)


def test_report_line_has_lambdas_fields_tab_separated() -> None:
    line = report_line(InvocationFigures("r1", 12.345, 128, 40, init_duration_ms=80.5))
    assert line.split("\t") == [
        "REPORT RequestId: r1",
        "Duration: 12.35 ms",
        "Billed Duration: 93 ms",
        "Memory Size: 128 MB",
        "Max Memory Used: 40 MB",
        "Init Duration: 80.50 ms",
    ]


def test_warm_report_has_no_init_duration_and_bills_the_duration_only() -> None:
    line = report_line(InvocationFigures("r2", 0.2, 256, 30))
    assert "Init Duration" not in line and "Billed Duration: 1 ms" in line


def test_timeout_and_crash_reports_carry_their_status() -> None:
    assert report_line(InvocationFigures("r", 3000, 128, 9, status="timeout")).endswith(
        "\tStatus: timeout"
    )
    crash = report_line(
        InvocationFigures("r", 5, 128, 9, status="crash", error_type="Runtime.ExitError")
    )
    assert crash.endswith("\tStatus: error\tError Type: Runtime.ExitError")


def test_messages_read_like_lambdas() -> None:
    assert start_line("r") == "START RequestId: r Version: $LATEST"
    assert timeout_message("r", 3) == "RequestId: r Error: Task timed out after 3.00 seconds"
    assert exit_message("r", 2).endswith("Runtime exited with error: exit status 2")
    assert exit_message("r", -9).endswith("Runtime exited with error: signal: kill")


def emf(**values: object) -> str:
    metrics = [
        {"Name": "Duration", "Unit": "Milliseconds"},
        {"Name": "PeakLinearMemory", "Unit": "Bytes"},
        {"Name": "FuelUsed", "Unit": "Count"},
    ]
    record = {
        "_aws": {"Timestamp": 1, "CloudWatchMetrics": [{"Namespace": "n", "Metrics": metrics}]},
        "Duration": 2.5,
        "PeakLinearMemory": 3 * 1024 * 1024,
        "FuelUsed": 1200,
        **values,
    }
    return json.dumps(record, separators=(",", ":"))


def test_a_metric_record_is_summarised_by_its_declared_metrics() -> None:
    assert metric_summary(emf()) == (
        "Metrics: Duration 2.50 ms, PeakLinearMemory 3 MB, FuelUsed 1200 "
        "(--verbose shows the EMF record)"
    )


@pytest.mark.parametrize(
    "line",
    ["hello", '{"_aws": 1}', '{"_aws": {"CloudWatchMetrics": "x"}}', '{"_aws"', emf()[1:]],
)
def test_lines_that_are_not_metric_records_are_left_alone(line: str) -> None:
    assert metric_summary(line) is None


def test_a_record_missing_a_declared_metric_is_left_alone() -> None:
    record = json.loads(emf())
    del record["FuelUsed"]
    assert metric_summary(json.dumps(record, separators=(",", ":"))) is None
