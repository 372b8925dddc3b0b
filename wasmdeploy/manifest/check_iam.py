"""Checks on the IAM statements added to the functions' roles."""

from __future__ import annotations

from typing import Any

from wasmdeploy.manifest import settings
from wasmdeploy.manifest.problems import NodePath, Problems

_ANY_ACTION = ("*", "*:*")


def check_iam_statements(data: Any, problems: Problems) -> None:
    """Warn about a statement that allows every action on every resource (administrator access)."""
    iam = settings.as_dict(settings.provider_of(data).get("iam"))
    places: list[tuple[NodePath, Any]] = [
        (("provider", "iam", "statements"), iam.get("statements")),
        (
            ("provider", "iam", "role", "statements"),
            settings.as_dict(iam.get("role")).get("statements"),
        ),
    ]
    for base, statements in places:
        for index, statement in enumerate(settings.as_list(statements)):
            if isinstance(statement, dict) and _allows_everything(statement):
                problems.warning(
                    (*base, index),
                    "this statement allows every action on every resource: each function "
                    "gets administrator access to the AWS account",
                    hint="Name the actions and resources the functions need "
                    "(e.g. Action: s3:GetObject, Resource: arn:aws:s3:::my-bucket/*).",
                )


def _allows_everything(statement: dict[str, Any]) -> bool:
    if statement.get("Effect", "Allow") != "Allow":
        return False
    return _has_any(statement.get("Action"), _ANY_ACTION) and _has_any(
        statement.get("Resource"), ("*",)
    )


def _has_any(value: Any, wildcards: tuple[str, ...]) -> bool:
    items = value if isinstance(value, list) else [value]
    return any(isinstance(item, str) and item.strip() in wildcards for item in items)
