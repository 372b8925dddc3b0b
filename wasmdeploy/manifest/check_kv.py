"""Checks on key-value stores: the `kv:` block, each function's grants, and modules that
import `wasmdeploy_kv` without one."""

from __future__ import annotations

import difflib
from typing import Any

from wasmdeploy.build.inspect import Extern
from wasmdeploy.manifest import model, settings
from wasmdeploy.manifest.kv_stores import declared_stores, granted_names, parse_ttl, table_name
from wasmdeploy.manifest.problems import NodePath, Problems

KV_MODULE = model.KV_IMPORTS.removesuffix(".*")
MAX_TABLE_NAME = 255  # DynamoDB's limit


def check_kv(data: Any, stage: str, problems: Problems) -> None:
    """Every TTL parses, every table name fits DynamoDB, every grant names a store, and
    no edge function has one."""
    stores = declared_stores(data)
    service = data.get("service") if isinstance(data, dict) else None
    for name, raw in stores.items():
        ttl = raw.get("ttl")
        if ttl is not None and not isinstance(ttl, list | dict):
            try:
                parse_ttl(ttl)
            except ValueError as error:
                problems.error(("kv", name, "ttl"), str(error))
        if isinstance(service, str) and len(table_name(service, stage, name)) > MAX_TABLE_NAME:
            problems.error(
                ("kv", name),
                f"the store's table {table_name(service, stage, name)[:40]}... is longer than "
                f"DynamoDB's {MAX_TABLE_NAME} characters",
                hint="Use a shorter store name.",
                key=True,
            )
    known = [model.DEFAULT_KV_STORE, *(name for name in stores if name != model.DEFAULT_KV_STORE)]
    for function_name, function in settings.functions_of(data).items():
        grants = function.get("kv")
        if not isinstance(grants, list):
            continue
        base: NodePath = ("functions", function_name, "kv")
        for index, store in enumerate(grants):
            if isinstance(store, str) and store not in known:
                close = difflib.get_close_matches(store, known, n=1, cutoff=0.6)
                problems.error(
                    (*base, index),
                    f"'{store}' is not a key-value store of this service "
                    f"(stores: {', '.join(known)})",
                    hint=f"Did you mean '{close[0]}'?"
                    if close
                    else f"Declare it under the top-level `kv:` block (kv: {{{store}: {{}}}}).",
                )
        if settings.is_edge(function) and grants:
            problems.error(
                base,
                "edge functions cannot use key-value stores: Lambda@Edge runs a copy of the "
                "function in the CloudFront region nearest each viewer, while a store's "
                "DynamoDB table lives in the service's region, and the function has no "
                "environment to reach it by",
                hint="Keep state in a regional function behind the CDN (an httpApi origin), "
                "and remove `kv` from this edge function.",
                key=True,
            )


def kv_import_patterns(function: dict[str, Any]) -> list[str]:
    """The import patterns a function's grants add to its `allowedImports`."""
    return [model.KV_IMPORTS] if granted_names(function) else []


def report_kv_imports(
    function: dict[str, Any],
    module: str,
    forbidden: list[Extern],
    path: NodePath,
    problems: Problems,
) -> list[Extern]:
    """Report the `wasmdeploy_kv` imports of a function granted no store, in one problem;
    return the other forbidden imports."""
    store_imports = [extern for extern in forbidden if extern.module == KV_MODULE]
    if store_imports and not granted_names(function):
        names = ", ".join(extern.qualified_name for extern in store_imports)
        problems.error(
            path,
            f"{module} imports {names}, but the function is granted no key-value store",
            hint="Grant the stores it uses: `kv: [default]` on the function "
            "(and declare any other store under the top-level `kv:` block).",
        )
    return [extern for extern in forbidden if extern.module != KV_MODULE]
