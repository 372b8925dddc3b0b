"""Key-value stores in the manifest: the top-level `kv:` block and each function's grants.

```yaml
kv:
  sessions:
    ttl: 1d          # entries expire a day after their last write
    retain: false    # `destroy` deletes the table too (default: kept)
functions:
  counter:
    handler: counter.wasm
    kv: [default, sessions]
```

`default` exists whenever a function names it. Every store is one DynamoDB
table, `{service}-{stage}-{store}`.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from wasmdeploy.manifest import model, settings

TTL_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_TTL = re.compile(r"^\s*(\d+)\s*([smhd])\s*$")
# DynamoDB keeps TTL'd items for at most this long past expiry; longer TTLs are unusual.
MAX_TTL_SECONDS = 10 * 365 * 86400


def parse_ttl(value: object) -> int:
    """Seconds in a TTL: a whole number of seconds, or "30m", "12h", "1d"."""
    if isinstance(value, int) and not isinstance(value, bool):
        seconds = value
    elif isinstance(value, str) and (match := _TTL.match(value)):
        seconds = int(match.group(1)) * TTL_UNITS[match.group(2)]
    else:
        raise ValueError(f"{value!r} is not a TTL; write it like '1d', '12h', '30m' or 3600")
    if not 1 <= seconds <= MAX_TTL_SECONDS:
        raise ValueError(f"{value!r} is out of range; a TTL is 1 second to 10 years")
    return seconds


def declared_stores(data: Any) -> dict[str, dict[str, Any]]:
    """The `kv:` block by store name; a store written with no settings is `{}`."""
    raw = data.get("kv") if isinstance(data, dict) else None
    if not isinstance(raw, dict):
        return {}
    return {str(name): value if isinstance(value, dict) else {} for name, value in raw.items()}


def granted_names(function: dict[str, Any]) -> list[str]:
    raw = function.get("kv")
    return [str(name) for name in raw if isinstance(name, str)] if isinstance(raw, list) else []


def table_name(service: str, stage: str, store: str) -> str:
    return f"{service}-{stage}-{store}"


def resolve_stores(data: Any, service: str, stage: str) -> tuple[model.KvStore, ...]:
    """Every store of the service: those `kv:` declares, and `default` when a function
    names it without declaring it."""
    stores: dict[str, model.KvStore] = {}
    for name, raw in declared_stores(data).items():
        ttl = raw.get("ttl")
        stores[name] = model.KvStore(
            name=name,
            table=table_name(service, stage, name),
            ttl=None if ttl is None else float(parse_ttl(ttl)),
            retain=raw.get("retain") is not False,
        )
    default = model.DEFAULT_KV_STORE
    for function in settings.functions_of(data).values():
        if default in granted_names(function) and default not in stores:
            stores[default] = model.KvStore(default, table_name(service, stage, default))
    return tuple(stores.values())


def function_stores(
    function: dict[str, Any], stores: tuple[model.KvStore, ...]
) -> tuple[model.KvStore, ...]:
    by_name = {store.name: store for store in stores}
    names = dict.fromkeys(granted_names(function))
    return tuple(by_name[name] for name in names if name in by_name)


def with_store_imports(sandbox: model.Sandbox, granted: tuple[model.KvStore, ...]) -> model.Sandbox:
    """A granted function may import `wasmdeploy_kv.*`, whatever `allowedImports` lists."""
    if not granted or model.KV_IMPORTS in sandbox.allowed_imports:
        return sandbox
    return dataclasses.replace(
        sandbox, allowed_imports=(*sandbox.allowed_imports, model.KV_IMPORTS)
    )


def stores_as_manifest(stores: tuple[model.KvStore, ...]) -> dict[str, dict[str, Any]]:
    """The `kv:` block that resolves to `stores` again (TTLs in seconds)."""
    block: dict[str, dict[str, Any]] = {}
    for store in stores:
        settings_: dict[str, Any] = {"retain": store.retain}
        if store.ttl is not None:
            settings_["ttl"] = int(store.ttl)
        block[store.name] = settings_
    return block
