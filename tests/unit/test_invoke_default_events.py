"""The event `invoke` sends when none is given: the one the function's trigger would send."""

from __future__ import annotations

from pathlib import Path

from tests.stacks_factories import make_function
from wasmdeploy.local.default_events import default_event, s3_event_for
from wasmdeploy.manifest.model import EdgeTrigger, Function, HttpRoute, S3Trigger, Service


def function(**extra: object) -> Function:
    return make_function(Path("/"), "f", service="s", **extra)


def service(fn: Function) -> Service:
    return Service(
        name="s", stage="dev", region="eu-west-1", manifest_path=Path("/w.yml"), functions=(fn,)
    )


def test_s3_function_gets_a_put_under_its_prefix_and_suffix() -> None:
    fn = function(s3_triggers=(S3Trigger(bucket="imgs", prefix="in/", suffix=".png"),))
    record = default_event(service(fn), fn)["Records"][0]
    assert record["eventName"] == "ObjectCreated:Put" and record["awsRegion"] == "eu-west-1"
    assert record["s3"]["bucket"]["name"] == "imgs"
    assert record["s3"]["object"]["key"] == "in/example.png"


def test_removed_only_trigger_gets_a_delete_event() -> None:
    trigger = S3Trigger(bucket="b", events=("s3:ObjectRemoved:*",))
    record = s3_event_for(trigger, "us-east-1", key="k")["Records"][0]
    assert record["eventName"] == "ObjectRemoved:Delete"


def test_http_api_function_gets_a_payload_2_0_request_for_its_route() -> None:
    fn = function(routes=(HttpRoute(kind="httpApi", method="ANY", path="/users/{id}"),))
    event = default_event(service(fn), fn)
    assert event["version"] == "2.0" and event["routeKey"] == "ANY /users/{id}"
    assert event["rawPath"] == "/users/example" and event["pathParameters"] == {"id": "example"}
    assert event["requestContext"]["http"]["method"] == "GET"


def test_rest_function_gets_a_payload_1_0_request() -> None:
    fn = function(routes=(HttpRoute(kind="http", method="POST", path="/orders"),))
    event = default_event(service(fn), fn)
    assert event["httpMethod"] == "POST" and event["resource"] == "/orders"


def test_edge_function_gets_its_cloudfront_event() -> None:
    fn = function(edge=EdgeTrigger(event_type="origin-response"))
    event = default_event(service(fn), fn)
    assert event["Records"][0]["cf"]["config"]["eventType"] == "origin-response"


def test_function_without_triggers_gets_an_empty_object() -> None:
    fn = function()
    assert default_event(service(fn), fn) == {}
