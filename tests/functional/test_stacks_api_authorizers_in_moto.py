"""Serverless's route authorizers deploy as API Gateway authorizers (REST and HTTP API), in moto."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from serverless_services import deployed_in_moto, write_serverless

from wasmdeploy.manifest.load import load_manifest
from wasmdeploy.manifest.model import Service
from wasmdeploy.stacks.mocked_run import MockedRun

REGION = "eu-west-1"
POOL = "arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_abc"
MANIFEST = f"""\
service: shop
provider:
  name: aws
  region: {REGION}
  apiGateway:
    apiKeys: [partner, {{name: internal, value: internal-key-0123456789abc}}]
    usagePlan:
      quota: {{limit: 5000, period: MONTH}}
      throttle: {{burstLimit: 20, rateLimit: 10}}
  httpApi:
    authorizers:
      users:
        identitySource: $request.header.Authorization
        issuerUrl: https://cognito-idp.{REGION}.amazonaws.com/eu-west-1_abc
        audience: [client-1]
functions:
  auth:
    handler: h
  rest:
    handler: h
    events:
      - http: {{path: /token, method: get, authorizer: auth}}
      - http: {{path: /signed, method: get, authorizer: aws_iam}}
      - http: {{path: /pool, method: get, authorizer: {{arn: {POOL}, scopes: [orders/read]}}}}
      - http: {{path: /open, method: get}}
      - http: {{path: /partners, method: post, private: true}}
  api:
    handler: h
    events:
      - httpApi: {{method: GET, path: /me, authorizer: {{name: users, scopes: [profile]}}}}
      - httpApi: {{method: GET, path: /iam, authorizer: {{type: aws_iam}}}}
      - httpApi: 'GET /public'
