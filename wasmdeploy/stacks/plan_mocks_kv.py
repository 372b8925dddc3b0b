"""`plan`'s identifiers for key-value stores' tables: the ARNs AWS would give them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from wasmdeploy.manifest.arns import arn_in

State = dict[str, Any]
Computer = Callable[[str, str, State], tuple[str, State]]


def kv_computers(account: str) -> dict[str, Computer]:
    def table(name: str, region: str, inputs: State) -> tuple[str, State]:
        table_name = inputs["name"]
        arn = arn_in(region, f"dynamodb:{region}:{account}:table/{table_name}")
        return table_name, {"arn": arn}

    return {"aws:dynamodb/table:Table": table}
