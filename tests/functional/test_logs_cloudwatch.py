"""`FunctionLogs` reads a deployed function's log group in moto's CloudWatch Logs."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import boto3
import pytest
from moto import mock_aws
from stacks_factories import hello_and_edge_service

from wasmdeploy.errors import UserError
from wasmdeploy.stacks.logs import FunctionLogs

GROUP = "/aws/lambda/images-dev-hello"


def millis(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def write_events(group: str, region: str, messages: list[tuple[datetime, str]]) -> None:
    logs = boto3.client("logs", region_name=region)
    if not logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"]:
        logs.create_log_group(logGroupName=group)
    stream = f"2026/11/23/[$LATEST]{uuid.uuid4().hex}"
    logs.create_log_stream(logGroupName=group, logStreamName=stream)
    logs.put_log_events(
        logGroupName=group,
        logStreamName=stream,
        logEvents=[{"timestamp": millis(t), "message": m} for t, m in messages],
    )


@mock_aws
def test_fetch_returns_the_events_since_the_start_oldest_first(tmp_path: Path) -> None:
    now = datetime.now(tz=UTC)
    write_events(
        GROUP,
        "eu-west-1",
        [
            (now - timedelta(hours=2), "too old"),
            (now - timedelta(minutes=5), "START RequestId: 1 Version: $LATEST"),
            (now - timedelta(minutes=4), "hello from wasm"),
        ],
    )
    reader = FunctionLogs(hello_and_edge_service(tmp_path), "hello")
    events = reader.fetch(now - timedelta(minutes=10))
    assert [event.message for event in events] == [
        "START RequestId: 1 Version: $LATEST",
        "hello from wasm",
    ]
    assert reader.fetch(now - timedelta(minutes=10)) == []  # already shown


@mock_aws
def test_filter_pattern_narrows_the_events(tmp_path: Path) -> None:
    now = datetime.now(tz=UTC)
    write_events(GROUP, "eu-west-1", [(now, "ERROR trap"), (now, "all good")])
    events = FunctionLogs(hello_and_edge_service(tmp_path), "hello").fetch(
        now - timedelta(minutes=1), "ERROR"
    )
    assert [event.message for event in events] == ["ERROR trap"]


@mock_aws
def test_follow_prints_new_events_once_each(tmp_path: Path) -> None:
    now = datetime.now(tz=UTC)
    write_events(GROUP, "eu-west-1", [(now - timedelta(seconds=30), "first")])
    reader = FunctionLogs(hello_and_edge_service(tmp_path), "hello")
    polls: list[float] = []

    def sleep(seconds: float) -> None:
        polls.append(seconds)
        if len(polls) == 1:
            write_events(GROUP, "eu-west-1", [(now - timedelta(seconds=10), "second")])

    seen = [e.message for e in reader.follow(now - timedelta(minutes=1), sleep=sleep, rounds=3)]
    assert seen == ["first", "second"]
    assert polls == [2.0, 2.0]


@mock_aws
def test_edge_function_logs_are_read_where_each_edge_location_wrote_them(tmp_path: Path) -> None:
    now = datetime.now(tz=UTC)
    replica = "/aws/lambda/us-east-1.images-dev-rewrite"
    write_events(replica, "eu-west-1", [(now - timedelta(seconds=3), "from Dublin")])
    write_events(replica, "ap-southeast-2", [(now - timedelta(seconds=2), "from Sydney")])
    write_events("/aws/lambda/images-dev-rewrite", "us-east-1", [(now, "test invoke")])
    write_events(replica, "us-west-2", [(now - timedelta(hours=3), "too old")])
    reader = FunctionLogs(hello_and_edge_service(tmp_path), "rewrite")
    events = reader.fetch(now - timedelta(minutes=1))
    assert [(e.message, e.region) for e in events] == [
        ("from Dublin", "eu-west-1"),
        ("from Sydney", "ap-southeast-2"),
        ("test invoke", "us-east-1"),
    ]
    assert reader.fetch(now - timedelta(minutes=1)) == []


@mock_aws
def test_an_edge_function_that_never_ran_says_where_it_looked(tmp_path: Path) -> None:
    reader = FunctionLogs(hello_and_edge_service(tmp_path), "rewrite", regions=["eu-west-1"])
    with pytest.raises(UserError) as raised:
        reader.fetch(datetime.now(tz=UTC))
    assert "/aws/lambda/images-dev-rewrite does not exist in us-east-1" in raised.value.message
    assert "no region has /aws/lambda/us-east-1.images-dev-rewrite" in raised.value.message


@mock_aws
def test_missing_log_group_says_to_deploy(tmp_path: Path) -> None:
    with pytest.raises(UserError) as raised:
        FunctionLogs(hello_and_edge_service(tmp_path), "hello").fetch(datetime.now(tz=UTC))
    assert GROUP in raised.value.message
    assert raised.value.hint and "wasmdeploy up" in raised.value.hint
