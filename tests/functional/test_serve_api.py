"""`serve`'s local API Gateway: routing, payload 1.0 / 2.0, response mapping, limits, load."""

from __future__ import annotations

import base64
import http.client
import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from local_emulation_support import make_function, make_service, python_emulator, write_handler

from wasmdeploy.manifest.model import HttpRoute

HANDLER = """
    import base64, json

    def handler(event, context):
        v2 = event.get("version") == "2.0"
        path = event["rawPath"] if v2 else event["path"]
        if path == "/echo" or path.startswith("/rest/"):
            return {"statusCode": 200, "headers": {"content-type": "application/json"},
                    "body": json.dumps(event)}
        if path.startswith("/hello/"):
            name = event["pathParameters"]["name"]
            return {"statusCode": 200, "body": json.dumps({"name": name})}
        if path.startswith("/files/"):
            return {"statusCode": 200, "body": event["pathParameters"]["proxy"]}
        if path == "/plain":
            return {"hello": "world"}
        if path == "/fail":
            raise RuntimeError("boom")
        if path == "/big":
            return {"statusCode": 200, "body": "x" * (7 * 1024 * 1024)}
        if path == "/binary":
            return {"statusCode": 200, "headers": {"content-type": "image/png"},
                    "body": base64.b64encode(bytes(range(256))).decode(), "isBase64Encoded": True}
        if path == "/cookies":
            return {"statusCode": 201, "cookies": ["a=1; Path=/", "b=2"],
                    "headers": {"content-type": "text/plain"}, "body": "made"}
        if path == "/inject":
            return {"statusCode": 200, "headers": {"x-note": "a\\r\\nSet-Cookie: evil=1"},
                    "body": "split"}
        if path == "/unicode":
            return {"statusCode": 200, "headers": {"x-name": " café "}, "body": "ok"}
        return {"statusCode": 418, "body": "unexpected " + path}
"""


def http_api(method: str, path: str) -> HttpRoute:
    return HttpRoute(kind="httpApi", method=method, path=path)


def rest_api(method: str, path: str, cors: bool = False) -> HttpRoute:
    return HttpRoute(kind="http", method=method, path=path, cors=cors)


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("serve")
    write_handler(root, HANDLER)
    api_function = make_function(
        root,
        "api",
        routes=[
            http_api("GET", "/hello/{name}"),
            http_api("POST", "/echo"),
            http_api("ANY", "/files/{proxy+}"),
            *(
                http_api("GET", path)
                for path in (
                    "/plain",
                    "/fail",
                    "/big",
                    "/binary",
                    "/cookies",
                    "/inject",
                    "/unicode",
                )
            ),
        ],
    )
    rest_function = make_function(
        root,
        "rest",
        routes=[rest_api("POST", "/rest/echo", cors=True), rest_api("ANY", "/rest/{proxy+}")],
    )
    service = make_service(root, api_function, rest_function)
    emulator = python_emulator(service)
    emulator.start()
    assert emulator.api is not None
    yield emulator.api.url
    emulator.stop()


def request(
    url: str,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, str], bytes, list[tuple[str, str]]]:
    host, port = url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=60)
    connection.request(method, path, body=body, headers=headers or {})
    response = connection.getresponse()
    data = response.read()
    connection.close()
    return (
        response.status,
        {k.lower(): v for k, v in response.getheaders()},
        data,
        response.getheaders(),
    )


def test_path_parameters_reach_the_function(api: str) -> None:
    status, _, body, _ = request(api, "GET", "/hello/ada")
    assert status == 200 and json.loads(body) == {"name": "ada"}


def test_http_api_routes_get_payload_2_0(api: str) -> None:
    status, _, body, _ = request(
        api,
        "POST",
        "/echo?x=1&x=2&y=",
        b'{"k": 1}',
        {"Content-Type": "application/json", "Cookie": "c1=v1; c2=v2", "X-Custom": "yes"},
    )
    event: dict[str, Any] = json.loads(body)
    assert status == 200
    assert event["version"] == "2.0" and event["routeKey"] == "POST /echo"
    assert event["rawPath"] == "/echo" and event["rawQueryString"] == "x=1&x=2&y="
    assert event["queryStringParameters"] == {"x": "1,2", "y": ""}
    assert event["cookies"] == ["c1=v1", "c2=v2"]
    assert event["headers"]["x-custom"] == "yes"
    assert event["requestContext"]["http"]["method"] == "POST"
    assert event["requestContext"]["http"]["sourceIp"] == "127.0.0.1"
    assert event["body"] == '{"k": 1}' and event["isBase64Encoded"] is False


def test_binary_request_bodies_arrive_base64_encoded(api: str) -> None:
    raw = bytes(range(256))
    _, _, body, _ = request(api, "POST", "/echo", raw, {"Content-Type": "application/octet-stream"})
    event = json.loads(body)
    assert event["isBase64Encoded"] is True and base64.b64decode(event["body"]) == raw


