"""Key-value stores granted to a function: the grants, the limits, one backend interface.

A function's `wasmdeploy.json` names the stores it may use (`"kv": {"counter":
{"table": "shop-dev-counter", "ttl": 86400}}`); the runtime process's
`WASMDEPLOY_KV` says where they live: `dynamodb` (the default, as in Lambda:
one table per store) or `sqlite:PATH` (one local file, every store in it).
The backends are imported only when a granted function first uses a store.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import NamedTuple, Protocol

from wasmdeploy_runtime.errors import WASM_INVALID_CONFIG, InitError

KV_MODULE = "wasmdeploy_kv"
KV_IMPORTS = "wasmdeploy_kv.*"
BACKEND_VARIABLE = "WASMDEPLOY_KV"
MAX_KEY_BYTES = 1024
# DynamoDB's 400 KB item limit, less room for the key and the attribute names.
MAX_VALUE_BYTES = 393_216
# Keys per page of `list_keys`.
PAGE_KEYS = 100


class KvGrant(NamedTuple):
    store: str  # the manifest's store name
    table: str  # the DynamoDB table: "{service}-{stage}-{store}"
    ttl: float | None = None  # seconds an entry lives after its last write


class StoreUnavailable(Exception):
    """The store did not answer (after retries, or before the deadline)."""


class NotAnInteger(Exception):
    """`increment` found a value that is not a decimal i64."""


class KvBackend(Protocol):
    """One place the stores live. `deadline` is time.monotonic() seconds or None."""

    def get(self, grant: KvGrant, key: str, deadline: float | None) -> bytes | None: ...

    def set(self, grant: KvGrant, key: str, value: bytes, deadline: float | None) -> None: ...

    def delete(self, grant: KvGrant, key: str, deadline: float | None) -> None: ...

    def exists(self, grant: KvGrant, key: str, deadline: float | None) -> bool: ...

    def increment(self, grant: KvGrant, key: str, delta: int, deadline: float | None) -> int: ...

    def compare_and_swap(
        self,
        grant: KvGrant,
        key: str,
        old: bytes | None,
        new: bytes,
        deadline: float | None,
    ) -> bool: ...

    def list_keys(
        self, grant: KvGrant, prefix: str, cursor: str, deadline: float | None
    ) -> tuple[list[str], str]:
        """Up to PAGE_KEYS keys after `cursor` starting with `prefix`, and the next cursor
        ("" on the last page)."""
        ...

    def close(self) -> None: ...


def parse_grants(raw: object, file: str) -> dict[str, KvGrant]:
    """The `kv` object of `wasmdeploy.json`: store name -> {"table", "ttl"}."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise InitError(WASM_INVALID_CONFIG, f"{file}: kv must be an object of stores")
    grants = {}
    for store, settings in raw.items():
        if not isinstance(settings, dict) or not isinstance(settings.get("table"), str):
            raise InitError(WASM_INVALID_CONFIG, f"{file}: kv.{store} needs a 'table' name")
        ttl = settings.get("ttl")
        if ttl is not None and (
            isinstance(ttl, bool) or not isinstance(ttl, int | float) or ttl <= 0
        ):
            raise InitError(WASM_INVALID_CONFIG, f"{file}: kv.{store}.ttl must be seconds > 0")
        grants[str(store)] = KvGrant(str(store), settings["table"], ttl)
    return grants


def backend_spec(environ: Mapping[str, str] | None = None) -> str:
    return (os.environ if environ is None else environ).get(BACKEND_VARIABLE) or "dynamodb"


def open_backend(spec: str) -> KvBackend:
    """The backend `spec` (a `WASMDEPLOY_KV` value) names."""
    if spec.startswith("sqlite:"):
        from wasmdeploy_runtime.kv_sqlite import SqliteBackend

        return SqliteBackend(spec.removeprefix("sqlite:"))
    if spec == "dynamodb":
        from wasmdeploy_runtime.kv_dynamodb import DynamoDbBackend

        return DynamoDbBackend()
    raise StoreUnavailable(f"{BACKEND_VARIABLE}={spec!r}: expected 'dynamodb' or 'sqlite:PATH'")


def parse_integer(value: bytes) -> int:
    """The i64 a stored value holds as decimal text; NotAnInteger otherwise."""
    text = value.strip()
    if not text or not (text.isdigit() or (text[:1] in (b"-", b"+") and text[1:].isdigit())):
        raise NotAnInteger()
    number = int(text)
    check_i64(number)
    return number


def check_i64(number: int) -> int:
    if not -(2**63) <= number < 2**63:
        raise NotAnInteger()
    return number
