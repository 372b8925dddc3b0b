"""The key-value backend in AWS: one DynamoDB table per store.

An item is `pk` (the key, the table's hash key), then either `val` (bytes, from
`set` and `compare_and_swap`) or `num` (a number, from `increment`, so that
`UpdateItem ADD` counts atomically), and `expiresAt` (epoch seconds, the
table's TTL attribute) when the store has a TTL. DynamoDB deletes expired
items only eventually, so reads treat them as absent themselves. Reads are
strongly consistent. Throttling and transient failures are retried with
jittered exponential backoff, within the invocation's deadline; then the call
fails with StoreUnavailable. boto3 is imported when the first call is made.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable, Mapping
from typing import Any

from wasmdeploy_runtime.kv_store import (
    PAGE_KEYS,
    KvGrant,
    NotAnInteger,
    StoreUnavailable,
    check_i64,
    parse_integer,
)

ATTEMPTS = 5
CONNECT_TIMEOUT = 1.0  # seconds
READ_TIMEOUT = 2.0  # seconds; DynamoDB answers item calls in milliseconds
FIRST_BACKOFF = 0.025  # seconds, doubled per retry
RETRIED = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "RequestLimitExceeded",
        "InternalServerError",
        "ServiceUnavailable",
        "TransactionConflictException",
    }
)
_FRESH = "(attribute_not_exists(expiresAt) OR expiresAt > :now)"
Item = dict[str, Any]


class DynamoDbBackend:
    def __init__(self, client: Any = None, environ: Mapping[str, str] | None = None) -> None:
        self._environ = os.environ if environ is None else environ
        self._client = client

    def _dynamodb(self) -> Any:
        if self._client is None:
            import boto3  # only functions granted a store load it
            from botocore.config import Config

            endpoint = self._environ.get("AWS_ENDPOINT_URL_DYNAMODB") or self._environ.get(
                "AWS_ENDPOINT_URL"
            )
            self._client = boto3.client(
                "dynamodb",
                endpoint_url=endpoint or None,
                config=Config(
                    retries={"max_attempts": 1, "mode": "standard"},  # retried here instead
                    # One request is bounded by these, the retries by the deadline.
                    connect_timeout=CONNECT_TIMEOUT,
                    read_timeout=READ_TIMEOUT,
                ),
            )
        return self._client

    def get(self, grant: KvGrant, key: str, deadline: float | None) -> bytes | None:
        return _value(self._read(grant, key, deadline))

    def exists(self, grant: KvGrant, key: str, deadline: float | None) -> bool:
        return self._read(grant, key, deadline) is not None

    def set(self, grant: KvGrant, key: str, value: bytes, deadline: float | None) -> None:
        item = {"TableName": grant.table, "Item": _item(grant, key, {"val": {"B": value}})}
        self._call(lambda client: client.put_item(**item), deadline)

    def delete(self, grant: KvGrant, key: str, deadline: float | None) -> None:
        request = {"TableName": grant.table, "Key": {"pk": {"S": key}}}
        self._call(lambda client: client.delete_item(**request), deadline)

    def increment(self, grant: KvGrant, key: str, delta: int, deadline: float | None) -> int:
        """ADD to the counter in one request; a value written by `set` (or an expired
        one) is replaced by a conditional write instead."""
        limit = (2**63 - 1 - delta) if delta >= 0 else (-(2**63) - delta)
        names = {":d": {"N": str(delta)}, ":now": {"N": str(int(time.time()))}}
        names[":limit"] = {"N": str(limit)}
        bound = "num <= :limit" if delta >= 0 else "num >= :limit"
        update = "ADD num :d"
        if grant.ttl is not None:
            update += " SET expiresAt = :exp"
            names[":exp"] = {"N": str(_expiry(grant))}
        request = {
            "TableName": grant.table,
            "Key": {"pk": {"S": key}},
            "UpdateExpression": update,
            "ConditionExpression": (
                f"attribute_not_exists(val) AND {_FRESH} AND (attribute_not_exists(num) OR {bound})"
            ),
            "ExpressionAttributeValues": names,
            "ReturnValues": "UPDATED_NEW",
        }
        for _ in range(ATTEMPTS):
            answer = self._call(lambda client: client.update_item(**request), deadline)
            if answer is not None:
                return int(answer["Attributes"]["num"]["N"])
            current = self._read(grant, key, deadline, raw=True)
            value = _value(current) if current is not None and _live(current) else None
            number = check_i64((0 if value is None else parse_integer(value)) + delta)
            new = _item(grant, key, {"num": {"N": str(number)}})
            if self._replace(grant, current, new, deadline):
                return number
        raise StoreUnavailable("the counter kept changing under increment")

    def compare_and_swap(
        self,
        grant: KvGrant,
        key: str,
        old: bytes | None,
        new: bytes,
        deadline: float | None,
    ) -> bool:
        values: Item = {":now": {"N": str(int(time.time()))}}
        if old is None:
            condition = "attribute_not_exists(pk) OR NOT " + _FRESH
        else:
            values[":old"] = {"B": old}
            matches = "val = :old"
            if _is_canonical_integer(old):  # a counter reads back as its decimal text
                values[":oldnum"] = {"N": old.decode()}
                matches += " OR num = :oldnum"
            condition = f"({matches}) AND {_FRESH}"
        request = {
            "TableName": grant.table,
            "Item": _item(grant, key, {"val": {"B": new}}),
            "ConditionExpression": condition,
            "ExpressionAttributeValues": values,
        }
        return self._call(lambda client: client.put_item(**request), deadline) is not None

    def list_keys(
        self, grant: KvGrant, prefix: str, cursor: str, deadline: float | None
    ) -> tuple[list[str], str]:
        request: Item = {
            "TableName": grant.table,
            "ConsistentRead": True,
            "Limit": PAGE_KEYS,
            "ProjectionExpression": "pk, expiresAt",
        }
        if prefix:
            request["FilterExpression"] = "begins_with(pk, :prefix)"
            request["ExpressionAttributeValues"] = {":prefix": {"S": prefix}}
        if cursor:
            request["ExclusiveStartKey"] = {"pk": {"S": cursor}}
        answer = self._call(lambda client: client.scan(**request), deadline) or {}
        keys = sorted(item["pk"]["S"] for item in answer.get("Items", []) if _live(item))
        following = answer.get("LastEvaluatedKey", {}).get("pk", {}).get("S", "")
        return keys, following

    def close(self) -> None:
        self._client = None

    def _read(
        self, grant: KvGrant, key: str, deadline: float | None, *, raw: bool = False
    ) -> Item | None:
        request = {"TableName": grant.table, "Key": {"pk": {"S": key}}, "ConsistentRead": True}
        answer = self._call(lambda client: client.get_item(**request), deadline) or {}
        item: Item | None = answer.get("Item")
        if raw:
            return item
        return item if item is not None and _live(item) else None

    def _replace(
        self, grant: KvGrant, current: Item | None, new: Item, deadline: float | None
    ) -> bool:
        """Write `new` only if the item is still `current` (None: still absent)."""
        request: Item = {"TableName": grant.table, "Item": new}
        if current is None:
            request["ConditionExpression"] = "attribute_not_exists(pk)"
        else:
            parts, values = [], {}
            for index, (name, value) in enumerate(sorted(current.items())):
                if name != "pk":
                    parts.append(f"{name} = :c{index}")
                    values[f":c{index}"] = value
            for absent in {"val", "num", "expiresAt"} - set(current):
                parts.append(f"attribute_not_exists({absent})")
            request["ConditionExpression"] = " AND ".join(parts)
            if values:
                request["ExpressionAttributeValues"] = values
        return self._call(lambda client: client.put_item(**request), deadline) is not None

    def _call(self, request: Callable[[Any], Item], deadline: float | None) -> Item | None:
        """The answer; None when a condition failed. Retries what DynamoDB says to retry."""
        from botocore.exceptions import BotoCoreError, ClientError

        backoff = FIRST_BACKOFF
        for attempt in range(ATTEMPTS):
            try:
                return request(self._dynamodb())
            except ClientError as error:
                code = error.response.get("Error", {}).get("Code", "")
                if code == "ConditionalCheckFailedException":
                    return None
                if code not in RETRIED:
                    raise StoreUnavailable(f"DynamoDB {code}: {error}") from None
                failure = f"DynamoDB {code}"
            except BotoCoreError as error:
                failure = f"DynamoDB unreachable: {error}"
            pause = backoff * (0.5 + random.random() / 2)
            backoff *= 2
            if attempt + 1 == ATTEMPTS or (
                deadline is not None and time.monotonic() + pause >= deadline
            ):
                break
            time.sleep(pause)
        raise StoreUnavailable(f"{failure} after {attempt + 1} attempts")


def _item(grant: KvGrant, key: str, attributes: Item) -> Item:
    item: Item = {"pk": {"S": key}, **attributes}
    if grant.ttl is not None:
        item["expiresAt"] = {"N": str(_expiry(grant))}
    return item


def _expiry(grant: KvGrant) -> int:
    assert grant.ttl is not None
    return int(time.time() + grant.ttl + 0.999)


def _live(item: Item) -> bool:
    expires = item.get("expiresAt")
    return expires is None or float(expires["N"]) > time.time()


def _value(item: Item | None) -> bytes | None:
    if item is None:
        return None
    if "num" in item:
        return str(int(item["num"]["N"])).encode()
    return bytes(item.get("val", {}).get("B", b""))


def _is_canonical_integer(value: bytes) -> bool:
    try:
        return str(parse_integer(value)).encode() == value
    except NotAnInteger:
        return False
