"""Who may call a route: authorizers, API keys and the HTTP API's CORS, part of the model."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

AuthorizerKind = Literal["aws_iam", "jwt", "token", "request", "cognito"]


@dataclass(frozen=True)
class RouteAuthorizer:
    """`aws_iam` (SigV4), `jwt` (HTTP API), `cognito` (REST, a user pool), or a Lambda
    authorizer (`token` / `request`) run by a function of this service or by an ARN."""

    kind: AuthorizerKind
    name: str  # the authorizer's name: its key, its function's name, or the ARN's last part
    function: str | None = None  # a function of this service that authorizes
    arn: str | None = None  # a Lambda authorizer's or a Cognito user pool's ARN
    identity_source: tuple[str, ...] = ()
    issuer_url: str | None = None  # jwt
    audience: tuple[str, ...] = ()  # jwt
    scopes: tuple[str, ...] = ()  # jwt and cognito: the scopes a route requires
    result_ttl: int | None = None  # seconds API Gateway caches a Lambda authorizer's answer
    identity_validation_expression: str | None = None  # token


@dataclass(frozen=True)
class CorsSettings:
    """`provider.httpApi.cors`: what the HTTP API's CORS preflight allows (`true`: everything)."""

    allowed_origins: tuple[str, ...] = ("*",)
    allowed_headers: tuple[str, ...] = ("*",)
    allowed_methods: tuple[str, ...] = ("*",)
    exposed_headers: tuple[str, ...] = ()
    allow_credentials: bool = False
    max_age: int = 300


@dataclass(frozen=True)
class ApiKey:
    """One of provider.apiGateway.apiKeys: the key private routes require (x-api-key)."""

    name: str
    value: str | None = None  # None: API Gateway generates it
    description: str | None = None
    enabled: bool = True


@dataclass(frozen=True)
class RestApiKeys:
    """The REST API's keys and the usage plan they belong to (quota and throttle)."""

    keys: tuple[ApiKey, ...]
    quota: dict[str, Any] | None = None  # {limit, offset, period}
    throttle: dict[str, Any] | None = None  # {burstLimit, rateLimit}
