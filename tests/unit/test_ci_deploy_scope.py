"""The names a deploy role is scoped to, read from each stage's resolved manifest."""

from __future__ import annotations

from typing import Any

from wasmdeploy.ci.deploy_scope import build_scope, deploy_time_reads


def stage(name: str, region: str = "eu-west-1") -> dict[str, Any]:
    return {
        "service": "images",
        "provider": {"name": "aws", "region": region, "retainBuckets": False},
        "functions": {
            "resize": {
                "handler": "resize.wasm",
                "events": [
                    {"s3": {"bucket": f"uploads-{name}"}},
                    {"s3": {"bucket": "legacy", "existing": True}},
                    {"sqs": {"queue": f"jobs-{name}"}},
                    {"sqs": "arn:aws:sqs:eu-west-1:123456789012:shared"},
                    {"sns": "alerts"},
                    {"stream": {"type": "kinesis", "name": "clicks"}},
                    {"eventBridge": {"eventBus": "orders", "pattern": {"source": ["x"]}}},
                    {"schedule": {"rate": "rate(1 day)", "name": "nightly-report"}},
                    {"httpApi": "GET /x"},
                ],
                "output": {"bucket": f"thumbs-{name}", "key": "t/{stem}.png"},
                "kv": ["default"],
            },
            "rewrite": {"handler": "rewrite.wasm", "edge": {"eventType": "origin-request"}},
        },
        "cdn": {"origin": {"bucket": f"site-{name}"}},
        "resources": {"Resources": {}},
    }


def test_names_are_gathered_from_every_stage_the_role_deploys() -> None:
    scope = build_scope("images", ("prod", "dev"), [stage("prod"), stage("dev")])
    assert scope.prefixes == ("images-prod-", "images-dev-")
    assert scope.buckets == (
        "uploads-prod",
        "thumbs-prod",
        "site-prod",
        "uploads-dev",
        "thumbs-dev",
        "site-dev",
    )
    assert scope.existing_buckets == ("legacy",)
    assert scope.queues == ("jobs-prod", "jobs-prod-dlq", "jobs-dev", "jobs-dev-dlq")
    assert scope.rule_names == ("nightly-report",)
    assert scope.topics == ("alerts",)
    assert scope.streams == ("clicks",)
    assert scope.event_buses == ("orders",)
    assert scope.source_arns == ("arn:aws:sqs:eu-west-1:123456789012:shared",)
    assert not scope.retain_buckets
    assert (scope.edge, scope.cdn, scope.http_api, scope.rest_api) == (True, True, True, False)
    assert (scope.rules, scope.key_value, scope.resources) == (True, True, True)
    assert scope.function_regions == ("eu-west-1", "us-east-1")


def test_partition_follows_the_region_unless_given() -> None:
    assert build_scope("images", ("prod",), [stage("prod", "cn-north-1")]).partition == "aws-cn"
    gov = build_scope("images", ("prod",), [stage("prod", "us-gov-west-1")])
    assert gov.partition == "aws-us-gov"
    assert build_scope("images", ("prod",), [stage("prod")], "aws-cn").partition == "aws-cn"


def test_a_service_with_only_functions_uses_no_event_service() -> None:
    bare = {"service": "images", "functions": {"f": {"handler": "f.wasm"}}}
    scope = build_scope("images", ("dev",), [bare])
    assert scope.regions == ("us-east-1",)
    assert not (scope.event_sources or scope.rules or scope.cdn or scope.buckets)


def test_asynchronous_events_mean_dead_letter_queues_and_fifo_queues_keep_fifo() -> None:
    data = {
        "service": "images",
        "functions": {"f": {"events": [{"s3": "in"}, {"sqs": {"queue": {"name": "o.fifo"}}}]}},
    }
    scope = build_scope("images", ("dev",), [data])
    assert scope.asynchronous and scope.event_sources
    assert scope.queues == ("o.fifo", "o-dlq.fifo")


def test_parameters_and_stacks_read_while_deploying_are_named_per_stage() -> None:
    text = (
        "a: ${ssm:/app/${sls:stage}/db}\n"
        "b: ${cf(eu-west-2):net-${sls:stage}.VpcId}\n"
        "c: ${ssm(us-east-1):/x/${env:FOO}/y, 'fallback'}\n"
    )
    assert deploy_time_reads(text, "images", "prod") == (
        [("", "/app/prod/db"), ("us-east-1", "/x/*/y")],
        [("eu-west-2", "net-prod")],
    )
