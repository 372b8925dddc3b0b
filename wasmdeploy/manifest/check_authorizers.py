"""Checks on routes' authorizers: the function or provider.httpApi authorizer named exists."""

from __future__ import annotations

from typing import Any

from wasmdeploy.manifest.authorizers import event_authorizer
from wasmdeploy.manifest.problems import NodePath, Problems
from wasmdeploy.manifest.settings import as_dict, as_list, functions_of, provider_of


def check_authorizers(data: dict[str, Any], problems: Problems) -> None:
    for name, function in functions_of(data).items():
        for index, event in enumerate(as_list(function.get("events"))):
            for kind in ("http", "httpApi"):
                value = as_dict(event).get(kind)
                if isinstance(value, dict) and value.get("authorizer") is not None:
                    path = ("functions", name, "events", index, kind, "authorizer")
                    _check_authorizer(data, kind, value, path, problems)


def _check_authorizer(
    data: dict[str, Any], kind: str, value: dict[str, Any], path: NodePath, problems: Problems
) -> None:
    authorizer = event_authorizer(data, kind, value)
    if authorizer is None and kind == "httpApi":
        declared = as_dict(as_dict(provider_of(data).get("httpApi")).get("authorizers"))
        wanted = as_dict(value["authorizer"]).get("name", value["authorizer"])
        problems.error(
            path,
            f"no authorizer '{wanted}' under provider.httpApi.authorizers "
            f"(defined: {', '.join(declared) or 'none'})",
            hint="Declare it there: {identitySource, issuerUrl, audience} for a JWT "
            "authorizer, {type: request, functionName} for a Lambda one.",
        )
    elif authorizer is None:
        problems.error(path, "give the authorizer as aws_iam, a function's name or {name, type}")
    elif authorizer.function and authorizer.function not in functions_of(data):
        problems.error(
            path,
            f"the authorizer function '{authorizer.function}' is not a function of this service",
            hint="Name a function under functions, or give the authorizer's arn.",
        )
    elif authorizer.kind == "jwt" and not (authorizer.issuer_url and authorizer.audience):
        problems.error(
            ("provider", "httpApi", "authorizers", authorizer.name),
            "a JWT authorizer needs issuerUrl and audience",
        )
