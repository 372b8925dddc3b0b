"""`wasmdeploy events`: every sample event has AWS's documented shape.

Each generated event is parsed by aws-lambda-powertools (its data classes and
its strict pydantic models) and compared, key path by key path, with AWS's
sample event from the service's documentation.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import pytest
from aws_lambda_powertools.utilities.data_classes import (
    APIGatewayProxyEvent,
    APIGatewayProxyEventV2,
    S3Event,
)
from aws_lambda_powertools.utilities.parser.models import (
    APIGatewayProxyEventModel,
    APIGatewayProxyEventV2Model,
    S3Model,
)
from click.testing import CliRunner

from wasmdeploy.cli.main import cli
from wasmdeploy.local.events import catalog, render_event

# AWS's sample events (S3 notification content structure, API Gateway payload
# formats 1.0 and 2.0, Lambda@Edge event structure), as documented.
AWS_S3_PUT = {
    "Records": [
        {
            "eventVersion": "2.1",
            "eventSource": "aws:s3",
            "awsRegion": "us-east-1",
            "eventTime": "1970-01-01T00:00:00.000Z",
            "eventName": "ObjectCreated:Put",
            "userIdentity": {"principalId": "EXAMPLE"},
            "requestParameters": {"sourceIPAddress": "127.0.0.1"},
            "responseElements": {
                "x-amz-request-id": "EXAMPLE123456789",
                "x-amz-id-2": "EXAMPLE123/5678abcdefghijklambdaisawesome/mnopqrstuvwxyzABCDEFGH",
            },
            "s3": {
                "s3SchemaVersion": "1.0",
                "configurationId": "testConfigRule",
                "bucket": {
                    "name": "example-bucket",
                    "ownerIdentity": {"principalId": "EXAMPLE"},
                    "arn": "arn:aws:s3:::example-bucket",
                },
                "object": {
                    "key": "test%2Fkey",
                    "size": 1024,
                    "eTag": "0123456789abcdef0123456789abcdef",
                    "sequencer": "0A1B2C3D4E5F678901",
                },
            },
        }
    ]
}
AWS_S3_DELETE = json.loads(
    json.dumps(AWS_S3_PUT).replace("ObjectCreated:Put", "ObjectRemoved:Delete")
)
del AWS_S3_DELETE["Records"][0]["s3"]["object"]["size"]
del AWS_S3_DELETE["Records"][0]["s3"]["object"]["eTag"]

AWS_HTTP_API_V2 = {
    "version": "2.0",
    "routeKey": "$default",
    "rawPath": "/my/path",
    "rawQueryString": "parameter1=value1&parameter1=value2&parameter2=value",
    "cookies": ["cookie1", "cookie2"],
    "headers": {"header1": "value1", "header2": "value1,value2"},
    "queryStringParameters": {"parameter1": "value1,value2", "parameter2": "value"},
    "requestContext": {
        "accountId": "123456789012",
        "apiId": "api-id",
        "authentication": {"clientCert": {"clientCertPem": "CERT_CONTENT"}},
        "authorizer": {"jwt": {"claims": {"claim1": "value1"}, "scopes": ["scope1"]}},
        "domainName": "id.execute-api.us-east-1.amazonaws.com",
        "domainPrefix": "id",
        "http": {
            "method": "POST",
            "path": "/my/path",
            "protocol": "HTTP/1.1",
            "sourceIp": "192.0.2.1",
            "userAgent": "agent",
        },
        "requestId": "id",
        "routeKey": "$default",
        "stage": "$default",
        "time": "12/Mar/2020:19:03:58 +0000",
        "timeEpoch": 1583348638390,
    },
    "body": "Hello from Lambda",
    "pathParameters": {"parameter1": "value1"},
    "isBase64Encoded": False,
    "stageVariables": {"stageVariable1": "value1"},
}

AWS_REST_V1 = {
    "version": "1.0",
    "resource": "/my/path",
    "path": "/my/path",
    "httpMethod": "GET",
    "headers": {"header1": "value1", "header2": "value2"},
    "multiValueHeaders": {"header1": ["value1"], "header2": ["value1", "value2"]},
    "queryStringParameters": {"parameter1": "value1", "parameter2": "value"},
    "multiValueQueryStringParameters": {
        "parameter1": ["value1", "value2"],
        "parameter2": ["value"],
    },
    "requestContext": {
        "accountId": "123456789012",
        "apiId": "id",
        "authorizer": {"claims": None, "scopes": None},
        "domainName": "id.execute-api.us-east-1.amazonaws.com",
        "domainPrefix": "id",
        "extendedRequestId": "request-id",
        "httpMethod": "GET",
        "identity": {
            "accessKey": None,
            "accountId": None,
            "caller": None,
            "cognitoAuthenticationProvider": None,
            "cognitoAuthenticationType": None,
            "cognitoIdentityId": None,
            "cognitoIdentityPoolId": None,
            "principalOrgId": None,
            "sourceIp": "192.0.2.1",
            "user": None,
            "userAgent": "user-agent",
            "userArn": None,
            "clientCert": {"clientCertPem": "CERT_CONTENT"},
        },
        "path": "/my/path",
        "protocol": "HTTP/1.1",
        "requestId": "id=",
        "requestTime": "04/Mar/2020:19:15:17 +0000",
        "requestTimeEpoch": 1583349317135,
        "resourceId": None,
        "resourcePath": "/my/path",
        "stage": "$default",
    },
    "pathParameters": None,
    "stageVariables": None,
    "body": "Hello from Lambda!",
    "isBase64Encoded": False,
}

_CF_CONFIG = {
    "distributionDomainName": "d111111abcdef8.cloudfront.net",
    "distributionId": "EDFDVBD6EXAMPLE",
    "eventType": "origin-request",
    "requestId": "4TyzHTaYWb1GX1qTfsHhEqV6HUDd_BzoBZnwfnvQc_1oF26ClkoUSEQ==",
}
_CF_HEADERS = {
    "x-forwarded-for": [{"key": "X-Forwarded-For", "value": "203.0.113.178"}],
    "user-agent": [{"key": "User-Agent", "value": "Amazon CloudFront"}],
    "via": [
        {"key": "Via", "value": "2.0 2afae0d44e2540f472c0635ab62c232b.cloudfront.net (CloudFront)"}
    ],
    "host": [{"key": "Host", "value": "example.org"}],
    "cache-control": [{"key": "Cache-Control", "value": "no-cache, cf-no-cache"}],
}
AWS_CLOUDFRONT_ORIGIN_REQUEST = {
    "Records": [
        {
            "cf": {
                "config": _CF_CONFIG,
                "request": {
                    "clientIp": "203.0.113.178",
                    "headers": _CF_HEADERS,
                    "method": "GET",
                    "origin": {
                        "custom": {
                            "customHeaders": {},
                            "domainName": "example.org",
                            "keepaliveTimeout": 5,
                            "path": "",
                            "port": 443,
                            "protocol": "https",
                            "readTimeout": 30,
                            "sslProtocols": ["TLSv1", "TLSv1.1", "TLSv1.2"],
                        }
                    },
                    "querystring": "",
                    "uri": "/",
                },
            }
        }
    ]
}
AWS_CLOUDFRONT_ORIGIN_RESPONSE = {
    "Records": [
        {
            "cf": {
                "config": {**_CF_CONFIG, "eventType": "origin-response"},
                "request": {
                    "clientIp": "203.0.113.178",
                    "headers": _CF_HEADERS,
                    "method": "GET",
                    "querystring": "",
                    "uri": "/",
                },
                "response": {
                    "headers": {
                        "access-control-allow-credentials": [
                            {"key": "Access-Control-Allow-Credentials", "value": "true"}
                        ],
                        "date": [{"key": "Date", "value": "Mon, 13 Jan 2020 20:12:38 GMT"}],
                        "content-type": [{"key": "Content-Type", "value": "application/json"}],
                    },
                    "status": "200",
                    "statusDescription": "OK",
                },
            }
        }
    ]
}

# Fields AWS sends only with features a generated event does not claim to have:
# mutual TLS (clientCert), authorizers, stage variables.
NOT_WITHOUT_FEATURE = {
    "requestContext.authentication",
    "requestContext.authorizer",
    "requestContext.identity.clientCert",
    "stageVariables",
}

FULL_REQUEST = {
    "method": "POST",
    "path": "/my/path",
    "body": "Hello from Lambda",
    "header": ["header1=value1", "header2=value1", "header2=value2", "Cookie=cookie1; cookie2"],
    "query": ["parameter1=value1", "parameter1=value2", "parameter2=value"],
    "route": "/my/{parameter1}",
}


def key_paths(node: Any, prefix: str = "") -> Iterator[str]:
    """Every key path in a JSON document; list items share their list's path."""
    if isinstance(node, dict):
        for key, value in node.items():
            path = f"{prefix}.{key}" if prefix else key
            yield path
            yield from key_paths(value, path)
    elif isinstance(node, list):
        for item in node:
            yield from key_paths(item, prefix)


