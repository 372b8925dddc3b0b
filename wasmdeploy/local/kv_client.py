"""A service's key-value stores as `wasmdeploy kv` reads and writes them.

Locally the stage's SQLite file (the one `invoke` and `serve` use); with
`remote` the deployed DynamoDB tables, through the same backend the runtime
uses in Lambda (boto3's credentials and the service's region;
`AWS_ENDPOINT_URL` points it elsewhere, e.g. at `serve --kv dynamodb`'s local
AWS). The limits are the guest's: keys of 1-1,024 bytes of UTF-8, values up
to 393,216 bytes.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

from wasmdeploy_runtime.kv_store import (
    MAX_KEY_BYTES,
    MAX_VALUE_BYTES,
    KvBackend,
    KvGrant,
    NotAnInteger,
    StoreUnavailable,
)

from wasmdeploy.errors import UserError
from wasmdeploy.local.kv_local import local_store_path
from wasmdeploy.manifest.model import Service

MAX_PAGES = 100_000  # a bound on listing, whatever a store answers


class StoreClient:
    def __init__(self, service: Service, store: str, *, remote: bool = False) -> None:
        stores = {item.name: item for item in service.kv_stores}
        if store not in stores:
            known = ", ".join(stores) or "none"
            raise UserError(
                f"{service.name} has no key-value store {store!r} (stores: {known})",
                hint="Declare it under the top-level `kv:` block, or grant `default` to a "
                "function.",
            )
        chosen = stores[store]
        self.grant = KvGrant(chosen.name, chosen.table, chosen.ttl)
        self.where = f"table {chosen.table}" if remote else str(local_store_path(service))
        self._backend = _open(service, remote)

    def get(self, key: str) -> bytes | None:
        with self._errors():
            return self._backend.get(self.grant, _checked_key(key), None)

    def set(self, key: str, value: bytes) -> None:
        if len(value) > MAX_VALUE_BYTES:
            raise UserError(f"the value is {len(value)} bytes; a store holds at most 393,216")
        with self._errors():
            self._backend.set(self.grant, _checked_key(key), value, None)

    def delete(self, key: str) -> None:
        with self._errors():
            self._backend.delete(self.grant, _checked_key(key), None)

    def increment(self, key: str, delta: int) -> int:
        with self._errors():
            try:
                return self._backend.increment(self.grant, _checked_key(key), delta, None)
            except NotAnInteger:
                raise UserError(f"{key!r} does not hold an integer") from None

    def keys(self, prefix: str = "") -> Iterator[str]:
        cursor = ""
        for _ in range(MAX_PAGES):
            with self._errors():
                page, cursor = self._backend.list_keys(self.grant, prefix, cursor, None)
            yield from page
            if not cursor:
                return

    def close(self) -> None:
        self._backend.close()

    def _errors(self) -> _Unavailable:
        return _Unavailable(self.grant.store, self.where)


def _open(service: Service, remote: bool) -> KvBackend:
    if remote:
        import boto3
        from wasmdeploy_runtime.kv_dynamodb import DynamoDbBackend

        endpoint = os.environ.get("AWS_ENDPOINT_URL_DYNAMODB") or os.environ.get("AWS_ENDPOINT_URL")
        client = boto3.client("dynamodb", region_name=service.region, endpoint_url=endpoint)
        return DynamoDbBackend(client)
    from wasmdeploy_runtime.kv_sqlite import SqliteBackend

    return SqliteBackend(local_store_path(service))


def _checked_key(key: str) -> str:
    if not 1 <= len(key.encode()) <= MAX_KEY_BYTES:
        raise UserError(f"a key is 1 to {MAX_KEY_BYTES} bytes of UTF-8, not {len(key.encode())}")
    return key


class _Unavailable:
    """StoreUnavailable as a UserError naming the store and where it lives."""

    def __init__(self, store: str, where: str) -> None:
        self._store = store
        self._where = where

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: object, error: BaseException | None, _trace: object) -> None:
        if isinstance(error, StoreUnavailable):
            raise UserError(
                f"store {self._store!r} ({self._where}) is unavailable: {error}",
                hint="For --remote, check the stage is deployed and your AWS credentials.",
            ) from None
