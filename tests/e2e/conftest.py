"""Fixtures the e2e tests share: moto's server standing in for AWS."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.moto_control import moto_api
from wasmdeploy.local.local_s3 import LocalS3


@pytest.fixture
def moto_endpoint() -> Iterator[str]:
    """moto's server (every AWS service it has) on loopback, emptied first: moto's state is
    per process, not per server."""
    with LocalS3() as server:
        moto_api(server.endpoint_url, "reset")
        yield server.endpoint_url
