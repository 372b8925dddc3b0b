"""Moto mappings for what Serverless manifests add: Lambda settings, role attachments, resources,
API authorizers.

Registered into `MotoMocks.handlers`; each creates the resource in moto so the
tests read the wiring back as AWS would hold it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import boto3

State = dict[str, Any]
Handler = Callable[[str, str, State], tuple[str, State]]


def function_settings(inputs: State) -> State:
    """CreateFunction's VpcConfig, TracingConfig and KMSKeyArn from the Pulumi inputs."""
    vpc = inputs.get("vpcConfig") or {}
    tracing = inputs.get("tracingConfig") or {}
    settings: State = {}
    if vpc:
        settings["VpcConfig"] = {
            "SubnetIds": list(vpc.get("subnetIds") or []),
            "SecurityGroupIds": list(vpc.get("securityGroupIds") or []),
        }
    if tracing.get("mode"):
        settings["TracingConfig"] = {"Mode": tracing["mode"]}
    if inputs.get("kmsKeyArn"):
        settings["KMSKeyArn"] = inputs["kmsKeyArn"]
    return settings


def with_reserved_concurrency(create: Handler) -> Handler:
    """The function handler, then PutFunctionConcurrency when the function reserves some."""

    def handler(name: str, region: str, inputs: State) -> tuple[str, State]:
        resource_id, state = create(name, region, inputs)
        reserved = inputs.get("reservedConcurrentExecutions")
        if reserved is not None and int(reserved) >= 0:
            boto3.client("lambda", region_name=region).put_function_concurrency(
                FunctionName=inputs["name"], ReservedConcurrentExecutions=int(reserved)
            )
        return resource_id, state

    return handler


def role_policy_attachment(name: str, region: str, inputs: State) -> tuple[str, State]:
    boto3.client("iam").attach_role_policy(RoleName=inputs["role"], PolicyArn=inputs["policyArn"])
    return f"{inputs['role']}-{name}", {}


def cloudformation_stack(name: str, region: str, inputs: State) -> tuple[str, State]:
    """The `resources` stack, created (and its outputs evaluated) by moto's CloudFormation."""
    client = boto3.client("cloudformation", region_name=region)
    parameters = inputs.get("parameters") or {}
    created = client.create_stack(
        StackName=inputs["name"],
        TemplateBody=inputs["templateBody"],
        Capabilities=list(inputs.get("capabilities") or []),
        Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in parameters.items()],
    )
    [stack] = client.describe_stacks(StackName=created["StackId"])["Stacks"]
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
    return created["StackId"], {"outputs": outputs}


def _compact(values: State) -> State:
    return {key: value for key, value in values.items() if value not in (None, [], "")}


def _whole(value: Any) -> int | None:
    """Pulumi's mocks pass numbers as floats; API Gateway wants integers here."""
    return None if value is None else int(value)


def rest_method(name: str, region: str, inputs: State) -> tuple[str, State]:
    """PutMethod with its authorizer (the shared mapping passes the authorization type only)."""
    boto3.client("apigateway", region_name=region).put_method(
        **_compact(
            {
                "restApiId": inputs["restApi"],
                "resourceId": inputs["resourceId"],
                "httpMethod": inputs["httpMethod"],
                "authorizationType": inputs["authorization"],
                "authorizerId": inputs.get("authorizerId"),
                "authorizationScopes": inputs.get("authorizationScopes"),
                "apiKeyRequired": inputs.get("apiKeyRequired"),
            }
        )
    )
    return f"{inputs['resourceId']}-{inputs['httpMethod']}", {}


def api_key(name: str, region: str, inputs: State) -> tuple[str, State]:
    value = inputs.get("value")
    if isinstance(value, dict):  # a Pulumi secret, as the mocks receive it
        value = value.get("value")
    created = boto3.client("apigateway", region_name=region).create_api_key(
        **_compact(
            {
                "name": inputs["name"],
                "value": value,
                "description": inputs.get("description"),
                "enabled": inputs.get("enabled", True),
            }
        )
    )
    return created["id"], {}


