"""Key-value stores in AWS: one DynamoDB table per store, and each function's access to its own.

A table is on-demand, encrypted with DynamoDB's AWS-managed KMS key, has
point-in-time recovery, a TTL on `expiresAt` when the store has a `ttl`, and,
while retained (the default), deletion protection and Pulumi's
`retain_on_delete`, so `destroy` leaves the data in place. A granted function's
role may make exactly the item calls the runtime makes (GetItem, PutItem,
UpdateItem, DeleteItem, and Scan for `list_keys`) on exactly its stores'
tables. The runtime learns the tables' names from the function's
`wasmdeploy.json` (Lambda@Edge has no environment variables).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from wasmdeploy.manifest.model import KvStore
from wasmdeploy.stacks.function import WasmFunction
from wasmdeploy.stacks.policies import POLICY_VERSION, Document

HASH_KEY = "pk"
TTL_ATTRIBUTE = "expiresAt"
ITEM_ACTIONS = (
    "dynamodb:DeleteItem",
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:Scan",
    "dynamodb:UpdateItem",
)


def kv_access_policy(table_arns: Sequence[str]) -> Document:
    """The role policy letting a function use exactly `table_arns`' items."""
    return {
        "Version": POLICY_VERSION,
        "Statement": [
            {
                "Sid": "KeyValueStores",
                "Effect": "Allow",
                "Action": list(ITEM_ACTIONS),
                "Resource": sorted(table_arns),
            }
        ],
    }


@dataclass(frozen=True)
class KvTablesArgs:
    stores: Sequence[KvStore]
    tags: Mapping[str, str]


class KvTables(pulumi.ComponentResource):
    """The service's stores, one table each; `arns[store]` is a table's ARN."""

    def __init__(
        self, name: str, args: KvTablesArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("wasmdeploy:aws:KvTables", name, None, opts)
        self.tables: dict[str, aws.dynamodb.Table] = {}
        for store in args.stores:
            self.tables[store.name] = aws.dynamodb.Table(
                f"{name}-{store.name}",
                name=store.table,
                billing_mode="PAY_PER_REQUEST",
                hash_key=HASH_KEY,
                attributes=[aws.dynamodb.TableAttributeArgs(name=HASH_KEY, type="S")],
                server_side_encryption=aws.dynamodb.TableServerSideEncryptionArgs(enabled=True),
                point_in_time_recovery=aws.dynamodb.TablePointInTimeRecoveryArgs(enabled=True),
                deletion_protection_enabled=store.retain,
                ttl=(
                    aws.dynamodb.TableTtlArgs(attribute_name=TTL_ATTRIBUTE, enabled=True)
                    if store.ttl is not None
                    else None
                ),
                tags=dict(args.tags),
                opts=pulumi.ResourceOptions(parent=self, retain_on_delete=store.retain),
            )
        self.arns: dict[str, pulumi.Output[str]] = {
            store: table.arn for store, table in self.tables.items()
        }
        self.register_outputs({"tables": {s: t.name for s, t in self.tables.items()}})


@dataclass(frozen=True)
class KvAccessArgs:
    function: WasmFunction
    table_arns: Sequence[pulumi.Input[str]]


class KvAccess(pulumi.ComponentResource):
    """A function's permission on its stores' tables, as an inline policy of its role."""

    def __init__(
        self, name: str, args: KvAccessArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("wasmdeploy:aws:KvAccess", name, None, opts)
        role = args.function.role
        if role is None:  # an existing role (`role: ARN`) must allow this itself
            self.register_outputs({})
            return
        self.policy = aws.iam.RolePolicy(
            f"{name}-policy",
            role=role.id,
            policy=pulumi.Output.all(*args.table_arns).apply(
                lambda arns: json.dumps(kv_access_policy(arns), sort_keys=True)
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.register_outputs({})


def declare_kv_stores(
    stores: Sequence[KvStore],
    functions: Mapping[str, tuple[Sequence[KvStore], WasmFunction]],
    tags: Mapping[str, str],
    opts: pulumi.ResourceOptions,
) -> dict[str, Any]:
    """The tables, each granted function's access, and the stack outputs naming the tables.
    A function whose role the manifest names itself gets no policy: that role's owner
    grants the access."""
    if not stores:
        return {}
    tables = KvTables("kv", KvTablesArgs(stores, tags), opts)
    for name, (granted, component) in functions.items():
        if granted and hasattr(component, "role"):
            arns = [tables.arns[store.name] for store in granted]
            KvAccess(f"{name}-kv", KvAccessArgs(component, arns), opts)
    return {"kvTables": {store: table.name for store, table in tables.tables.items()}}
