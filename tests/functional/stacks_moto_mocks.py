"""Pulumi mocks that create every resource in moto and return moto's ids and ARNs.

Use inside `moto.mock_aws()`. A resource type with no mapping here is an error,
so a new resource in the program cannot slip through the functional tests
unchecked.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
from moto_mocks_events import event_handlers
from moto_mocks_kv import kv_handlers
from pulumi.runtime.mocks import MockResourceArgs
from stacks_moto_serverless import function_settings, serverless_handlers

from wasmdeploy.stacks.mocked_run import PROVIDER_TYPE_PREFIX, provider_name
from wasmdeploy.stacks.plan_mocks import PlanMocks, short_id

State = dict[str, Any]
Handler = Callable[[str, str, State], tuple[str, State]]


def zip_bytes(code: Any) -> bytes:
    return Path(code.path).read_bytes()


def drop_none(values: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not None}


class MotoMocks(PlanMocks):
    def __init__(self, default_region: str) -> None:
        super().__init__(default_region)
        self.created: list[tuple[str, str]] = []  # (type, id), in creation order
        self.handlers: dict[str, Handler] = {
            "aws:iam/role:Role": self._role,
            "aws:iam/rolePolicy:RolePolicy": self._role_policy,
            "aws:cloudwatch/logGroup:LogGroup": self._log_group,
            "aws:lambda/layerVersion:LayerVersion": self._layer,
            "aws:lambda/function:Function": self._function,
            "aws:lambda/permission:Permission": self._permission,
            "aws:s3/bucket:Bucket": self._bucket,
            "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": self._public_access_block,
            "aws:s3/bucketServerSideEncryptionConfiguration:"
            "BucketServerSideEncryptionConfiguration": self._encryption,
            "aws:s3/bucketVersioning:BucketVersioning": self._versioning,
            "aws:s3/bucketNotification:BucketNotification": self._notification,
            "aws:s3/bucketPolicy:BucketPolicy": self._bucket_policy,
            "aws:apigatewayv2/api:Api": self._http_api,
            "aws:apigatewayv2/integration:Integration": self._http_integration,
            "aws:apigatewayv2/route:Route": self._http_route,
            "aws:apigatewayv2/stage:Stage": self._http_stage,
            "aws:apigateway/restApi:RestApi": self._rest_api,
            "aws:apigateway/resource:Resource": self._rest_resource,
            "aws:apigateway/method:Method": self._rest_method,
            "aws:apigateway/integration:Integration": self._rest_integration,
            "aws:apigateway/methodResponse:MethodResponse": self._rest_method_response,
            "aws:apigateway/integrationResponse:IntegrationResponse": (
                self._rest_integration_response
            ),
            "aws:apigateway/deployment:Deployment": self._rest_deployment,
            "aws:apigateway/stage:Stage": self._rest_stage_moto,
            "aws:cloudfront/originAccessControl:OriginAccessControl": self._origin_access,
            "aws:cloudfront/distribution:Distribution": self._distribution_moto,
        }
        self.handlers.update(event_handlers())
        self.handlers.update(kv_handlers())
        self.handlers.update(serverless_handlers(self._function))

    def new_resource(self, args: MockResourceArgs) -> tuple[str | None, dict[Any, Any]]:
        if args.typ.startswith(PROVIDER_TYPE_PREFIX) or not args.custom:
            return super().new_resource(args)
        handler = self.handlers.get(args.typ)
        if handler is None:
            raise NotImplementedError(f"no moto mapping for {args.typ}")
        region = self.provider_regions.get(
            provider_name(args.provider or "") or "", self.default_region
        )
        inputs = dict(args.inputs)
        resource_id, computed = handler(args.name, region, inputs)
        self.created.append((args.typ, resource_id))
        return resource_id, {**inputs, **computed}

    # IAM and logs
    def _role(self, name: str, region: str, inputs: State) -> tuple[str, State]:
        role_name = f"{name}-{short_id(name, 7)}"[:64]
        role = boto3.client("iam").create_role(
            RoleName=role_name,
            AssumeRolePolicyDocument=inputs["assumeRolePolicy"],
            Description=inputs.get("description", ""),
        )["Role"]
        return role_name, {"name": role_name, "arn": role["Arn"], "uniqueId": role["RoleId"]}

    def _role_policy(self, name: str, region: str, inputs: State) -> tuple[str, State]:
        boto3.client("iam").put_role_policy(
            RoleName=inputs["role"], PolicyName=name, PolicyDocument=inputs["policy"]
        )
        return f"{inputs['role']}:{name}", {"name": name}

    def _log_group(self, name: str, region: str, inputs: State) -> tuple[str, State]:
        logs = boto3.client("logs", region_name=region)
        group = inputs["name"]
        logs.create_log_group(logGroupName=group)
        if inputs.get("retentionInDays"):
            logs.put_retention_policy(
                logGroupName=group, retentionInDays=int(inputs["retentionInDays"])
            )
        found = logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"][0]
        return group, {"arn": found["arn"].removesuffix(":*")}

    # Lambda
    def _layer(self, name: str, region: str, inputs: State) -> tuple[str, State]:
        layer = boto3.client("lambda", region_name=region).publish_layer_version(
            LayerName=inputs["layerName"],
            Content={"ZipFile": zip_bytes(inputs["code"])},
            CompatibleRuntimes=inputs.get("compatibleRuntimes", []),
            CompatibleArchitectures=inputs.get("compatibleArchitectures", []),
        )
        return layer["LayerVersionArn"], {
            "arn": layer["LayerVersionArn"],
            "layerArn": layer["LayerArn"],
            "version": str(layer["Version"]),
        }

    def _function(self, name: str, region: str, inputs: State) -> tuple[str, State]:
        client = boto3.client("lambda", region_name=region)
        environment = inputs.get("environment") or {}
        created = client.create_function(
            **drop_none(
                {
                    "FunctionName": inputs["name"],
                    "Runtime": inputs["runtime"],
                    "Role": inputs["role"],
                    "Handler": inputs["handler"],
                    "Code": {"ZipFile": zip_bytes(inputs["code"])},
                    "Architectures": inputs.get("architectures"),
                    "MemorySize": int(inputs["memorySize"]),
                    "Timeout": int(inputs["timeout"]),
                    "Description": inputs.get("description"),
                    "Layers": inputs.get("layers"),
                    "Publish": bool(inputs.get("publish")),
                    "Environment": {"Variables": environment["variables"]}
                    if environment.get("variables")
                    else None,
                    "Tags": inputs.get("tags"),
                    **function_settings(inputs),
                }
            )
        )
        arn = created["FunctionArn"]
        version = created.get("Version", "$LATEST")
        return inputs["name"], {
            "arn": arn,
            "version": version,
            "qualifiedArn": f"{arn}:{version}",
            "invokeArn": (
                f"arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{arn}/invocations"
            ),
        }

    def _permission(self, name: str, region: str, inputs: State) -> tuple[str, State]:
        statement_id = inputs.get("statementId") or name
        boto3.client("lambda", region_name=region).add_permission(
            **drop_none(
                {
                    "FunctionName": inputs["function"],
                    "StatementId": statement_id,
                    "Action": inputs["action"],
                    "Principal": inputs["principal"],
                    "SourceArn": inputs.get("sourceArn"),
                    "SourceAccount": inputs.get("sourceAccount"),
                }
            )
        )
        return statement_id, {"statementId": statement_id}

    # S3
    def _bucket(self, name: str, region: str, inputs: State) -> tuple[str, State]:
        bucket = inputs["bucket"]
        s3 = boto3.client("s3", region_name=region)
        if region == "us-east-1":
            s3.create_bucket(Bucket=bucket)
        else:
            s3.create_bucket(
                Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": region}
            )
        return bucket, {
            "arn": f"arn:aws:s3:::{bucket}",
            "bucketRegionalDomainName": f"{bucket}.s3.{region}.amazonaws.com",
            "region": region,
        }

    def _public_access_block(self, name: str, region: str, inputs: State) -> tuple[str, State]:
        boto3.client("s3", region_name=region).put_public_access_block(
            Bucket=inputs["bucket"],
            PublicAccessBlockConfiguration={
                "BlockPublicAcls": inputs["blockPublicAcls"],
                "BlockPublicPolicy": inputs["blockPublicPolicy"],
                "IgnorePublicAcls": inputs["ignorePublicAcls"],
                "RestrictPublicBuckets": inputs["restrictPublicBuckets"],
            },
        )
        return inputs["bucket"], {}

    def _encryption(self, name: str, region: str, inputs: State) -> tuple[str, State]:
        rules = [
            {
                "ApplyServerSideEncryptionByDefault": {
                    "SSEAlgorithm": rule["applyServerSideEncryptionByDefault"]["sseAlgorithm"]
                },
                "BucketKeyEnabled": bool(rule.get("bucketKeyEnabled")),
            }
            for rule in inputs["rules"]
        ]
        boto3.client("s3", region_name=region).put_bucket_encryption(
            Bucket=inputs["bucket"], ServerSideEncryptionConfiguration={"Rules": rules}
        )
        return inputs["bucket"], {}

    def _versioning(self, name: str, region: str, inputs: State) -> tuple[str, State]:
        boto3.client("s3", region_name=region).put_bucket_versioning(
            Bucket=inputs["bucket"],
            VersioningConfiguration={"Status": inputs["versioningConfiguration"]["status"]},
        )
        return inputs["bucket"], {}

    def _notification(self, name: str, region: str, inputs: State) -> tuple[str, State]:
        configurations = []
        for entry in inputs.get("lambdaFunctions", []):
            rules = [
                {"Name": rule, "Value": entry[key]}
                for rule, key in (("prefix", "filterPrefix"), ("suffix", "filterSuffix"))
                if entry.get(key)
            ]
            configuration: dict[str, Any] = {
                "LambdaFunctionArn": entry["lambdaFunctionArn"],
                "Events": entry["events"],
            }
            if rules:
                configuration["Filter"] = {"Key": {"FilterRules": rules}}
            configurations.append(configuration)
        boto3.client("s3", region_name=region).put_bucket_notification_configuration(
            Bucket=inputs["bucket"],
            NotificationConfiguration={"LambdaFunctionConfigurations": configurations},
        )
        return inputs["bucket"], {}

    def _bucket_policy(self, name: str, region: str, inputs: State) -> tuple[str, State]:
        boto3.client("s3", region_name=region).put_bucket_policy(
            Bucket=inputs["bucket"], Policy=inputs["policy"]
        )
        return inputs["bucket"], {}

    # API Gateway v2
    def _http_api(self, name: str, region: str, inputs: State) -> tuple[str, State]:
        cors = inputs.get("corsConfiguration")
        request: dict[str, Any] = {"Name": inputs["name"], "ProtocolType": inputs["protocolType"]}
        if cors:
            request["CorsConfiguration"] = {
                "AllowOrigins": cors.get("allowOrigins", []),
                "AllowMethods": cors.get("allowMethods", []),
                "AllowHeaders": cors.get("allowHeaders", []),
            }
        api = boto3.client("apigatewayv2", region_name=region).create_api(**request)
        return api["ApiId"], {
            "apiEndpoint": api["ApiEndpoint"],
            "executionArn": f"arn:aws:execute-api:{region}:{self.account}:{api['ApiId']}",
        }

    def _http_integration(self, name: str, region: str, inputs: State) -> tuple[str, State]:
        integration = boto3.client("apigatewayv2", region_name=region).create_integration(
            ApiId=inputs["apiId"],
            IntegrationType=inputs["integrationType"],
            IntegrationMethod=inputs.get("integrationMethod", "POST"),
            IntegrationUri=inputs["integrationUri"],
            PayloadFormatVersion=inputs["payloadFormatVersion"],
        )
        return integration["IntegrationId"], {}

    def _http_route(self, name: str, region: str, inputs: State) -> tuple[str, State]:
        route = boto3.client("apigatewayv2", region_name=region).create_route(
            ApiId=inputs["apiId"], RouteKey=inputs["routeKey"], Target=inputs["target"]
        )
        return route["RouteId"], {}

    def _http_stage(self, name: str, region: str, inputs: State) -> tuple[str, State]:
        boto3.client("apigatewayv2", region_name=region).create_stage(
            ApiId=inputs["apiId"], StageName=inputs["name"], AutoDeploy=bool(inputs["autoDeploy"])
        )
        return inputs["name"], {}

    # API Gateway REST
    def _rest_api(self, name: str, region: str, inputs: State) -> tuple[str, State]:
        client = boto3.client("apigateway", region_name=region)
        api = client.create_rest_api(
            name=inputs["name"],
            endpointConfiguration={"types": [inputs["endpointConfiguration"]["types"]]},
        )
        root = next(
            r["id"] for r in client.get_resources(restApiId=api["id"])["items"] if r["path"] == "/"
        )
        return api["id"], {
            "rootResourceId": root,
            "executionArn": f"arn:aws:execute-api:{region}:{self.account}:{api['id']}",
        }

    def _rest_resource(self, name: str, region: str, inputs: State) -> tuple[str, State]:
        resource = boto3.client("apigateway", region_name=region).create_resource(
            restApiId=inputs["restApi"], parentId=inputs["parentId"], pathPart=inputs["pathPart"]
        )
        return resource["id"], {"path": resource["path"]}

    def _rest_method(self, name: str, region: str, inputs: State) -> tuple[str, State]:
        boto3.client("apigateway", region_name=region).put_method(
            restApiId=inputs["restApi"],
            resourceId=inputs["resourceId"],
            httpMethod=inputs["httpMethod"],
            authorizationType=inputs["authorization"],
        )
        return f"{inputs['resourceId']}-{inputs['httpMethod']}", {}

    def _rest_integration(self, name: str, region: str, inputs: State) -> tuple[str, State]:
        boto3.client("apigateway", region_name=region).put_integration(
            **drop_none(
                {
                    "restApiId": inputs["restApi"],
                    "resourceId": inputs["resourceId"],
                    "httpMethod": inputs["httpMethod"],
                    "type": inputs["type"],
                    "integrationHttpMethod": inputs.get("integrationHttpMethod"),
                    "uri": inputs.get("uri"),
                    "requestTemplates": inputs.get("requestTemplates"),
                }
            )
        )
        return f"{inputs['resourceId']}-{inputs['httpMethod']}-integration", {}

    def _rest_method_response(self, name: str, region: str, inputs: State) -> tuple[str, State]:
        boto3.client("apigateway", region_name=region).put_method_response(
            restApiId=inputs["restApi"],
            resourceId=inputs["resourceId"],
            httpMethod=inputs["httpMethod"],
            statusCode=inputs["statusCode"],
            responseParameters=inputs.get("responseParameters", {}),
        )
        return f"{inputs['resourceId']}-{inputs['httpMethod']}-{inputs['statusCode']}", {}

    def _rest_integration_response(
        self, name: str, region: str, inputs: State
    ) -> tuple[str, State]:
        boto3.client("apigateway", region_name=region).put_integration_response(
            restApiId=inputs["restApi"],
            resourceId=inputs["resourceId"],
            httpMethod=inputs["httpMethod"],
            statusCode=inputs["statusCode"],
            responseParameters=inputs.get("responseParameters", {}),
        )
        return f"{inputs['resourceId']}-{inputs['httpMethod']}-{inputs['statusCode']}-ir", {}

    def _rest_deployment(self, name: str, region: str, inputs: State) -> tuple[str, State]:
        deployment = boto3.client("apigateway", region_name=region).create_deployment(
            restApiId=inputs["restApi"], description=json.dumps(inputs.get("triggers", {}))
        )
        return deployment["id"], {}

    def _rest_stage_moto(self, name: str, region: str, inputs: State) -> tuple[str, State]:
        stage = inputs["stageName"]
        boto3.client("apigateway", region_name=region).create_stage(
            restApiId=inputs["restApi"], stageName=stage, deploymentId=inputs["deployment"]
        )
        return f"ags-{inputs['restApi']}-{stage}", {
            "invokeUrl": f"https://{inputs['restApi']}.execute-api.{region}.amazonaws.com/{stage}"
        }

    # CloudFront
    def _origin_access(self, name: str, region: str, inputs: State) -> tuple[str, State]:
        control = boto3.client("cloudfront").create_origin_access_control(
            OriginAccessControlConfig={
                "Name": inputs["name"],
                "Description": inputs.get("description", ""),
                "SigningProtocol": inputs["signingProtocol"],
                "SigningBehavior": inputs["signingBehavior"],
                "OriginAccessControlOriginType": inputs["originAccessControlOriginType"],
            }
        )["OriginAccessControl"]
        return control["Id"], {}

    def _distribution_moto(self, name: str, region: str, inputs: State) -> tuple[str, State]:
        distribution = boto3.client("cloudfront").create_distribution(
            DistributionConfig=distribution_config(name, inputs)
        )["Distribution"]
        return distribution["Id"], {
            "arn": distribution["ARN"],
            "domainName": distribution["DomainName"],
        }


def _behaviour(behaviour: State) -> dict[str, Any]:
    associations = behaviour.get("lambdaFunctionAssociations") or []
    methods = behaviour["allowedMethods"]
    cached = behaviour["cachedMethods"]
    return {
        "TargetOriginId": behaviour["targetOriginId"],
        "ViewerProtocolPolicy": behaviour["viewerProtocolPolicy"],
        "CachePolicyId": behaviour.get("cachePolicyId", ""),
        "AllowedMethods": {
            "Quantity": len(methods),
            "Items": methods,
            "CachedMethods": {"Quantity": len(cached), "Items": cached},
        },
        "LambdaFunctionAssociations": {
            "Quantity": len(associations),
            "Items": [
                {
                    "LambdaFunctionARN": a["lambdaArn"],
                    "EventType": a["eventType"],
                    "IncludeBody": bool(a.get("includeBody")),
                }
                for a in associations
            ],
        },
    }


def distribution_config(name: str, inputs: State) -> dict[str, Any]:
    origins = []
    for origin in inputs["origins"]:
        item: dict[str, Any] = {"Id": origin["originId"], "DomainName": origin["domainName"]}
        if origin.get("originAccessControlId"):
            item["OriginAccessControlId"] = origin["originAccessControlId"]
            item["S3OriginConfig"] = {"OriginAccessIdentity": ""}
        if origin.get("customOriginConfig"):
            custom = origin["customOriginConfig"]
            item["CustomOriginConfig"] = {
                "HTTPPort": int(custom["httpPort"]),
                "HTTPSPort": int(custom["httpsPort"]),
                "OriginProtocolPolicy": custom["originProtocolPolicy"],
            }
        origins.append(item)
    ordered = [
        {"PathPattern": b["pathPattern"], **_behaviour(b)}
        for b in inputs.get("orderedCacheBehaviors") or []
    ]
    return {
        "CallerReference": name,
        "Origins": {"Quantity": len(origins), "Items": origins},
        "DefaultCacheBehavior": _behaviour(inputs["defaultCacheBehavior"]),
        "CacheBehaviors": {"Quantity": len(ordered), "Items": ordered},
        "Comment": inputs.get("comment") or "",
        "Enabled": bool(inputs["enabled"]),
        "PriceClass": inputs.get("priceClass", "PriceClass_All"),
        "DefaultRootObject": inputs.get("defaultRootObject") or "",
    }