# Maps whose keys are the request's own (header names, parameters), not AWS's shape.
FREE_FORM = {
    "headers",
    "multiValueHeaders",
    "queryStringParameters",
    "multiValueQueryStringParameters",
    "pathParameters",
    "customHeaders",
}


def assert_carries_every_field(generated: Any, sample: Any) -> None:
    def wanted(path: str) -> bool:
        if any(path == skip or path.startswith(skip + ".") for skip in NOT_WITHOUT_FEATURE):
            return False
        return not any(segment in FREE_FORM for segment in path.split(".")[:-1])

    missing = {path for path in key_paths(sample) if wanted(path)} - set(key_paths(generated))
    assert not missing, f"fields of AWS's sample missing: {sorted(missing)}"


def test_s3_put_carries_every_field_and_parses_with_powertools() -> None:
    event = render_event("s3", "put", {"bucket": "photos", "key": "in/a b.png", "size": 7})
    assert_carries_every_field(event, AWS_S3_PUT)
    S3Model(**event)
    record = S3Event(event).record
    assert record.s3.bucket.name == "photos"
    assert record.s3.get_object.key == "in/a+b.png"  # URL-encoded, as S3 sends it
    assert record.s3.get_object.size == 7
    assert record.event_name == "ObjectCreated:Put"
    assert len(record.s3.get_object.etag) == 32


