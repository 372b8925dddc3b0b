"""`plan_service`: the program under plan mocks, reported as the engine would see it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from stacks_factories import flagship_service, make_artifacts, make_function, make_service

from wasmdeploy.build.package import PackageResult
from wasmdeploy.build.zips import Artifact
from wasmdeploy.errors import UserError
from wasmdeploy.manifest.model import (
    Cdn,
    EdgeTrigger,
    EventResources,
    HttpRoute,
    Queue,
    SqsTrigger,
)
from wasmdeploy.manifest.model import EventSources as Triggers
from wasmdeploy.manifest.model_aws import FunctionAws, Vpc
from wasmdeploy.stacks.plan import Plan, key_inputs, plan_service


@pytest.fixture(scope="module")
def plan(tmp_path_factory: pytest.TempPathFactory) -> Plan:
    root = tmp_path_factory.mktemp("service")
    service = flagship_service(root)
    return plan_service(service, make_artifacts(service, root / "out"))


def entry(plan: Plan, name: str) -> dict:
    [found] = [e for e in plan.entries if e["name"] == name]
    return found


def test_entries_have_exactly_the_published_keys_and_are_json(plan: Plan) -> None:
    assert all(set(e) == {"type", "name", "parent", "provider", "inputs"} for e in plan.entries)
    assert json.loads(json.dumps(plan.entries)) == plan.entries


def test_inputs_use_pulumis_camel_case_names(plan: Plan) -> None:
    function = entry(plan, "processImage-function")["inputs"]
    assert function["memorySize"] == 256
    assert function["sourceCodeHash"]
    assert function["loggingConfig"] == {
        "logFormat": "Text",
        "logGroup": function["loggingConfig"]["logGroup"],
    }
    assert "memory_size" not in function


def test_children_name_their_component_and_region(plan: Plan) -> None:
    function = entry(plan, "processImage-function")
    assert function["type"] == "aws:lambda/function:Function"
    assert function["parent"] == "processImage"
    assert function["provider"] == "eu-west-1"
    component = entry(plan, "processImage")
    assert component["type"] == "wasmdeploy:aws:WasmFunction"
    assert component["parent"] is None and component["provider"] is None


def test_edge_resources_use_the_us_east_1_provider(plan: Plan) -> None:
    assert entry(plan, "rewrite-function")["provider"] == "us-east-1"
    assert entry(plan, "cdn-distribution")["provider"] == "us-east-1"
    assert entry(plan, "cdn-origin-policy")["provider"] == "eu-west-1"  # the bucket's region
    assert entry(plan, "aws-us-east-1")["inputs"]["region"] == "us-east-1"


def test_edge_function_is_published_and_retained(plan: Plan) -> None:
    inputs = entry(plan, "rewrite-function")["inputs"]
    assert inputs["publish"] is True
    assert inputs["runtime"] == "python3.13"
    assert "layers" not in inputs and "environment" not in inputs
    assert "rewrite-function" in plan.retained


def test_component_type_tokens_are_wasmdeploys(plan: Plan) -> None:
    components = {e["type"] for e in plan.entries if not e["type"].startswith(("aws:", "pulumi:"))}
    assert components == {
        "wasmdeploy:aws:RuntimeLayer",
        "wasmdeploy:aws:WasmFunction",
        "wasmdeploy:aws:Bucket",
        "wasmdeploy:aws:BucketTriggers",
        "wasmdeploy:aws:HttpApi",
        "wasmdeploy:aws:RestApi",
        "wasmdeploy:aws:EdgeDistribution",
    }


def test_children_follow_their_parent_in_the_listing(plan: Plan) -> None:
    names = [e["name"] for e in plan.entries]
    assert names[:2] == ["aws-eu-west-1", "aws-us-east-1"]
    component = names.index("processImage")
    assert set(names[component + 1 : component + 5]) == {
        "processImage-function",
        "processImage-logs",
        "processImage-policy",
        "processImage-role",
    }


def test_key_inputs_summarise_the_wiring(plan: Plan) -> None:
    assert key_inputs(entry(plan, "processImage-function")).startswith("provided.al2023, x86_64")
    notification = key_inputs(entry(plan, "triggers-image-processing-bucket-notification"))
    assert "prefix=uploads/ suffix=.jpg" in notification
    assert notification.endswith("function:images-dev-processImage")
    assert key_inputs(entry(plan, "rewrite-role")) == (
        "trusts lambda.amazonaws.com, edgelambda.amazonaws.com"
    )
    assert key_inputs(entry(plan, "http-api-get-hello-name")) == "GET /hello/{name}"
    assert "origin-request -> arn:aws:lambda:us-east-1" in key_inputs(
        entry(plan, "cdn-distribution")
    )


def test_plan_outputs_are_the_stack_outputs(plan: Plan) -> None:
    assert plan.outputs["functions"]["hello"]["name"] == "images-dev-hello"
    assert plan.outputs["httpApiUrl"].startswith("https://")
    assert plan.outputs["restApiUrl"].endswith("/dev")


def test_unbuilt_artifacts_still_plan_without_a_hash(tmp_path: Path) -> None:
    function = make_function(tmp_path, "f", routes=(HttpRoute("httpApi", "ANY", "$default"),))
    service = make_service(tmp_path, [function])
    artifacts = PackageResult(tmp_path)
    artifacts.functions["f"] = Artifact(tmp_path / "f.zip", None, None)
    artifacts.layers[("x86_64", "provided")] = Artifact(tmp_path / "layer.zip", None, None)
    result = plan_service(service, artifacts)
    inputs = entry(result, "f-function")["inputs"]
    assert "sourceCodeHash" not in inputs
    assert inputs["code"] == {"path": str(tmp_path / "f.zip")}
    assert entry(result, "http-api-default")["inputs"]["routeKey"] == "$default"


def test_cdn_in_front_of_the_http_api_uses_its_host(tmp_path: Path) -> None:
    api = make_function(tmp_path, "api", routes=(HttpRoute("httpApi", "GET", "/x"),))
    edge = make_function(
        tmp_path, "edge", runtime="python3.13", edge=EdgeTrigger("origin-response", "/x*", True)
    )
    service = make_service(tmp_path, [api, edge], cdn=Cdn("httpApi", ""))
    result = plan_service(service, make_artifacts(service, tmp_path / "out"))
    distribution = entry(result, "cdn-distribution")["inputs"]
    [origin] = distribution["origins"]
    assert origin["domainName"].endswith(".execute-api.eu-west-1.amazonaws.com")
    assert origin["customOriginConfig"]["originProtocolPolicy"] == "https-only"
    [ordered] = distribution["orderedCacheBehaviors"]
    assert ordered["pathPattern"] == "/x*"
    [association] = ordered["lambdaFunctionAssociations"]
    assert association == {
        "eventType": "origin-response",
        "includeBody": True,
        "lambdaArn": "arn:aws:lambda:us-east-1:123456789012:function:images-dev-edge:1",
    }
    assert (
        "lambdaFunctionAssociations" not in distribution["defaultCacheBehavior"]
        or not (distribution["defaultCacheBehavior"]["lambdaFunctionAssociations"])
    )


def test_edge_function_without_a_cdn_is_a_user_error(tmp_path: Path) -> None:
    edge = make_function(tmp_path, "edge", runtime="python3.13", edge=EdgeTrigger("origin-request"))
    service = make_service(tmp_path, [edge])
    with pytest.raises(UserError, match="cdn"):
        plan_service(service, make_artifacts(service, tmp_path / "out"))


def test_missing_package_is_a_user_error(tmp_path: Path) -> None:
    service = make_service(tmp_path, [make_function(tmp_path, "f")])
    with pytest.raises(UserError, match="No package for function"):
        plan_service(service, PackageResult(tmp_path))


def test_function_named_like_a_component_is_listed_once(tmp_path: Path) -> None:
    api = make_function(tmp_path, "cdn", routes=(HttpRoute("httpApi", "GET", "/x"),))
    edge = make_function(tmp_path, "edge", runtime="python3.13", edge=EdgeTrigger("origin-request"))
    service = make_service(tmp_path, [api, edge], cdn=Cdn("httpApi", ""))
    result = plan_service(service, make_artifacts(service, tmp_path / "out"))
    keys = [(e["type"], e["name"]) for e in result.entries]
    assert len(keys) == len(set(keys))
    assert ("wasmdeploy:aws:WasmFunction", "cdn") in keys
    assert ("wasmdeploy:aws:EdgeDistribution", "cdn") in keys
    assert entry(result, "cdn-function")["parent"] == "cdn"


def test_a_plan_in_a_china_region_gives_every_arn_its_partition(tmp_path: Path) -> None:
    network = FunctionAws(vpc=Vpc(subnet_ids=("subnet-1",), security_group_ids=("sg-1",)))
    jobs = Triggers(sqs=(SqsTrigger(queue="jobs"),))
    function = make_function(tmp_path, "worker", aws=network, events=jobs)
    queues = EventResources(queues=(Queue("jobs", visibility_timeout=60),))
    service = make_service(tmp_path, [function], region="cn-north-1", event_resources=queues)
    china = plan_service(service, make_artifacts(service, tmp_path / "out"))

    arns = [word for e in china.entries for word in json.dumps(e["inputs"]).split('"')]
    arns = [word for word in arns if word.startswith("arn:")]
    assert arns and all(arn.startswith("arn:aws-cn:") for arn in arns), arns
    mapping = entry(china, "worker-sqs-0-mapping")["inputs"]
    assert mapping["eventSourceArn"] == "arn:aws-cn:sqs:cn-north-1:123456789012:jobs"
    [attachment] = [e for e in china.entries if e["type"].endswith(":RolePolicyAttachment")]
    assert attachment["inputs"]["policyArn"] == (
        "arn:aws-cn:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"
    )
