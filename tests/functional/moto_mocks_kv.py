"""moto handlers for key-value stores' DynamoDB tables.

Registered into `MotoMocks.handlers`: each table is created in moto with the
inputs the program registered (billing, encryption, deletion protection), then
given its point-in-time recovery and TTL as AWS would, and moto's ARN returned.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import boto3

State = dict[str, Any]
Handler = Callable[[str, str, State], tuple[str, State]]


def _table(name: str, region: str, inputs: State) -> tuple[str, State]:
    dynamodb = boto3.client("dynamodb", region_name=region)
    table = inputs["name"]
    tags = [{"Key": key, "Value": value} for key, value in (inputs.get("tags") or {}).items()]
    created = dynamodb.create_table(
        TableName=table,
        BillingMode=inputs["billingMode"],
        KeySchema=[{"AttributeName": inputs["hashKey"], "KeyType": "HASH"}],
        AttributeDefinitions=[
            {"AttributeName": item["name"], "AttributeType": item["type"]}
            for item in inputs["attributes"]
        ],
        SSESpecification={
            "Enabled": bool((inputs.get("serverSideEncryption") or {}).get("enabled"))
        },
        DeletionProtectionEnabled=bool(inputs.get("deletionProtectionEnabled")),
        **({"Tags": tags} if tags else {}),
    )["TableDescription"]
    recovery = bool((inputs.get("pointInTimeRecovery") or {}).get("enabled"))
    dynamodb.update_continuous_backups(
        TableName=table,
        PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": recovery},
    )
    ttl = inputs.get("ttl") or {}
    if ttl.get("enabled"):
        dynamodb.update_time_to_live(
            TableName=table,
            TimeToLiveSpecification={"Enabled": True, "AttributeName": ttl["attributeName"]},
        )
    return table, {"arn": created["TableArn"], "name": table}


def kv_handlers() -> dict[str, Handler]:
    return {"aws:dynamodb/table:Table": _table}
