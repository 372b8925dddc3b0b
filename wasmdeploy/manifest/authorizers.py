"""Serverless's `authorizer` on http and httpApi events, read into `RouteAuthorizer`s.

REST (`http`): `authorizer: aws_iam`; `authorizer: FUNCTION` (a TOKEN authorizer run
by a function of this service); `{name | arn, type: token | request, identitySource,
resultTtlInSeconds, identityValidationExpression}`; `{arn: <user pool ARN>}` or
`type: COGNITO_USER_POOLS` (Cognito, with `scopes`).
HTTP API (`httpApi`): `authorizer: {type: aws_iam}`, or `{name, scopes}` naming
`provider.httpApi.authorizers.NAME` (`{identitySource, issuerUrl, audience}` for JWT,
`{type: request, functionName}` for a Lambda authorizer). `provider.httpApi.cors` is
read here too: who may call the HTTP API from a browser.
"""

from __future__ import annotations

from typing import Any

from wasmdeploy.manifest.model_auth import AuthorizerKind, CorsSettings, RouteAuthorizer
from wasmdeploy.manifest.settings import as_dict, as_list, provider_of

TOKEN_SOURCE = "method.request.header.Authorization"
HTTP_API_SOURCE = "$request.header.Authorization"


def _strings(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return tuple(part.strip() for part in value.split(",") if part.strip())
    return tuple(str(v) for v in as_list(value))


def _ttl(raw: dict[str, Any]) -> int | None:
    value = raw.get("resultTtlInSeconds")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def rest_authorizer(value: Any) -> RouteAuthorizer | None:
    """An http event's `authorizer`, or None when it has none (or it is malformed)."""
    if isinstance(value, str):
        if value.lower() == "aws_iam":
            return RouteAuthorizer(kind="aws_iam", name="aws_iam")
        if value.startswith("arn:"):
            return _arn_authorizer(value, {})
        return RouteAuthorizer(
            kind="token", name=value, function=value, identity_source=(TOKEN_SOURCE,)
        )
    raw = as_dict(value)
    if not raw:
        return None
    kind = str(raw.get("type", "")).lower()
    if kind == "aws_iam":
        return RouteAuthorizer(kind="aws_iam", name="aws_iam")
    if isinstance(raw.get("arn"), str):
        return _arn_authorizer(raw["arn"], raw)
    name = raw.get("name")
    if not isinstance(name, str):
        return None
    lambda_kind: AuthorizerKind = "request" if kind == "request" else "token"
    return RouteAuthorizer(
        kind=lambda_kind,
        name=name,
        function=name,
        identity_source=_strings(raw.get("identitySource"))
        or ((TOKEN_SOURCE,) if lambda_kind == "token" else ()),
        result_ttl=_ttl(raw),
        identity_validation_expression=raw.get("identityValidationExpression"),
    )


def _arn_authorizer(arn: str, raw: dict[str, Any]) -> RouteAuthorizer:
    name = str(raw.get("name") or arn.rsplit("/", 1)[-1].rsplit(":", 1)[-1])
    if ":cognito-idp:" in arn or str(raw.get("type", "")).upper() == "COGNITO_USER_POOLS":
        return RouteAuthorizer(
            kind="cognito",
            name=name,
            arn=arn,
            identity_source=_strings(raw.get("identitySource")) or (TOKEN_SOURCE,),
            scopes=_strings(raw.get("scopes")),
        )
    kind: AuthorizerKind = "request" if str(raw.get("type", "")).lower() == "request" else "token"
    return RouteAuthorizer(
        kind=kind,
        name=name,
        arn=arn,
        identity_source=_strings(raw.get("identitySource"))
        or ((TOKEN_SOURCE,) if kind == "token" else ()),
        result_ttl=_ttl(raw),
        identity_validation_expression=raw.get("identityValidationExpression"),
    )


def http_api_authorizer(data: Any, value: Any) -> RouteAuthorizer | None:
    """An httpApi event's `authorizer`, completed from provider.httpApi.authorizers."""
    raw = as_dict(value) if not isinstance(value, str) else {"name": value}
    if str(raw.get("type", "")).lower() == "aws_iam":
        return RouteAuthorizer(kind="aws_iam", name="aws_iam")
    name = raw.get("name")
    if not isinstance(name, str):
        return None
    declared = as_dict(
        as_dict(as_dict(provider_of(data).get("httpApi")).get("authorizers")).get(name)
    )
    if not declared:
        return None
    if str(declared.get("type", "jwt")).lower() == "request":
        function = declared.get("functionName")
        return RouteAuthorizer(
            kind="request",
            name=name,
            function=function if isinstance(function, str) else None,
            arn=declared.get("functionArn"),
            identity_source=_strings(declared.get("identitySource")),
            result_ttl=_ttl(declared),
        )
    return RouteAuthorizer(
        kind="jwt",
        name=name,
        identity_source=_strings(declared.get("identitySource")) or (HTTP_API_SOURCE,),
        issuer_url=declared.get("issuerUrl"),
        audience=_strings(declared.get("audience")),
        scopes=_strings(raw.get("scopes")),
    )


def event_authorizer(data: Any, kind: str, value: Any) -> RouteAuthorizer | None:
    entry = as_dict(value).get("authorizer") if isinstance(value, dict) else None
    if entry is None:
        return None
    return rest_authorizer(entry) if kind == "http" else http_api_authorizer(data, entry)


def http_api_cors(data: Any) -> CorsSettings | None:
    """`provider.httpApi.cors`: true (every origin, header and method) or Serverless's object."""
    value = as_dict(provider_of(data).get("httpApi")).get("cors")
    if value is True:
        return CorsSettings()
    if not isinstance(value, dict):
        return None
    default = CorsSettings()
    max_age = value.get("maxAge")
    return CorsSettings(
        allowed_origins=_strings(value.get("allowedOrigins")) or default.allowed_origins,
        allowed_headers=_strings(value.get("allowedHeaders")) or default.allowed_headers,
        allowed_methods=_strings(value.get("allowedMethods")) or default.allowed_methods,
        exposed_headers=_strings(value.get("exposedResponseHeaders")),
        allow_credentials=value.get("allowCredentials") is True,
        max_age=max_age if isinstance(max_age, int) and not isinstance(max_age, bool) else 300,
    )