"""


@pytest.fixture(scope="module")
def deployed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Service, MockedRun]]:
    with deployed_in_moto(tmp_path_factory.mktemp("service"), MANIFEST) as result:
        yield result


def client(name: str) -> Any:
    return boto3.client(name, region_name=REGION)


def rest_methods() -> dict[str, dict[str, Any]]:
    rest = client("apigateway")
    [api] = rest.get_rest_apis()["items"]
    methods = {}
    for resource in rest.get_resources(restApiId=api["id"])["items"]:
        if "GET" in resource.get("resourceMethods", {}):
            methods[resource["path"]] = rest.get_method(
                restApiId=api["id"], resourceId=resource["id"], httpMethod="GET"
            )
    return methods


def test_rest_routes_get_token_iam_and_cognito_authorizers(
    deployed: tuple[Service, MockedRun],
) -> None:
    [api] = client("apigateway").get_rest_apis()["items"]
    authorizers = {
        a["name"]: a for a in client("apigateway").get_authorizers(restApiId=api["id"])["items"]
    }
    assert authorizers["auth"]["type"] == "TOKEN"
    assert authorizers["auth"]["identitySource"] == "method.request.header.Authorization"
    assert "shop-dev-auth" in authorizers["auth"]["authorizerUri"]
    assert authorizers["eu-west-1_abc"]["type"] == "COGNITO_USER_POOLS"
    assert authorizers["eu-west-1_abc"]["providerARNs"] == [POOL]
    methods = rest_methods()
    assert methods["/token"]["authorizationType"] == "CUSTOM"
    assert methods["/token"]["authorizerId"] == authorizers["auth"]["id"]
    assert methods["/signed"]["authorizationType"] == "AWS_IAM"
    assert methods["/pool"]["authorizationType"] == "COGNITO_USER_POOLS"
    assert methods["/pool"]["authorizationScopes"] == ["orders/read"]
    assert methods["/open"]["authorizationType"] == "NONE"


def test_private_routes_require_a_key_of_the_usage_plan(
    deployed: tuple[Service, MockedRun],
) -> None:
    rest = client("apigateway")
    [api] = rest.get_rest_apis()["items"]
    resources = {r["path"]: r for r in rest.get_resources(restApiId=api["id"])["items"]}
    private = rest.get_method(
        restApiId=api["id"], resourceId=resources["/partners"]["id"], httpMethod="POST"
    )
    assert private["apiKeyRequired"] is True
    assert not rest_methods()["/open"].get("apiKeyRequired")
    [plan] = rest.get_usage_plans()["items"]
    assert plan["apiStages"] == [{"apiId": api["id"], "stage": "dev"}]
    assert plan["quota"]["limit"] == 5000 and plan["throttle"]["rateLimit"] == 10
    keys = {k["name"]: k for k in rest.get_usage_plan_keys(usagePlanId=plan["id"])["items"]}
    assert set(keys) == {"partner", "internal"}
    _, run = deployed
    assert set(run.outputs["restApiKeys"]) == {"partner", "internal"}


def test_the_authorizer_function_may_be_invoked_by_api_gateway_authorizers_only(
    deployed: tuple[Service, MockedRun],
) -> None:
    policy = json.loads(client("lambda").get_policy(FunctionName="shop-dev-auth")["Policy"])
    [statement] = policy["Statement"]
    assert statement["Principal"] == {"Service": "apigateway.amazonaws.com"}
    assert statement["Condition"]["ArnLike"]["AWS:SourceArn"].endswith("/authorizers/*")


def test_http_api_routes_get_jwt_and_iam_authorization(
    deployed: tuple[Service, MockedRun],
) -> None:
    v2 = client("apigatewayv2")
    [api] = v2.get_apis()["Items"]
    routes = {r["RouteKey"]: r for r in v2.get_routes(ApiId=api["ApiId"])["Items"]}
    jwt = v2.get_authorizer(ApiId=api["ApiId"], AuthorizerId=routes["GET /me"]["AuthorizerId"])
    assert jwt["AuthorizerType"] == "JWT"
    assert jwt["JwtConfiguration"] == {
        "Audience": ["client-1"],
        "Issuer": f"https://cognito-idp.{REGION}.amazonaws.com/eu-west-1_abc",
    }
    assert routes["GET /me"]["AuthorizationType"] == "JWT"
    assert routes["GET /me"]["AuthorizationScopes"] == ["profile"]
    assert routes["GET /iam"]["AuthorizationType"] == "AWS_IAM"
    assert routes["GET /public"].get("AuthorizationType", "NONE") == "NONE"


def test_authorizers_that_name_nothing_are_errors(tmp_path: Path) -> None:
    result = load_manifest(
        write_serverless(
            tmp_path,
            """\
            service: shop
            provider: {name: aws}
            functions:
              api:
                handler: h
                events:
                  - http: {path: /x, method: get, authorizer: authorise}
                  - httpApi: {method: GET, path: /y, authorizer: {name: users}}
            """,
        )
    )
    messages = {e.path: e.message for e in result.errors}
    assert (
        "'authorise' is not a function of this service"
        in messages["functions.api.events[0].http.authorizer"]
    )
    assert (
        "no authorizer 'users' under provider.httpApi.authorizers"
        in messages["functions.api.events[1].httpApi.authorizer"]
    )


def test_provider_http_api_cors_settings_reach_the_api(tmp_path: Path) -> None:
    manifest = """\
        service: cors-shop
        provider:
          name: aws
          region: eu-west-1
          httpApi:
            cors:
              allowedOrigins: [https://shop.example.com]
              allowedHeaders: [Content-Type, Authorization]
              allowedMethods: [GET, POST]
              allowCredentials: true
              maxAge: 60
        functions:
          items:
            handler: h
            events: [{httpApi: 'GET /items'}]
        """
    with deployed_in_moto(tmp_path, manifest) as (service, run):
        apis = client("apigatewayv2").get_apis()["Items"]
        [api] = [a for a in apis if a["Name"] == "cors-shop-dev"]
        cors = api["CorsConfiguration"]
        assert cors["AllowOrigins"] == ["https://shop.example.com"]
        assert cors["AllowMethods"] == ["GET", "POST"]
        assert cors["AllowHeaders"] == ["Content-Type", "Authorization"]
        inputs = run.named("http-api-api").inputs["corsConfiguration"]
        assert inputs["allowCredentials"] is True and inputs["maxAge"] == 60
    assert service.function("items").routes[0].cors
