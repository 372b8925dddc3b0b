"""Fixtures the e2e tests share: moto's server standing in for AWS."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.moto_control import moto_api


@pytest.fixture
def moto_endpoint() -> Iterator[str]:
    """moto's server (every AWS service it has) on loopback, emptied first: moto's state is
    per process, not per server."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        moto_api(endpoint, "reset")
        yield endpoint
    finally:
        server.stop()
