"""Which Host names and origins the local servers accept (no I/O)."""

from __future__ import annotations

import socket

import pytest

from wasmdeploy.cli.serve import local_aws_lines
from wasmdeploy.local.local_aws import LocalAws
from wasmdeploy.local.local_origins import cross_site, host_allowed, local_names

LOOPBACK = local_names("127.0.0.1")


@pytest.mark.parametrize(
    "host", ["localhost", "LocalHost:3000", "127.0.0.1", "127.0.0.1:4566", "[::1]", "[::1]:80"]
)
def test_loopback_names_are_local(host: str) -> None:
    assert host_allowed(host, LOOPBACK)


@pytest.mark.parametrize(
    "host",
    ["attacker.example", "localhost.attacker.example", "127.0.0.1.nip.io", "[::2]:80", "", "0"],
)
def test_other_names_are_not(host: str) -> None:
    assert not host_allowed(host, LOOPBACK)


def test_a_server_bound_to_one_address_also_answers_to_it() -> None:
    names = local_names("192.168.1.20")
    assert host_allowed("192.168.1.20:3000", names) and host_allowed("localhost", names)
    assert not host_allowed("192.168.1.21", names)


@pytest.mark.parametrize("bound", ["0.0.0.0", "::"])
def test_a_wildcard_bind_answers_the_machines_addresses_but_no_other_name(bound: str) -> None:
    names = local_names(bound)
    assert host_allowed("192.168.1.20:3000", names) and host_allowed("[fe80::1]", names)
    assert host_allowed(socket.gethostname(), names) and host_allowed("localhost", names)
    assert not host_allowed("attacker.example", names)
    assert not host_allowed("192.168.1.20.nip.io", names)


def test_a_page_on_an_address_is_another_site_even_for_a_wildcard_bind() -> None:
    assert cross_site("http://203.0.113.9", None, local_names("0.0.0.0"))


@pytest.mark.parametrize(
    ("origin", "site", "refused"),
    [
        ("https://attacker.example", None, True),
        ("null", None, True),
        (None, "cross-site", True),
        (None, "same-site", True),
        ("http://localhost:3000", "same-site", False),
        ("http://127.0.0.1:8080", "cross-site", False),
        (None, "same-origin", False),
        (None, "none", False),
        (None, None, False),  # the aws CLI, SDKs, curl
    ],
)
def test_pages_of_other_sites_are_told_apart(
    origin: str | None, site: str | None, refused: bool
) -> None:
    assert cross_site(origin, site, LOOPBACK) is refused


def test_serve_warns_loudly_when_the_local_aws_listens_on_every_interface() -> None:
    lines = local_aws_lines(LocalAws(host="0.0.0.0", port=4566))
    warning = next(line for line in lines if line.startswith("WARNING"))
    assert "every network interface" in warning
    assert "  export AWS_ENDPOINT_URL=http://127.0.0.1:4566" in lines


def test_serve_prints_what_a_client_exports() -> None:
    aws = LocalAws(port=4566, region="eu-west-1")
    aws.add_resource("bucket", "photos")
    lines = local_aws_lines(aws)
    assert not any(line.startswith("WARNING") for line in lines)
    for expected in (
        "  export AWS_ENDPOINT_URL=http://127.0.0.1:4566",
        "  export AWS_ACCESS_KEY_ID=wasmdeploy-local",
        "  export AWS_SECRET_ACCESS_KEY=wasmdeploy-local",
        "  export AWS_DEFAULT_REGION=eu-west-1",
        "  buckets: photos",
    ):
        assert expected in lines
