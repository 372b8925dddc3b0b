"""The Pulumi program, run under mocks that create every resource in moto.

Each assertion reads the resource back from moto, so it checks the wiring AWS
would see (ARNs, principals, filters, route keys), not only what was asked for.
Where moto drops a field (CloudFront's Lambda associations), the registered
inputs are checked instead.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws
from stacks_factories import flagship_service, make_artifacts
from stacks_moto_mocks import MotoMocks

from wasmdeploy.manifest.model import Service
from wasmdeploy.stacks.mocked_run import MockedRun, run_mocked

REGION = "eu-west-1"


@dataclass
class Deployed:
    service: Service
    run: MockedRun
    mocks: MotoMocks

    def client(self, name: str, region: str = REGION) -> Any:
        return boto3.client(name, region_name=region)

    def function(self, name: str, region: str = REGION) -> dict[str, Any]:
        deployed = self.service.function(name).deployed_name
        return self.client("lambda", region).get_function(FunctionName=deployed)


@pytest.fixture(scope="module")
def deployed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployed]:
    root = tmp_path_factory.mktemp("service")
    service = flagship_service(root, region=REGION)
    artifacts = make_artifacts(service, root / "out")
    with pytest.MonkeyPatch.context() as patch:
        for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
            patch.setenv(key, "testing")
        patch.setenv("AWS_DEFAULT_REGION", "us-east-1")
        with mock_aws():
            mocks = MotoMocks(service.region)
            yield Deployed(service, run_mocked(service, artifacts, mocks), mocks)


def policy_statements(document: Any) -> list[dict[str, Any]]:
    if isinstance(document, str):
        document = json.loads(document)
    return list(document["Statement"])


def test_bucket_notification_targets_the_function_arn_with_filters(deployed: Deployed) -> None:
    configuration = deployed.client("s3").get_bucket_notification_configuration(
        Bucket="image-processing-bucket"
    )
    [entry] = configuration["LambdaFunctionConfigurations"]
    assert (
        entry["LambdaFunctionArn"]
        == deployed.function("processImage")["Configuration"]["FunctionArn"]
    )
    assert entry["Events"] == ["s3:ObjectCreated:*"]
    rules = {rule["Name"]: rule["Value"] for rule in entry["Filter"]["Key"]["FilterRules"]}
    assert rules == {"prefix": "uploads/", "suffix": ".jpg"}


def test_s3_permission_is_scoped_to_the_bucket_and_account(deployed: Deployed) -> None:
    policy = deployed.client("lambda").get_policy(FunctionName="images-dev-processImage")
    [statement] = policy_statements(policy["Policy"])
    assert statement["Principal"] == {"Service": "s3.amazonaws.com"}
    assert statement["Action"] == "lambda:InvokeFunction"
    source_arn = statement["Condition"]["ArnLike"]["AWS:SourceArn"]
    assert source_arn == "arn:aws:s3:::image-processing-bucket"
    assert statement["Condition"]["StringEquals"]["AWS:SourceAccount"] == "123456789012"


def test_permission_is_created_before_the_notification(deployed: Deployed) -> None:
    order = [resource_type for resource_type, _ in deployed.mocks.created]
    permission = order.index("aws:lambda/permission:Permission")
    notification = order.index("aws:s3/bucketNotification:BucketNotification")
    assert permission < notification


def test_created_buckets_block_public_access_encrypt_and_version(deployed: Deployed) -> None:
    s3 = deployed.client("s3")
    for bucket in ("image-processing-bucket", "site-assets"):
        block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
        assert all(block.values())
        rules = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]
        assert rules["Rules"][0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
        assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
        assert s3.get_bucket_location(Bucket=bucket)["LocationConstraint"] == REGION


def test_created_buckets_are_retained_on_destroy(deployed: Deployed) -> None:
    bucket = deployed.run.named("bucket-image-processing-bucket-bucket")
    assert bucket.retain_on_delete
    assert bucket.inputs["forceDestroy"] is False


def test_provided_al2_manifest_deploys_provided_al2023(deployed: Deployed) -> None:
    assert deployed.service.function("processImage").requested_runtime == "provided.al2"
    configuration = deployed.function("processImage")["Configuration"]
    assert configuration["Runtime"] == "provided.al2023"
    assert configuration["Handler"] == "processImage.wasm"


def test_layers_are_attached_per_architecture_and_kind(deployed: Deployed) -> None:
    client = deployed.client("lambda")
    published = {
        layer["LayerName"]: layer["LatestMatchingVersion"]["LayerVersionArn"]
        for layer in client.list_layers()["Layers"]
    }
    assert set(published) == {
        "images-dev-wasmtime-provided-x86_64",
        "images-dev-wasmtime-provided-arm64",
        "images-dev-wasmtime-python-x86_64",
    }
    expected = {
        "processImage": "images-dev-wasmtime-provided-x86_64",
        "hello": "images-dev-wasmtime-provided-arm64",
        "legacy": "images-dev-wasmtime-python-x86_64",
    }
    for function, layer in expected.items():
        configuration = deployed.function(function)["Configuration"]
        assert [item["Arn"] for item in configuration["Layers"]] == [published[layer]]
    assert deployed.function("hello")["Configuration"]["Architectures"] == ["arm64"]


def test_managed_python_function_uses_the_runtime_handler(deployed: Deployed) -> None:
    configuration = deployed.function("legacy")["Configuration"]
    assert configuration["Runtime"] == "python3.12"
    assert configuration["Handler"] == "wasmdeploy_runtime.managed.handler"


def test_function_settings_reach_lambda(deployed: Deployed) -> None:
    configuration = deployed.function("processImage")["Configuration"]
    assert configuration["MemorySize"] == 256
    assert configuration["Timeout"] == 10
    assert configuration["Environment"]["Variables"] == {"MODE": "gray"}
    groups = deployed.client("logs").describe_log_groups(
        logGroupNamePrefix="/aws/lambda/images-dev-processImage"
    )["logGroups"]
    assert [group["retentionInDays"] for group in groups] == [14]


def test_role_policy_grants_only_the_functions_objects_and_logs(deployed: Deployed) -> None:
    role_name = deployed.function("processImage")["Configuration"]["Role"].split("/")[-1]
    iam = deployed.client("iam")
    [policy_name] = iam.list_role_policies(RoleName=role_name)["PolicyNames"]
    document = iam.get_role_policy(RoleName=role_name, PolicyName=policy_name)["PolicyDocument"]
    by_sid = {statement["Sid"]: statement for statement in policy_statements(document)}
    assert by_sid["ReadTriggerObjects"]["Resource"] == [
        "arn:aws:s3:::image-processing-bucket/uploads/*"
    ]
    assert by_sid["WriteOutputObjects"]["Resource"] == (
        "arn:aws:s3:::image-processing-bucket/processed/*"
    )
    assert by_sid["WriteOwnLogs"]["Resource"] == [
        "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/images-dev-processImage:*"
    ]


def test_http_api_has_a_route_per_method_and_path_with_payload_2(deployed: Deployed) -> None:
    client = deployed.client("apigatewayv2")
    [api] = client.get_apis()["Items"]
    routes = client.get_routes(ApiId=api["ApiId"])["Items"]
    assert sorted(route["RouteKey"] for route in routes) == ["GET /hello/{name}", "POST /hello"]
    [integration] = client.get_integrations(ApiId=api["ApiId"])["Items"]
    assert integration["IntegrationType"] == "AWS_PROXY"
    assert integration["PayloadFormatVersion"] == "2.0"
    hello_arn = deployed.function("hello")["Configuration"]["FunctionArn"]
    assert hello_arn in integration["IntegrationUri"]
    assert {route["Target"] for route in routes} == {f"integrations/{integration['IntegrationId']}"}
    [stage] = client.get_stages(ApiId=api["ApiId"])["Items"]
    assert stage["StageName"] == "$default"
    assert stage["AutoDeploy"] is True


def test_api_permission_names_apigateway_and_the_api(deployed: Deployed) -> None:
    [api] = deployed.client("apigatewayv2").get_apis()["Items"]
    policy = deployed.client("lambda").get_policy(FunctionName="images-dev-hello")
    [statement] = policy_statements(policy["Policy"])
    assert statement["Principal"] == {"Service": "apigateway.amazonaws.com"}
    assert statement["Condition"]["ArnLike"]["AWS:SourceArn"] == (
        f"arn:aws:execute-api:{REGION}:123456789012:{api['ApiId']}/*/*"
    )


def test_rest_api_has_resources_methods_and_a_stage(deployed: Deployed) -> None:
    client = deployed.client("apigateway")
    [api] = client.get_rest_apis()["items"]
    resources = {r["path"]: r for r in client.get_resources(restApiId=api["id"])["items"]}
    assert set(resources) == {"/", "/v1", "/v1/items", "/v1/items/{id}"}
    item = resources["/v1/items/{id}"]
    integration = client.get_integration(
        restApiId=api["id"], resourceId=item["id"], httpMethod="GET"
    )
    assert integration["type"] == "AWS_PROXY"
    assert deployed.function("legacy")["Configuration"]["FunctionArn"] in integration["uri"]
    preflight = client.get_integration(
        restApiId=api["id"], resourceId=item["id"], httpMethod="OPTIONS"
    )
    assert preflight["type"] == "MOCK"
    stage = client.get_stage(restApiId=api["id"], stageName="dev")
    assert stage["deploymentId"]


def test_rest_deployment_triggers_hash_the_api_definition(deployed: Deployed) -> None:
    deployment = deployed.run.named("rest-api-deployment")
    assert len(deployment.inputs["triggers"]["redeployment"]) == 64


def test_edge_function_is_published_in_us_east_1_with_an_edge_trusted_role(
    deployed: Deployed,
) -> None:
    configuration = deployed.function("rewrite", "us-east-1")["Configuration"]
    assert configuration["Runtime"] == "python3.13"
    assert configuration["Architectures"] == ["x86_64"]
    assert "Layers" not in configuration or not configuration["Layers"]
    assert "Environment" not in configuration or not configuration["Environment"].get("Variables")
    role = deployed.client("iam").get_role(RoleName=configuration["Role"].split("/")[-1])["Role"]
    [statement] = policy_statements(role["AssumeRolePolicyDocument"])
    assert sorted(statement["Principal"]["Service"]) == [
        "edgelambda.amazonaws.com",
        "lambda.amazonaws.com",
    ]
    assert deployed.run.named("rewrite-function").retain_on_delete
    assert deployed.run.provider_region(deployed.run.named("rewrite-function")) == "us-east-1"


def test_distribution_associates_the_edge_functions_qualified_arn(deployed: Deployed) -> None:
    cloudfront = deployed.client("cloudfront")
    [summary] = cloudfront.list_distributions()["DistributionList"]["Items"]
    config = cloudfront.get_distribution(Id=summary["Id"])["Distribution"]["DistributionConfig"]
    [origin] = config["Origins"]["Items"]
    assert origin["DomainName"] == f"site-assets.s3.{REGION}.amazonaws.com"
    # moto drops lambda associations: check what the program registered.
    registered = deployed.run.named("cdn-distribution").inputs["defaultCacheBehavior"]
    [association] = registered["lambdaFunctionAssociations"]
    version_arn = deployed.function("rewrite", "us-east-1")["Configuration"]["FunctionArn"]
    assert association["eventType"] == "origin-request"
    assert association["lambdaArn"].startswith(version_arn)
    assert association["lambdaArn"].rsplit(":", 1)[1].isdigit()


def test_origin_bucket_policy_lets_only_the_distribution_read(deployed: Deployed) -> None:
    [summary] = deployed.client("cloudfront").list_distributions()["DistributionList"]["Items"]
    policy = deployed.client("s3").get_bucket_policy(Bucket="site-assets")["Policy"]
    [statement] = policy_statements(policy)
    assert statement["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert statement["Condition"]["StringEquals"]["AWS:SourceArn"] == summary["ARN"]
    assert statement["Resource"] == "arn:aws:s3:::site-assets/*"


def test_stack_outputs_carry_moto_names_and_urls(deployed: Deployed) -> None:
    outputs = deployed.run.outputs
    assert (
        outputs["functions"]["processImage"]["arn"]
        == (deployed.function("processImage")["Configuration"]["FunctionArn"])
    )
    [api] = deployed.client("apigatewayv2").get_apis()["Items"]
    assert outputs["httpApiUrl"] == api["ApiEndpoint"]
    [summary] = deployed.client("cloudfront").list_distributions()["DistributionList"]["Items"]
    assert outputs["cdnDomain"] == summary["DomainName"]
    assert outputs["buckets"] == ["image-processing-bucket", "site-assets"]


def test_existing_bucket_is_not_created_but_still_triggers(tmp_path: Path) -> None:
    from dataclasses import replace

    from stacks_factories import make_function, make_service

    from wasmdeploy.manifest.model import S3Trigger

    function = make_function(
        tmp_path, "onUpload", s3_triggers=(S3Trigger("shared-bucket", existing=True),)
    )
    service = make_service(tmp_path, [function], region="us-east-1")
    artifacts = make_artifacts(service, tmp_path / "out")
    with mock_aws():
        boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="shared-bucket")
        run = run_mocked(service, artifacts, MotoMocks(service.region))
        configuration = boto3.client("s3").get_bucket_notification_configuration(
            Bucket="shared-bucket"
        )
    assert not run.of_type("aws:s3/bucket:Bucket")
    [entry] = configuration["LambdaFunctionConfigurations"]
    assert entry["LambdaFunctionArn"].endswith(":function:images-dev-onUpload")
    assert "Filter" not in entry
    assert replace(service, retain_buckets=False).buckets_to_create == ()
