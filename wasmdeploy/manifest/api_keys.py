"""`private: true` http routes and `provider.apiGateway.apiKeys` / `usagePlan`, as in Serverless.

A private route requires an API key (the `x-api-key` header); the keys are
`provider.apiGateway.apiKeys` (names, or `{name, value, description, enabled}`), all
in one usage plan with `provider.apiGateway.usagePlan`'s quota and throttle.
"""

from __future__ import annotations

from typing import Any

from wasmdeploy.manifest.model_auth import ApiKey, RestApiKeys
from wasmdeploy.manifest.problems import Problems
from wasmdeploy.manifest.settings import as_dict, as_list, functions_of, provider_of


def _gateway(data: Any) -> dict[str, Any]:
    return as_dict(provider_of(data).get("apiGateway"))


def api_key(value: Any) -> ApiKey | None:
    if isinstance(value, str) and value:
        return ApiKey(name=value)
    raw = as_dict(value)
    if not isinstance(raw.get("name"), str):
        return None
    value_text = raw.get("value")
    return ApiKey(
        name=raw["name"],
        value=value_text if isinstance(value_text, str) else None,
        description=raw.get("description") if isinstance(raw.get("description"), str) else None,
        enabled=raw.get("enabled") is not False,
    )


def rest_api_keys(data: Any) -> RestApiKeys | None:
    """The keys and usage plan, or None when no key is declared."""
    keys = tuple(k for k in (api_key(v) for v in as_list(_gateway(data).get("apiKeys"))) if k)
    if not keys:
        return None
    plan = as_dict(_gateway(data).get("usagePlan"))
    return RestApiKeys(
        keys=keys,
        quota=as_dict(plan.get("quota")) or None,
        throttle=as_dict(plan.get("throttle")) or None,
    )


def is_private(event: Any) -> bool:
    return isinstance(event, dict) and event.get("private") is True


def check_api_keys(data: Any, problems: Problems) -> None:
    """A private route needs a key to call it; keys are names or {name, ...} (one plan)."""
    for index, value in enumerate(as_list(_gateway(data).get("apiKeys"))):
        if api_key(value) is None:
            problems.error(
                ("provider", "apiGateway", "apiKeys", index),
                "an API key is a name or {name, value, description, enabled}; "
                "keys grouped by usage plan are a Serverless Framework feature wasmdeploy "
                "does not support",
                hint="List the keys directly; they share provider.apiGateway.usagePlan.",
            )
    if rest_api_keys(data) is not None:
        return
    for name, function in functions_of(data).items():
        for index, event in enumerate(as_list(function.get("events"))):
            if is_private(as_dict(event).get("http")):
                problems.error(
                    ("functions", name, "events", index, "http", "private"),
                    "private: true requires an API key, but provider.apiGateway.apiKeys "
                    "declares none",
                    hint="Add provider.apiGateway.apiKeys: [my-key].",
                )