def test_s3_delete_has_no_size_or_etag_like_aws() -> None:
    event = render_event("s3", "delete", {"key": "x"})
    assert_carries_every_field(event, AWS_S3_DELETE)
    S3Model(**event)
    assert S3Event(event).record.event_name == "ObjectRemoved:Delete"
    assert set(event["Records"][0]["s3"]["object"]) == {"key", "sequencer"}


def test_http_api_event_is_payload_2_0_with_every_field() -> None:
    event = render_event("apigw", "http", FULL_REQUEST)
    assert_carries_every_field(event, AWS_HTTP_API_V2)
    APIGatewayProxyEventV2Model(**event)
    parsed = APIGatewayProxyEventV2(event)
    assert parsed.raw_path == "/my/path" and parsed.route_key == "POST /my/{parameter1}"
    assert parsed.cookies == ["cookie1", "cookie2"]
    assert parsed.query_string_parameters == {"parameter1": "value1,value2", "parameter2": "value"}
    assert parsed.headers["header2"] == "value1,value2"
    assert parsed.path_parameters == {"parameter1": "path"}
    assert parsed.request_context.http.method == "POST"
    assert parsed.body == "Hello from Lambda"


def test_http_api_event_leaves_out_what_the_request_does_not_have() -> None:
    event = render_event("apigw", "http")
    APIGatewayProxyEventV2Model(**event)
    assert "cookies" not in event and "body" not in event and "queryStringParameters" not in event
    assert event["routeKey"] == "$default" and event["rawQueryString"] == ""


