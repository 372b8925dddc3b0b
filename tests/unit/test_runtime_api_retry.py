"""The Runtime API client's backoff schedule and address parsing."""

from __future__ import annotations

import time

import pytest
from wasmdeploy_runtime.runtime_api import NextInvocation, RetryPolicy, RuntimeApiClient


def test_backoff_doubles_up_to_its_cap() -> None:
    delays = RetryPolicy(first_delay=0.01, max_delay=0.1, attempts=6).delays()
    assert delays == [0.01, 0.02, 0.04, 0.08, 0.1]


def test_default_policy_keeps_trying_for_seconds_not_minutes() -> None:
    total = sum(RetryPolicy().delays())
    assert 5 < total < 30


@pytest.mark.parametrize("address", ["localhost", "127.0.0.1:", ":9001", "host:port"])
def test_runtime_api_address_must_be_host_and_port(address: str) -> None:
    with pytest.raises(ValueError, match="host:port"):
        RuntimeApiClient(address)


def test_deadline_header_becomes_a_monotonic_deadline() -> None:
    in_two_seconds = int((time.time() + 2) * 1000)
    invocation = NextInvocation("id", b"", in_two_seconds, "arn", None, None, None)
    before = time.monotonic()
    deadline = invocation.monotonic_deadline()
    assert deadline is not None
    assert before < deadline <= time.monotonic() + 2.0
    assert NextInvocation("id", b"", 0, "arn", None, None, None).monotonic_deadline() is None