def test_rest_routes_get_payload_1_0(api: str) -> None:
    status, _, body, _ = request(api, "GET", "/rest/a/b?q=1&q=2", None, {"X-Multi": "one"})
    event = json.loads(body)
    assert status == 200
    assert event["httpMethod"] == "GET" and event["resource"] == "/rest/{proxy+}"
    assert event["path"] == "/rest/a/b" and event["pathParameters"] == {"proxy": "a/b"}
    assert event["queryStringParameters"] == {"q": "2"}
    assert event["multiValueQueryStringParameters"] == {"q": ["1", "2"]}
    assert event["multiValueHeaders"]["X-Multi"] == ["one"]
    assert event["requestContext"]["stage"] == "dev" and event["body"] is None


def test_greedy_proxy_route_takes_the_rest_of_the_path(api: str) -> None:
    status, _, body, _ = request(api, "DELETE", "/files/deep/down/file.txt")
    assert status == 200 and body == b"deep/down/file.txt"


def test_plain_json_response_becomes_a_200_json_body_in_payload_2_0(api: str) -> None:
    status, headers, body, _ = request(api, "GET", "/plain")
    assert status == 200 and headers["content-type"] == "application/json"
    assert json.loads(body) == {"hello": "world"}


def test_base64_response_bodies_are_decoded(api: str) -> None:
    status, headers, body, _ = request(api, "GET", "/binary")
    assert status == 200 and headers["content-type"] == "image/png" and body == bytes(range(256))


def test_cookies_become_set_cookie_headers(api: str) -> None:
    status, _, body, raw_headers = request(api, "GET", "/cookies")
    assert status == 201 and body == b"made"
    assert [v for k, v in raw_headers if k.lower() == "set-cookie"] == ["a=1; Path=/", "b=2"]


def test_function_error_is_api_gateways_500(api: str) -> None:
    status, _, body, _ = request(api, "GET", "/fail")
    assert status == 500 and json.loads(body) == {"message": "Internal Server Error"}


def test_response_over_six_megabytes_is_a_502(api: str) -> None:
    status, _, _, _ = request(api, "GET", "/big")
    assert status == 502


def test_unknown_route_is_api_gateways_404(api: str) -> None:
    status, _, body, _ = request(api, "GET", "/nowhere")
    assert status == 404 and json.loads(body) == {"message": "Not Found"}


def test_wrong_method_on_a_known_path_is_404_on_an_http_api(api: str) -> None:
    status, _, _, _ = request(api, "DELETE", "/hello/ada")
    assert status == 404


def test_cors_preflight_is_answered_for_cors_routes(api: str) -> None:
    status, headers, _, _ = request(api, "OPTIONS", "/rest/echo")
    assert status == 200
    assert headers["access-control-allow-origin"] == "*"
    assert "POST" in headers["access-control-allow-methods"]


def test_request_over_ten_megabytes_is_refused_with_413(api: str) -> None:
    status, _, body, _ = request(api, "POST", "/echo", b"x" * (10 * 1024 * 1024 + 1))
    assert status == 413 and json.loads(body) == {"message": "Request Entity Too Large"}


def test_fifty_concurrent_requests_all_get_their_own_answer(api: str) -> None:
    def one(index: int) -> tuple[int, Any]:
        status, _, body, _ = request(api, "GET", f"/hello/user{index}")
        return status, json.loads(body)

    with ThreadPoolExecutor(max_workers=50) as executor:
        results = list(executor.map(one, range(50)))
    assert results == [(200, {"name": f"user{index}"}) for index in range(50)]


def test_rest_only_api_answers_403_for_unknown_paths(tmp_path: Path) -> None:
    write_handler(tmp_path, HANDLER)
    function = make_function(tmp_path, "rest", routes=[rest_api("GET", "/rest/x")])
    emulator = python_emulator(make_service(tmp_path, function))
    emulator.start()
    try:
        assert emulator.api is not None
        status, _, body, _ = request(emulator.api.url, "GET", "/other")
        assert status == 403 and json.loads(body) == {"message": "Missing Authentication Token"}
    finally:
        emulator.stop()


def test_chunked_request_body_reaches_the_function(api: str) -> None:
    host, port = api.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=60)
    connection.request(
        "POST", "/echo", body=iter([b"part one, ", b"part two"]), encode_chunked=True
    )
    event = json.loads(connection.getresponse().read())
    connection.close()
    assert event["body"] == "part one, part two"


def test_a_header_that_would_split_the_response_is_a_502_not_a_second_header(api: str) -> None:
    status, headers, body, _ = request(api, "GET", "/inject")
    assert status == 502
    assert "set-cookie" not in {name.lower() for name in headers}
    assert json.loads(body) == {"message": "Internal server error"}


def test_header_values_are_sent_as_utf_8_without_surrounding_blanks(api: str) -> None:
    status, headers, _, _ = request(api, "GET", "/unicode")
    assert status == 200
    assert headers["x-name"].encode("latin-1").decode("utf-8") == "café"
