"""Key-value stores on this machine: where they live, and how local runtimes reach them.

By default every store of a stage lives in one SQLite file,
`.wasmdeploy/local/kv-<stage>.sqlite3` beside the manifest, kept between runs
and shared by `invoke`, `serve`'s warm runtimes and `wasmdeploy kv`. With
`serve --kv dynamodb` the stores are tables of the local AWS's DynamoDB
instead, named as in AWS, so the runtime runs its DynamoDB code path.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from wasmdeploy_runtime.kv_store import BACKEND_VARIABLE

from wasmdeploy.manifest.model import Function, Service

DYNAMODB = "dynamodb"
SQLITE = "sqlite"
KV_BACKENDS = (SQLITE, DYNAMODB)
# The key schema every store's table has, in AWS and locally.
HASH_KEY = "pk"


def local_store_path(service: Service) -> Path:
    return service.root / ".wasmdeploy" / "local" / f"kv-{service.stage}.sqlite3"


def backend_setting(service: Service, backend: str = SQLITE) -> str:
    """The runtime's `WASMDEPLOY_KV` for stores on `backend`."""
    return DYNAMODB if backend == DYNAMODB else f"{SQLITE}:{local_store_path(service)}"


def kv_environment(service: Service, function: Function) -> dict[str, str]:
    """What a local runtime process of `function` needs to reach its stores: the backend
    this process was told to use (`WASMDEPLOY_KV`, set by `serve --kv`), else the stage's
    SQLite file. Nothing for a function granted no store."""
    if not function.kv:
        return {}
    return {BACKEND_VARIABLE: os.environ.get(BACKEND_VARIABLE) or backend_setting(service)}


def use_backend(service: Service, backend: str) -> None:
    """Make this process's local runtimes use `backend` for the service's stores."""
    os.environ[BACKEND_VARIABLE] = backend_setting(service, backend)


def table_spec(table: str) -> dict[str, Any]:
    """CreateTable's arguments for a store's table (on-demand, keyed by `pk`)."""
    return {
        "TableName": table,
        "KeySchema": [{"AttributeName": HASH_KEY, "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": HASH_KEY, "AttributeType": "S"}],
        "BillingMode": "PAY_PER_REQUEST",
    }


def create_tables(client: Any, tables: Iterable[str]) -> list[str]:
    """Create the tables that do not exist yet (on a local DynamoDB); their names."""
    existing = set(client.list_tables().get("TableNames", []))
    created = []
    for table in tables:
        if table not in existing:
            client.create_table(**table_spec(table))
            created.append(table)
    return created


def serve_stores_on(aws: Any, service: Service) -> None:
    """Keep the service's stores in `aws` (a LocalAws): its DynamoDB gets one table per
    store when it starts, and this process's local runtimes use them."""

    def create(local: Any) -> None:
        create_tables(local.client("dynamodb"), [store.table for store in service.kv_stores])
        for store in service.kv_stores:
            local.add_resource("table", store.table)

    use_backend(service, DYNAMODB)
    aws.on_start(create)
