"""Fixtures the functional tests share: a local S3 (the local AWS, as `serve` runs it)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from wasmdeploy.local.local_aws import LocalAws


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    with LocalAws() as local:
        yield local.endpoint_url


@pytest.fixture
def s3(s3_endpoint: str) -> Iterator[Any]:
    """A client of the local S3 with the empty buckets `uploads` and `processed`."""
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1")
    for bucket in ("uploads", "processed"):
        client.create_bucket(Bucket=bucket)
    yield client
    for bucket in ("uploads", "processed"):
        for item in client.list_objects_v2(Bucket=bucket).get("Contents", []):
            client.delete_object(Bucket=bucket, Key=item["Key"])
        client.delete_bucket(Bucket=bucket)
