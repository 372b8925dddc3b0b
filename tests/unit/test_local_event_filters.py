"""Lambda's filterPatterns on SQS and stream records, with EventBridge's pattern syntax."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from wasmdeploy.local.sources.event_filters import passes

ORDER = {"messageId": "1", "body": json.dumps({"kind": "order", "total": 42, "tags": ["vip"]})}


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ({"body": {"kind": ["order"]}}, True),
        ({"body": {"kind": ["refund"]}}, False),
        ({"body": {"total": [{"numeric": [">", 10, "<=", 42]}]}}, True),
        ({"body": {"total": [{"numeric": [">", 42]}]}}, False),
        ({"body": {"kind": [{"prefix": "ord"}]}}, True),
        ({"body": {"kind": [{"suffix": "der"}]}}, True),
        ({"body": {"kind": [{"anything-but": ["order", "x"]}]}}, False),
        ({"body": {"kind": [{"anything-but": {"prefix": "ref"}}]}}, True),
        ({"body": {"kind": [{"equals-ignore-case": "ORDER"}]}}, True),
        ({"body": {"kind": [{"wildcard": "o*r"}]}}, True),
        ({"body": {"coupon": [{"exists": False}]}}, True),
        ({"body": {"coupon": [{"exists": True}]}}, False),
        ({"body": {"tags": ["vip"]}}, True),  # a list matches when one element does
        ({"body": {"total": ["42"]}}, False),  # a string is not the number 42
        ({"$or": [{"body": {"kind": ["refund"]}}, {"messageId": ["1"]}]}, True),
    ],
)
def test_sqs_body_patterns_match_as_lambda_matches(pattern: dict[str, Any], expected: bool) -> None:
    assert passes(ORDER, [pattern]) is expected


def test_no_patterns_let_everything_through_and_any_pattern_is_enough() -> None:
    assert passes(ORDER, [])
    assert passes(ORDER, [{"body": {"kind": ["refund"]}}, {"body": {"kind": ["order"]}}])


def test_a_plain_text_body_matches_only_as_text() -> None:
    record = {"body": "hello"}
    assert passes(record, [{"body": ["hello"]}])
    assert not passes(record, [{"body": {"kind": ["hello"]}}])


def test_kinesis_records_are_filtered_on_their_decoded_data_and_partition_key() -> None:
    data = base64.b64encode(json.dumps({"temperature": 31}).encode()).decode()
    record = {"kinesis": {"partitionKey": "sensor-1", "data": data}, "eventSource": "aws:kinesis"}
    assert passes(record, [{"data": {"temperature": [{"numeric": [">", 30]}]}}])
    assert passes(record, [{"partitionKey": ["sensor-1"]}])
    assert not passes(record, [{"data": {"temperature": [{"numeric": ["<", 30]}]}}])


def test_dynamodb_records_are_filtered_on_their_images() -> None:
    record = {"eventName": "INSERT", "dynamodb": {"NewImage": {"status": {"S": "open"}}}}
    assert passes(record, [{"eventName": ["INSERT"]}])
    assert passes(record, [{"dynamodb": {"NewImage": {"status": {"S": ["open"]}}}}])
    assert not passes(record, [{"eventName": ["REMOVE"]}])