def usage_plan(name: str, region: str, inputs: State) -> tuple[str, State]:
    quota = inputs.get("quotaSettings") or {}
    throttle = inputs.get("throttleSettings") or {}
    created = boto3.client("apigateway", region_name=region).create_usage_plan(
        **_compact(
            {
                "name": name,
                "apiStages": [
                    {"apiId": s["apiId"], "stage": s["stage"]} for s in inputs["apiStages"]
                ],
                "quota": _compact(
                    {
                        "limit": _whole(quota.get("limit")),
                        "offset": _whole(quota.get("offset")),
                        "period": quota.get("period"),
                    }
                ),
                "throttle": _compact(
                    {
                        "burstLimit": _whole(throttle.get("burstLimit")),
                        "rateLimit": throttle.get("rateLimit"),
                    }
                ),
            }
        )
    )
    return created["id"], {}


def usage_plan_key(name: str, region: str, inputs: State) -> tuple[str, State]:
    created = boto3.client("apigateway", region_name=region).create_usage_plan_key(
        usagePlanId=inputs["usagePlanId"], keyId=inputs["keyId"], keyType=inputs["keyType"]
    )
    return created["id"], {}


def rest_authorizer(name: str, region: str, inputs: State) -> tuple[str, State]:
    created = boto3.client("apigateway", region_name=region).create_authorizer(
        **_compact(
            {
                "restApiId": inputs["restApi"],
                "name": inputs["name"],
                "type": inputs["type"],
                "authorizerUri": inputs.get("authorizerUri"),
                "identitySource": inputs.get("identitySource"),
                "identityValidationExpression": inputs.get("identityValidationExpression"),
                "providerARNs": inputs.get("providerArns"),
                "authorizerResultTtlInSeconds": inputs.get("authorizerResultTtlInSeconds"),
            }
        )
    )
    return created["id"], {}


def http_route(name: str, region: str, inputs: State) -> tuple[str, State]:
    route = boto3.client("apigatewayv2", region_name=region).create_route(
        **_compact(
            {
                "ApiId": inputs["apiId"],
                "RouteKey": inputs["routeKey"],
                "Target": inputs["target"],
                "AuthorizationType": inputs.get("authorizationType"),
                "AuthorizerId": inputs.get("authorizerId"),
                "AuthorizationScopes": inputs.get("authorizationScopes"),
            }
        )
    )
    return route["RouteId"], {}


def http_authorizer(name: str, region: str, inputs: State) -> tuple[str, State]:
    jwt = inputs.get("jwtConfiguration") or {}
    created = boto3.client("apigatewayv2", region_name=region).create_authorizer(
        **_compact(
            {
                "ApiId": inputs["apiId"],
                "Name": inputs["name"],
                "AuthorizerType": inputs["authorizerType"],
                "IdentitySource": inputs.get("identitySources"),
                "JwtConfiguration": {"Audience": jwt.get("audiences"), "Issuer": jwt.get("issuer")}
                if jwt
                else None,
                "AuthorizerUri": inputs.get("authorizerUri"),
                "AuthorizerPayloadFormatVersion": inputs.get("authorizerPayloadFormatVersion"),
            }
        )
    )
    return created["AuthorizerId"], {}


def serverless_handlers(function_handler: Handler) -> dict[str, Handler]:
    return {
        "aws:apigateway/method:Method": rest_method,
        "aws:apigateway/authorizer:Authorizer": rest_authorizer,
        "aws:apigateway/apiKey:ApiKey": api_key,
        "aws:apigateway/usagePlan:UsagePlan": usage_plan,
        "aws:apigateway/usagePlanKey:UsagePlanKey": usage_plan_key,
        "aws:apigatewayv2/route:Route": http_route,
        "aws:apigatewayv2/authorizer:Authorizer": http_authorizer,
        "aws:lambda/function:Function": with_reserved_concurrency(function_handler),
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment": role_policy_attachment,
        "aws:cloudformation/stack:Stack": cloudformation_stack,
    }
