"""Answer every Serverless Framework key in the manifest: supported, warned, or refused.

Walks the places Serverless defines keys (the top level, `provider` and its
blocks, `package`, each function, each event and the keys of an event), looks
each key up in the Serverless key table, and reports warnings (what wasmdeploy
does instead) and refusals (a Serverless feature wasmdeploy does not support,
with what to do) at the key's line. The schema leaves those keys to this check.
The counts make `validate`'s migration summary.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from wasmdeploy.manifest.problems import NodePath, Problems
from wasmdeploy.manifest.serverless_keys import (
    STATUSES,
    KeyAnswer,
    answer,
    plugin_replacement,
)
from wasmdeploy.manifest.settings import as_dict, as_list

UNSUPPORTED = "is a Serverless Framework feature wasmdeploy does not support"
PROXY_INTEGRATIONS = ("lambda-proxy", "lambda_proxy", "aws-proxy", "aws_proxy")


@dataclass
class ServerlessSummary:
    """How many Serverless keys (and plugins) the manifest uses, by wasmdeploy's answer."""

    counts: Counter[str] = field(default_factory=Counter)
    refused: list[str] = field(default_factory=list)  # "provider.websocket", "plugins: x"

    def add(self, status: str, where: str) -> None:
        self.counts[status] += 1
        if status == "refused":
            self.refused.append(where)

    def line(self) -> str:
        """'Serverless keys: 40 supported, 3 warned, 1 refused (provider.websocket)'."""
        parts = ", ".join(f"{self.counts.get(s, 0)} {s}" for s in STATUSES)
        shown = ", ".join(self.refused[:5]) + (", ..." if len(self.refused) > 5 else "")
        return f"Serverless keys: {parts}" + (f" ({shown})" if self.refused else "")

    def as_json(self) -> dict[str, object]:
        return {**{s: self.counts.get(s, 0) for s in STATUSES}, "refused_keys": self.refused}


def _mappings(data: dict[str, Any]) -> Iterator[tuple[NodePath, dict[str, Any]]]:
    """Every mapping whose keys the Serverless table answers for."""
    yield (), data
    provider = as_dict(data.get("provider"))
    yield ("provider",), provider
    iam = as_dict(provider.get("iam"))
    yield ("provider", "iam"), iam
    yield ("provider", "iam", "role"), as_dict(iam.get("role"))
    for block in ("httpApi", "apiGateway", "tracing"):
        yield ("provider", block), as_dict(provider.get(block))
    yield ("package",), as_dict(data.get("package"))
    yield ("resources",), as_dict(data.get("resources"))
    for name, function in as_dict(data.get("functions")).items():
        function = as_dict(function)
        yield ("functions", name), function
        yield ("functions", name, "package"), as_dict(function.get("package"))
        for index, event in enumerate(as_list(function.get("events"))):
            event = as_dict(event)
            yield ("functions", name, "events", index), event
            for kind, value in event.items():
                yield ("functions", name, "events", index, kind), as_dict(value)


def _report(
    path: NodePath, found: KeyAnswer, problems: Problems, summary: ServerlessSummary
) -> None:
    where = ".".join(str(p) for p in path if not isinstance(p, int)) or "(root)"
    summary.add(found.status, where)
    if found.status == "warned":
        problems.warning(path, f"Serverless Framework key: {found.note}", key=True)
    elif found.status == "refused":
        problems.error(path, f"'{found.key}' {UNSUPPORTED}", hint=found.note + ".", key=True)


def _check_plugins(value: Any, problems: Problems, summary: ServerlessSummary) -> None:
    names = as_dict(value).get("modules") if isinstance(value, dict) else value
    base: NodePath = ("plugins", "modules") if isinstance(value, dict) else ("plugins",)
    for index, name in enumerate(as_list(names)):
        if not isinstance(name, str):
            continue
        replacement = plugin_replacement(name)
        if replacement:
            summary.add("warned", f"plugins: {name}")
            problems.warning(
                (*base, index), f"the Serverless plugin {name} is not needed: {replacement}"
            )
        else:
            summary.add("refused", f"plugins: {name}")
            problems.error(
                (*base, index),
                f"the plugin {name} {UNSUPPORTED}: wasmdeploy does not run Serverless plugins",
                hint="Remove it from plugins; define any AWS resources it made under resources.",
            )


def _check_http_cors(path: NodePath, event: dict[str, Any], problems: Problems) -> None:
    if isinstance(event.get("cors"), dict):
        problems.warning(
            (*path, "cors"),
            "the REST API's CORS preflight allows every origin, header and method: "
            "these cors settings are not applied",
            hint="Use httpApi events with provider.httpApi.cors to limit origins.",
        )


def _check_http_integration(path: NodePath, event: dict[str, Any], problems: Problems) -> None:
    integration = event.get("integration")
    if isinstance(integration, str) and integration.lower() not in PROXY_INTEGRATIONS:
        problems.error(
            (*path, "integration"),
            f"integration: {integration} (mapping templates, not the proxy event) {UNSUPPORTED}",
            hint="Remove `integration` (lambda-proxy is the default): the function then "
            "receives API Gateway's proxy event and returns {statusCode, headers, body}.",
        )


def _check_existing_roles(data: dict[str, Any], problems: Problems) -> None:
    """An existing role is used as it is, as in Serverless: say what it must allow."""
    provider = as_dict(data.get("provider"))
    iam_role = as_dict(provider.get("iam")).get("role")
    places: list[tuple[NodePath, Any]] = [
        (("provider", "role"), provider.get("role")),
        (("provider", "iam", "role"), None if isinstance(iam_role, dict) else iam_role),
    ]
    for name, function in as_dict(data.get("functions")).items():
        places.append((("functions", name, "role"), as_dict(function).get("role")))
    for path, value in places:
        if value is not None:
            problems.warning(
                path,
                "an existing role is used as it is: wasmdeploy adds no statements, managed "
                "policies or event and kv permissions to it",
                hint="The role must trust lambda.amazonaws.com and allow writing the "
                "function's logs and what its events and kv stores need.",
            )


def check_serverless_keys(data: dict[str, Any], problems: Problems) -> ServerlessSummary:
    """Report every Serverless key's answer into `problems`; return the counts."""
    summary = ServerlessSummary()
    for path, mapping in _mappings(data):
        for key in mapping:
            found = answer(path, key)
            if found is not None:
                _report((*path, key), found, problems, summary)
        if len(path) == 5 and path[4] == "http":
            _check_http_integration(path, mapping, problems)
            _check_http_cors(path, mapping, problems)
    if "plugins" in data:
        _check_plugins(data["plugins"], problems, summary)
    _check_existing_roles(data, problems)
    return summary
