"""The DynamoDB backend's retries, against a hand-written client that throttles."""

from __future__ import annotations

import time
from typing import Any

import pytest
from botocore.exceptions import ClientError
from wasmdeploy_runtime.kv_dynamodb import ATTEMPTS, DynamoDbBackend
from wasmdeploy_runtime.kv_store import KvGrant, StoreUnavailable

GRANT = KvGrant("default", "svc-dev-default")


class ThrottlingClient:
    """Answers GetItem after `failures` ThrottlingExceptions (or an error of `code`)."""

    def __init__(self, failures: int, code: str = "ThrottlingException") -> None:
        self.failures = failures
        self.code = code
        self.calls = 0

    def get_item(self, **request: Any) -> dict[str, Any]:
        self.calls += 1
        if self.calls <= self.failures:
            error = {"Error": {"Code": self.code, "Message": "slow down"}}
            raise ClientError(error, "GetItem")  # type: ignore[arg-type,unused-ignore]
        assert request["ConsistentRead"] is True
        return {"Item": {"pk": {"S": "k"}, "val": {"B": b"v"}}}


def test_throttled_reads_are_retried_until_they_succeed() -> None:
    client = ThrottlingClient(failures=2)
    assert DynamoDbBackend(client).get(GRANT, "k", None) == b"v"
    assert client.calls == 3


def test_a_store_throttled_on_every_attempt_is_unavailable() -> None:
    client = ThrottlingClient(failures=100)
    with pytest.raises(StoreUnavailable, match=f"ThrottlingException after {ATTEMPTS} attempts"):
        DynamoDbBackend(client).get(GRANT, "k", None)
    assert client.calls == ATTEMPTS


def test_retries_stop_at_the_deadline() -> None:
    client = ThrottlingClient(failures=100)
    with pytest.raises(StoreUnavailable):
        DynamoDbBackend(client).get(GRANT, "k", time.monotonic() + 0.01)
    assert client.calls < ATTEMPTS


def test_errors_that_retrying_cannot_fix_are_not_retried() -> None:
    client = ThrottlingClient(failures=100, code="AccessDeniedException")
    with pytest.raises(StoreUnavailable, match="AccessDeniedException"):
        DynamoDbBackend(client).get(GRANT, "k", None)
    assert client.calls == 1
