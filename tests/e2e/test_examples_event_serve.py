"""The event-driven examples under `wasmdeploy serve`, as their READMEs run them: the
stream-stats pipeline fed by its load script, the scheduled report fired at start."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import boto3

from tests.ports import free_port
from tests.serve_process import ServeProcess

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def serve_copy(example: str, tmp_path: Path, *args: str) -> tuple[ServeProcess, Path, str]:
    root = tmp_path / example
    shutil.copytree(EXAMPLES / example, root, ignore=shutil.ignore_patterns(".wasmdeploy"))
    aws_port = free_port()
    server = ServeProcess(root, "--port", str(free_port()), "--aws-port", str(aws_port), *args)
    return server, root, f"http://127.0.0.1:{aws_port}"


def test_pipeline_load_script_gets_every_window_back(tmp_path: Path) -> None:
    server, root, endpoint = serve_copy("stream-stats", tmp_path)
    try:
        result = subprocess.run(
            [sys.executable, "load.py", "--endpoint", endpoint, "--windows", "20",
             "--readings", "10", "--kinesis", "100", "--timeout", "60"],
            cwd=root, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert result.returncode == 0, result.stdout + result.stderr
        assert "20 of 20 windows came back" in result.stdout
        assert "windows/s" in result.stdout and "readings/s" in result.stdout
        # The raw readings on the stream reach the function too, in batches.
        server.wait_until(
            lambda: len([line for line in server.lines_of("windowStats") if "REPORT" in line]) > 20,
            "the Kinesis readings never reached windowStats",
        )
    finally:
        server.stop()


def test_scheduled_report_publishes_both_schedules_to_its_queue(tmp_path: Path) -> None:
    server, _, endpoint = serve_copy("scheduled-report", tmp_path, "--run-schedules-now")
    try:
        sqs = boto3.client(
            "sqs", endpoint_url=endpoint, region_name="us-east-1",
            aws_access_key_id="wasmdeploy-local", aws_secret_access_key="wasmdeploy-local",
        )  # fmt: skip
        url = sqs.get_queue_url(QueueName="scheduled-reports")["QueueUrl"]
        records: list[dict[str, object]] = []
        for _ in range(20):
            reply = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
            records += [json.loads(message["Body"]) for message in reply.get("Messages", [])]
            if len(records) >= 2:
                break
        reports = sorted((r["responsePayload"] for r in records), key=lambda r: str(r["job"]))
        assert [r["job"] for r in reports] == ["daily-digest", "tick"]
        assert reports[1]["rule"] == (
            "arn:aws:events:us-east-1:123456789012:rule/scheduled-report-dev-report-schedule-0"
        )
        assert all(r["requestContext"]["condition"] == "Success" for r in records)
        assert "Next cron(0 8 ? * MON-FRI *) -> report:" in server.output()
    finally:
        server.stop()