def test_rest_api_event_is_payload_1_0_with_every_field() -> None:
    event = render_event("apigw", "rest", FULL_REQUEST)
    assert_carries_every_field(event, AWS_REST_V1)
    APIGatewayProxyEventModel(**event)
    parsed = APIGatewayProxyEvent(event)
    assert parsed.http_method == "POST" and parsed.resource == "/my/{parameter1}"
    assert parsed.multi_value_headers["header2"] == ["value1", "value2"]
    assert parsed.multi_value_query_string_parameters == {
        "parameter1": ["value1", "value2"],
        "parameter2": ["value"],
    }
    assert parsed.query_string_parameters == {"parameter1": "value2", "parameter2": "value"}
    assert parsed.path_parameters == {"parameter1": "path"}
    assert parsed.request_context.stage == "dev"


def test_rest_api_event_with_nothing_optional_has_nulls_like_aws() -> None:
    event = render_event("apigw", "rest")
    APIGatewayProxyEventModel(**event)
    assert event["body"] is None and event["queryStringParameters"] is None
    assert event["pathParameters"] is None and event["stageVariables"] is None


@pytest.mark.parametrize(
    ("name", "sample"),
    [
        ("origin-request", AWS_CLOUDFRONT_ORIGIN_REQUEST),
        ("origin-response", AWS_CLOUDFRONT_ORIGIN_RESPONSE),
    ],
)
def test_cloudfront_events_carry_every_field(name: str, sample: Any) -> None:
    event = render_event("cloudfront", name, {"uri": "/img/a.png"})
    assert_carries_every_field(event, sample)
    cf = event["Records"][0]["cf"]
    assert cf["config"]["eventType"] == name
    assert cf["request"]["uri"] == "/img/a.png"
    for entries in cf["request"]["headers"].values():
        assert all(set(entry) == {"key", "value"} for entry in entries)


def test_every_catalog_event_renders_as_json_that_reads_back_unchanged() -> None:
    rendered = {
        (service, name): render_event(service, name)
        for service, (_, events) in catalog().items()
        for name in events
    }
    assert {("s3", "put"), ("apigw", "http"), ("cloudfront", "origin-request")} <= set(rendered)
    for (service, name), event in rendered.items():
        assert isinstance(event, dict) and event, (service, name)
        assert json.loads(json.dumps(event, allow_nan=False)) == event, (service, name)
        if "Records" in event:
            assert isinstance(event["Records"], list) and event["Records"], (service, name)


def test_cli_prints_the_event_with_the_options_applied() -> None:
    result = CliRunner().invoke(
        cli,
        [
            "events",
            "apigw",
            "http",
            "--method",
            "post",
            "--path",
            "/x",
            "--body",
            "hi",
            "--query",
            "a=1",
        ],
    )
    assert result.exit_code == 0, result.output
    event = json.loads(result.output)
    assert event["requestContext"]["http"]["method"] == "POST"
    assert event["rawPath"] == "/x" and event["body"] == "hi" and event["rawQueryString"] == "a=1"


def test_cli_s3_put_takes_bucket_key_and_size() -> None:
    result = CliRunner().invoke(
        cli, ["events", "s3", "put", "--bucket", "b1", "--key", "k.png", "--size", "9"]
    )
    obj = json.loads(result.output)["Records"][0]["s3"]
    assert (
        obj["bucket"]["name"] == "b1"
        and obj["object"]["key"] == "k.png"
        and obj["object"]["size"] == 9
    )


def test_binary_body_bytes_are_base64_encoded() -> None:
    event = render_event(
        "apigw", "http", {"body_bytes": b"\x89PNG\x00", "header": [("Content-Type", "image/png")]}
    )
    assert event["isBase64Encoded"] is True
    assert base64.b64decode(event["body"]) == b"\x89PNG\x00"
