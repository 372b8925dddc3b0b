"""DynamoDB for the key-value tests: moto's server on loopback, and tables made per test."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator

import boto3
import pytest
from moto.server import ThreadedMotoServer
from wasmdeploy_runtime.kv_store import BACKEND_VARIABLE, KvGrant

from wasmdeploy.local.kv_local import create_tables

LOCAL_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "wasmdeploy-local",
    "AWS_SECRET_ACCESS_KEY": "wasmdeploy-local",
    "AWS_DEFAULT_REGION": "us-east-1",
}


@pytest.fixture(scope="session")
def dynamodb_endpoint() -> Iterator[str]:
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def dynamodb_client(endpoint: str) -> object:
    return boto3.client(
        "dynamodb",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="wasmdeploy-local",
        aws_secret_access_key="wasmdeploy-local",
    )


def dynamodb_grants(
    endpoint: str, monkeypatch: pytest.MonkeyPatch, stores: list[str]
) -> dict[str, KvGrant]:
    """Fresh tables for `stores`, and this process's runtime pointed at them."""
    prefix = f"t{uuid.uuid4().hex[:12]}"
    grants = {store: KvGrant(store, f"{prefix}-{store}") for store in stores}
    create_tables(dynamodb_client(endpoint), [grant.table for grant in grants.values()])
    monkeypatch.setenv(BACKEND_VARIABLE, "dynamodb")
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", endpoint)
    for name, value in LOCAL_CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    return grants
