"""`wasmdeploy logs` as a user runs it, against moto's server standing in for CloudWatch Logs."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import boto3
import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
GROUP = "/aws/lambda/wasm-function-service-dev-processImage"


@pytest.fixture
def service_dir(tmp_path: Path) -> Path:
    copy = tmp_path / "service"
    shutil.copytree(EXAMPLES / "s3-event-log", copy, ignore=shutil.ignore_patterns("build"))
    return copy


def logs(*args: str, cwd: Path, endpoint: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env.update(
        AWS_ENDPOINT_URL=endpoint,
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_DEFAULT_REGION="us-east-1",
    )
    return subprocess.run(
        [sys.executable, "-m", "wasmdeploy", "logs", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def put_events(endpoint: str, messages: list[tuple[int, str]]) -> None:
    client = boto3.client("logs", region_name="us-east-1", endpoint_url=endpoint)
    client.create_log_group(logGroupName=GROUP)
    client.create_log_stream(logGroupName=GROUP, logStreamName="2026/11/23/[$LATEST]abc")
    client.put_log_events(
        logGroupName=GROUP,
        logStreamName="2026/11/23/[$LATEST]abc",
        logEvents=[{"timestamp": t, "message": m} for t, m in messages],
    )


def test_logs_prints_recent_events_with_times(service_dir: Path, moto_endpoint: str) -> None:
    now = int(time.time() * 1000)
    put_events(
        moto_endpoint,
        [
            (now - 3 * 3600 * 1000, "from three hours ago"),
            (now - 60_000, "START RequestId: 7 Version: $LATEST"),
            (now - 59_000, "converted uploads/cat.png"),
        ],
    )
    result = logs("processImage", "--since", "10m", cwd=service_dir, endpoint=moto_endpoint)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert [line.split("  ", 1)[1] for line in lines] == [
        "START RequestId: 7 Version: $LATEST",
        "converted uploads/cat.png",
    ]
    wider = logs("processImage", "--since", "4h", cwd=service_dir, endpoint=moto_endpoint)
    assert "from three hours ago" in wider.stdout


def test_logs_of_an_undeployed_function_is_a_clean_error(
    service_dir: Path, moto_endpoint: str
) -> None:
    result = logs("processImage", cwd=service_dir, endpoint=moto_endpoint)
    assert result.returncode == 1
    assert result.stderr.startswith(f"Error: Log group {GROUP} does not exist in us-east-1")
    assert "wasmdeploy up" in result.stderr


def test_logs_of_an_unknown_function_lists_the_known_ones(
    service_dir: Path, moto_endpoint: str
) -> None:
    result = logs("resize", cwd=service_dir, endpoint=moto_endpoint)
    assert result.returncode == 1
    assert "No function 'resize'" in result.stderr and "processImage" in result.stderr


def test_edge_logs_come_from_every_region_with_the_region_named(
    tmp_path: Path, moto_endpoint: str
) -> None:
    service = tmp_path / "edge"
    shutil.copytree(EXAMPLES / "edge-rewrite", service, ignore=shutil.ignore_patterns("build"))
    now = int(time.time() * 1000)
    replica = "/aws/lambda/us-east-1.edge-rewrite-dev-rewrite"
    for region, message, at in (
        ("eu-west-1", "rewrote /a", now - 2000),
        ("sa-east-1", "rewrote /b", now - 1000),
    ):
        client = boto3.client("logs", region_name=region, endpoint_url=moto_endpoint)
        client.create_log_group(logGroupName=replica)
        client.create_log_stream(logGroupName=replica, logStreamName="s")
        client.put_log_events(
            logGroupName=replica,
            logStreamName="s",
            logEvents=[{"timestamp": at, "message": message}],
        )
    result = logs("rewrite", "--since", "10m", cwd=service, endpoint=moto_endpoint)
    assert result.returncode == 0, result.stderr
    assert [line.split("  ", 1)[1] for line in result.stdout.splitlines()] == [
        "[eu-west-1]  rewrote /a",
        "[sa-east-1]  rewrote /b",
    ]
