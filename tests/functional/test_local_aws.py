"""The local AWS: one endpoint for every service, reachable by local clients only.

Clients nobody here wrote (boto3, the aws CLI) use it with the environment it
prints; a page of another site, a rebound DNS name, or moto's admin API cannot
touch its state.
"""

from __future__ import annotations

import os
import subprocess
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from tests.required_tools import console_script
from wasmdeploy.local.local_aws import LocalAws

BUCKET = "local-aws-kept"


@pytest.fixture(scope="module")
def aws() -> Iterator[LocalAws]:
    local = LocalAws()
    local.on_start(lambda started: started.create_buckets([BUCKET]))
    with local:
        yield local


def status_of(aws: LocalAws, path: str, *, method: str = "GET", **headers: str) -> int:
    request = urllib.request.Request(
        f"{aws.endpoint_url}{path}",
        method=method,
        headers=headers,
        data=b"" if method == "POST" else None,
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def bucket_names(aws: LocalAws) -> set[str]:
    return {bucket["Name"] for bucket in aws.client().list_buckets()["Buckets"]}


def test_every_service_answers_on_the_one_endpoint(aws: LocalAws) -> None:
    queue = aws.client("sqs").create_queue(QueueName="local-aws-q")["QueueUrl"]
    assert queue.endswith("/local-aws-q")
    aws.client("sns").create_topic(Name="local-aws-topic")
    aws.client("kinesis").create_stream(StreamName="local-aws-stream", ShardCount=1)
    aws.client("events").put_events(Entries=[{"Source": "t", "DetailType": "d", "Detail": "{}"}])
    tables = aws.client("dynamodb").list_tables()["TableNames"]
    assert isinstance(tables, list)


def test_setups_registered_before_start_ran_and_their_resources_are_listed(
    aws: LocalAws,
) -> None:
    assert BUCKET in bucket_names(aws)
    assert aws.resources["bucket"] == [BUCKET]


def test_a_setup_registered_while_running_runs_at_once(aws: LocalAws) -> None:
    aws.on_start(lambda started: started.add_resource("queue", "late-queue"))
    assert "late-queue" in aws.resources["queue"]


def test_the_admin_api_is_not_served_so_a_reset_keeps_every_bucket(aws: LocalAws) -> None:
    assert status_of(aws, "/moto-api/reset", method="POST") == 403
    assert status_of(aws, "/moto-api/data.json") == 403
    assert status_of(aws, "/moto-api/", method="GET") == 403
    assert BUCKET in bucket_names(aws)


@pytest.mark.parametrize("host", ["attacker.example", "attacker.example:4566", "10.0.0.1"])
def test_a_host_that_is_not_local_is_refused(aws: LocalAws, host: str) -> None:
    assert status_of(aws, "/", Host=host) == 403


@pytest.mark.parametrize(
    "browser",
    [
        {"Origin": "https://attacker.example"},
        {"Origin": "null"},
        {"Sec-Fetch-Site": "cross-site"},
    ],
)
def test_a_page_of_another_site_is_refused(aws: LocalAws, browser: dict[str, str]) -> None:
    assert status_of(aws, f"/{BUCKET}", method="POST", **browser) == 403
    assert BUCKET in bucket_names(aws)


def test_a_page_served_locally_may_use_it(aws: LocalAws) -> None:
    assert status_of(aws, "/", Origin="http://localhost:3000") == 200


def test_the_printed_environment_is_all_the_aws_cli_needs(aws: LocalAws, tmp_path: Any) -> None:
    cli = console_script("aws", "pip install awscli (a test dependency)")
    clean = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    environment = {
        **clean,
        **aws.client_environment(),
        "AWS_CONFIG_FILE": str(tmp_path / "none"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"),
    }
    (tmp_path / "note.txt").write_text("hi")
    target = f"s3://{BUCKET}/cli/note.txt"
    subprocess.run(
        [cli, "s3", "cp", str(tmp_path / "note.txt"), target],
        env=environment,
        check=True,
        capture_output=True,
        timeout=60,
    )
    body = aws.client().get_object(Bucket=BUCKET, Key="cli/note.txt")["Body"].read()
    assert body == b"hi"


def test_objects_keep_their_size_and_bytes_through_head_and_get(aws: LocalAws) -> None:
    s3 = aws.client()
    data = bytes(range(256)) * 40
    s3.put_object(Bucket=BUCKET, Key="sizes/a b+c.bin", Body=data)
    assert s3.head_object(Bucket=BUCKET, Key="sizes/a b+c.bin")["ContentLength"] == len(data)
    assert s3.get_object(Bucket=BUCKET, Key="sizes/a b+c.bin")["Body"].read() == data
    listed = s3.list_objects_v2(Bucket=BUCKET, Prefix="sizes/")["Contents"]
    assert [item["Key"] for item in listed] == ["sizes/a b+c.bin"]
