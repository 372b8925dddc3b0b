"""Key-value rules that need no I/O: TTLs, grants in wasmdeploy.json, integers, pages, IAM."""

from __future__ import annotations

import pytest
from wasmdeploy_runtime.errors import InitError
from wasmdeploy_runtime.kv_host import decode_page, encode_page
from wasmdeploy_runtime.kv_store import KvGrant, NotAnInteger, parse_grants, parse_integer

from wasmdeploy.manifest.kv_stores import parse_ttl
from wasmdeploy.stacks.kv_tables import kv_access_policy


@pytest.mark.parametrize(
    ("written", "seconds"),
    [("1d", 86400), ("12h", 43200), ("30m", 1800), ("45s", 45), (3600, 3600)],
)
def test_ttls_are_whole_seconds_or_a_number_with_a_unit(written: object, seconds: int) -> None:
    assert parse_ttl(written) == seconds


@pytest.mark.parametrize("written", ["1w", "1.5h", "-1d", "", True, 0, 11 * 365 * 86400])
def test_other_ttls_are_refused(written: object) -> None:
    with pytest.raises(ValueError, match="TTL"):
        parse_ttl(written)


def test_grants_come_from_the_kv_object_of_the_package_config() -> None:
    raw = {"default": {"table": "shop-dev-default", "ttl": None}, "s": {"table": "t", "ttl": 60}}
    assert parse_grants(raw, "wasmdeploy.json") == {
        "default": KvGrant("default", "shop-dev-default"),
        "s": KvGrant("s", "t", 60),
    }
    assert parse_grants(None, "wasmdeploy.json") == {}


@pytest.mark.parametrize(
    "raw", [["default"], {"default": {}}, {"default": {"table": "t", "ttl": -1}}]
)
def test_a_malformed_kv_object_is_an_init_error(raw: object) -> None:
    with pytest.raises(InitError) as raised:
        parse_grants(raw, "wasmdeploy.json")
    assert raised.value.error_type == "WasmInvalidConfig"


@pytest.mark.parametrize(("text", "number"), [(b"42", 42), (b"-7", -7), (b" 3 ", 3), (b"+5", 5)])
def test_stored_decimal_text_reads_as_an_integer(text: bytes, number: int) -> None:
    assert parse_integer(text) == number


@pytest.mark.parametrize("text", [b"", b"4.2", b"ten", b"0x10", str(2**63).encode()])
def test_other_values_are_not_integers(text: bytes) -> None:
    with pytest.raises(NotAnInteger):
        parse_integer(text)


def test_a_page_is_the_cursor_then_each_key_with_its_length() -> None:
    page = encode_page(["a", "bé"], "bé")
    assert (
        page == b"\x03\x00\x00\x00b\xc3\xa9" + b"\x01\x00\x00\x00a" + b"\x03\x00\x00\x00b\xc3\xa9"
    )
    assert decode_page(page) == (["a", "bé"], "bé")
    assert decode_page(encode_page([], "")) == ([], "")


def test_the_access_policy_lists_only_item_calls_on_the_given_tables() -> None:
    arns = ["arn:aws:dynamodb:eu-west-1:1:table/b", "arn:aws:dynamodb:eu-west-1:1:table/a"]
    [statement] = kv_access_policy(arns)["Statement"]
    assert statement["Resource"] == sorted(arns)
    assert all(
        action.endswith("Item") or action == "dynamodb:Scan" for action in statement["Action"]
    )
    assert "dynamodb:DeleteTable" not in statement["Action"]
