"""API Gateway's route selection and response mapping, without a server."""

from __future__ import annotations

import base64
import json
from pathlib import Path

from tests.stacks_factories import make_function
from wasmdeploy.local.apigw.responses import map_response
from wasmdeploy.local.apigw.router import NoRoute, Preflight, RouteMatch, Router
from wasmdeploy.local.invocation import Invocation
from wasmdeploy.local.report_lines import InvocationFigures
from wasmdeploy.local.runtime_session import InvocationOutcome
from wasmdeploy.manifest.model import Function, HttpRoute, Service


def function(name: str, *routes: HttpRoute) -> Function:
    return make_function(Path("/"), name, routes=routes)


def service(*functions: Function) -> Service:
    return Service(
        name="s", stage="dev", region="us-east-1", manifest_path=Path("/w.yml"), functions=functions
    )


def route(path: str, method: str = "GET", kind: str = "httpApi", cors: bool = False) -> HttpRoute:
    return HttpRoute(kind=kind, method=method, path=path, cors=cors)  # type: ignore[arg-type]


def matched(router: Router, method: str, path: str) -> str:
    result = router.match(method, path)
    assert isinstance(result, RouteMatch), result
    return result.function.name


ROUTER = Router(
    service(
        function("literal", route("/users/me")),
        function("param", route("/users/{id}")),
        function("greedy", route("/users/{proxy+}", "ANY")),
        function("post_param", route("/users/{id}", "POST")),
        function("fallback", route("$default")),
    )
)


def test_literal_segment_beats_a_parameter() -> None:
    assert matched(ROUTER, "GET", "/users/me") == "literal"


def test_parameter_beats_a_greedy_parameter() -> None:
    assert matched(ROUTER, "GET", "/users/7") == "param"


def test_method_specific_route_beats_any() -> None:
    assert matched(ROUTER, "POST", "/users/7") == "post_param"
    assert matched(ROUTER, "DELETE", "/users/7") == "greedy"


def test_greedy_route_takes_several_segments_but_not_none() -> None:
    result = ROUTER.match("GET", "/users/7/photos/1")
    assert isinstance(result, RouteMatch) and result.path_parameters == {"proxy": "7/photos/1"}
    assert matched(ROUTER, "GET", "/users") == "fallback"


def test_default_route_catches_everything_else() -> None:
    assert matched(ROUTER, "PUT", "/elsewhere") == "fallback"


def test_no_route_on_an_http_api_is_404_and_on_a_rest_api_403() -> None:
    http_api = Router(service(function("f", route("/a"))))
    rest_api = Router(service(function("f", route("/a", kind="http"))))
    assert http_api.match("GET", "/b") == NoRoute(404, "Not Found")
    assert rest_api.match("GET", "/b") == NoRoute(403, "Missing Authentication Token")
    assert rest_api.match("POST", "/a") == NoRoute(403, "Missing Authentication Token")


def test_cors_route_gets_a_preflight_answer() -> None:
    router = Router(service(function("f", route("/a", "POST", "http", cors=True))))
    assert router.match("OPTIONS", "/a") == Preflight(("POST",))


def outcome(payload: bytes, *, error: bool = False) -> InvocationOutcome:
    invocation = Invocation(payload=b"{}", timeout=3, function_arn="arn")
    if error:
        invocation.fail(payload, "WasmTrap")
    else:
        invocation.succeed(payload)
    return InvocationOutcome(invocation, InvocationFigures(invocation.request_id, 1.0, 128, 10))


def test_v2_structured_response_sets_status_headers_cookies_and_body() -> None:
    payload = {
        "statusCode": 201,
        "headers": {"X-A": "1", "Content-Type": "text/plain"},
        "cookies": ["s=1"],
        "body": "made",
    }
    response = map_response(outcome(json.dumps(payload).encode()), "2.0")
    assert response.status == 201 and response.body == b"made"
    assert ("X-A", "1") in response.headers and ("Set-Cookie", "s=1") in response.headers


def test_v2_plain_json_is_a_200_application_json_body() -> None:
    response = map_response(outcome(b'["a", 1]'), "2.0")
    assert response.status == 200 and response.body == b'["a", 1]'
    assert ("Content-Type", "application/json") in response.headers


def test_v2_answer_that_is_not_json_is_500() -> None:
    assert map_response(outcome(b"plain text"), "2.0").status == 500


def test_v1_needs_a_status_code_else_502() -> None:
    assert map_response(outcome(b'{"hello": 1}'), "1.0").status == 502


def test_v1_merges_multi_value_headers() -> None:
    payload = {
        "statusCode": 200,
        "headers": {"X-One": "a"},
        "multiValueHeaders": {"X-Many": ["b", "c"], "X-One": ["ignored"]},
        "body": base64.b64encode(b"\x00\x01").decode(),
        "isBase64Encoded": True,
    }
    response = map_response(outcome(json.dumps(payload).encode()), "1.0")
    assert response.body == b"\x00\x01"
    assert [v for k, v in response.headers if k == "X-Many"] == ["b", "c"]
    assert [v for k, v in response.headers if k == "X-One"] == ["a"]


def test_function_error_is_500_on_http_apis_and_502_on_rest_apis() -> None:
    failed = outcome(b'{"errorType": "WasmTrap"}', error=True)
    assert map_response(failed, "2.0").status == 500
    assert map_response(failed, "1.0").status == 502
