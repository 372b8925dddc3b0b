"""AWS rules the checks encode: bucket names, route paths, output loops, overlapping triggers."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wasmdeploy.manifest.check_events import check_existing_buckets, route_path_problem
from wasmdeploy.manifest.check_function import check_limits
from wasmdeploy.manifest.check_loops import (
    check_chains,
    check_overlapping_notifications,
    template_may_match,
)
from wasmdeploy.manifest.check_region import check_region
from wasmdeploy.manifest.naming import (
    bucket_name_problem,
    lambda_name_problem,
    suggest_bucket_name,
)
from wasmdeploy.manifest.problems import Problems


@pytest.mark.parametrize(
    "name", ["images", "my.bucket-01", "a1b", "x" * 63, "image-processing-bucket"]
)
def test_valid_bucket_names_pass(name: str) -> None:
    assert bucket_name_problem(name) is None


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("ab", "3 to 63"),
        ("x" * 64, "3 to 63"),
        ("My_Bucket", "lower-case"),
        ("-bucket", "begin and end"),
        ("bucket.", "begin and end"),
        ("a..b", "two adjacent periods"),
        ("192.168.5.4", "IP address"),
        ("xn--bucket", "reserved"),
        ("sthree-bucket", "reserved"),
        ("amzn-s3-demo-bucket", "reserved"),
        ("bucket-s3alias", "reserved"),
        ("bucket--ol-s3", "reserved"),
        ("bucket--x-s3", "reserved"),
        ("bucket.mrap", "reserved"),
    ],
)
def test_invalid_bucket_names_say_which_rule(name: str, reason: str) -> None:
    problem = bucket_name_problem(name)
    assert problem is not None and reason in problem


def test_lambda_names_are_limited_to_64_safe_characters() -> None:
    assert lambda_name_problem("a" * 64) is None
    assert "65 characters" in (lambda_name_problem("a" * 65) or "")
    assert lambda_name_problem("svc-dev-fn.x") is not None


@pytest.mark.parametrize(
    "path", ["/", "/hello/{name}", "/files/{proxy+}", "/a/{b}/c/{d_1}", "$default"]
)
def test_well_formed_http_api_paths(path: str) -> None:
    assert route_path_problem(path, "httpApi") is None


@pytest.mark.parametrize(
    ("path", "kind", "reason"),
    [
        ("hello", "httpApi", "start with '/'"),
        ("/hello/", "httpApi", "end with '/'"),
        ("/a//b", "httpApi", "empty segment"),
        ("/a/{id", "httpApi", "malformed path parameter"),
        ("/a/x{id}", "httpApi", "malformed path parameter"),
        ("/a/{na-me}", "httpApi", "malformed path parameter"),
        ("/a/{p+}/b", "httpApi", "last segment"),
        ("/a/{id}/b/{id}", "http", "appears twice"),
        ("$default", "http", "REST APIs"),
    ],
)
def test_malformed_paths_say_what_is_wrong(path: str, kind: str, reason: str) -> None:
    assert reason in (route_path_problem(path, kind) or "")


@pytest.mark.parametrize(
    ("template", "prefix", "suffix", "loops"),
    [
        ("processed/{stem}.png", None, None, True),
        ("processed/{stem}.png", "uploads/", None, False),
        ("processed/{stem}.png", "processed/", None, True),
        ("processed/{stem}.png", "proc", None, True),
        ("processed/{stem}.png", None, ".jpg", False),
        ("processed/{stem}.png", None, ".png", True),
        ("processed/{stem}.png", None, "g", True),
        ("{key}.out", "uploads/", ".jpg", False),
        ("{key}", "uploads/", ".jpg", True),
        ("{stem}{ext}", None, ".jpg", True),
        ("fixed/result.json", "fixed/", ".json", True),
        ("fixed/result.json", "fixed/", ".txt", False),
    ],
)
def test_output_template_against_trigger_rules(
    template: str, prefix: str | None, suffix: str | None, loops: bool
) -> None:
    assert template_may_match(template, prefix, suffix) is loops


def _trigger(bucket: str, event: str, prefix: str | None = None) -> dict[str, object]:
    rules = [{"prefix": prefix}] if prefix else []
    return {"s3": {"bucket": bucket, "event": event, "rules": rules}}


@pytest.mark.parametrize(
    ("first", "second", "overlap"),
    [
        (_trigger("b", "s3:ObjectCreated:*"), _trigger("b", "s3:ObjectCreated:Put"), True),
        (_trigger("b", "s3:ObjectCreated:*"), _trigger("b", "s3:ObjectRemoved:*"), False),
        (_trigger("b", "s3:ObjectCreated:*"), _trigger("c", "s3:ObjectCreated:*"), False),
        (
            _trigger("b", "s3:ObjectCreated:*", "a/"),
            _trigger("b", "s3:ObjectCreated:*", "b/"),
            False,
        ),
        (
            _trigger("b", "s3:ObjectCreated:*", "a/"),
            _trigger("b", "s3:ObjectCreated:*", "a/x"),
            True,
        ),
    ],
)
def test_overlapping_notifications_on_one_bucket(
    first: dict[str, object], second: dict[str, object], overlap: bool
) -> None:
    data = {
        "functions": {
            "one": {"handler": "h", "events": [first]},
            "two": {"handler": "h", "events": [second]},
        }
    }
    problems = Problems("wasmdeploy.yml")
    check_overlapping_notifications(data, problems)
    assert bool(problems.errors) is overlap


def test_functions_feeding_each_other_in_a_cycle_get_a_warning() -> None:
    data = {
        "functions": {
            "a": {
                "output": {"bucket": "two", "key": "in/{stem}.png"},
                "events": [{"s3": {"bucket": "one"}}],
            },
            "b": {
                "output": {"bucket": "one", "key": "x/{stem}.png"},
                "events": [{"s3": {"bucket": "two", "rules": [{"prefix": "in/"}]}}],
            },
            "c": {"events": [{"s3": {"bucket": "two"}}]},
        }
    }
    problems = Problems("wasmdeploy.yml")
    check_chains(data, problems)
    assert [(w.path, w.message.rsplit(": ", 1)[1]) for w in problems.warnings] == [
        ("functions.a.output", "a -> b -> a")
    ]
    data["functions"]["b"]["output"]["key"] = "x/{stem}.png"
    data["functions"]["a"]["events"][0]["s3"]["rules"] = [{"prefix": "uploads/"}]
    problems = Problems("wasmdeploy.yml")
    check_chains(data, problems)
    assert problems.warnings == []


def test_existing_must_be_consistent_across_a_buckets_triggers() -> None:
    data = {
        "functions": {
            "a": {"events": [{"s3": {"bucket": "shared", "existing": True}}]},
            "b": {"events": [{"s3": "shared"}]},
            "c": {"events": [{"s3": {"bucket": "own"}}, {"s3": "own"}]},
        }
    }
    problems = Problems("wasmdeploy.yml")
    check_existing_buckets(data, problems)
    assert [e.path for e in problems.errors] == ["functions.b.events[0].s3"]


@pytest.mark.parametrize(
    ("name", "suggestion"),
    [
        ("xn--bad-name", "bad-name"),
        ("192.168.1.1", "192-168-1-1"),
        ("My_Bucket", "my-bucket"),
        ("sthree-xn--images", "images"),
        ("photos-s3alias", "photos"),
        ("a..b", "a.b"),
        ("ab", "ab-bucket"),
    ],
)
def test_a_bucket_hint_suggests_a_close_valid_name(name: str, suggestion: str) -> None:
    assert suggest_bucket_name(name) == suggestion
    assert bucket_name_problem(suggestion) is None


RESERVED_LOOKING = r"(xn--|sthree-|amzn-s3-demo-)?[0-9.]{0,20}(-s3alias|--ol-s3|\.mrap)?"


@given(st.text(max_size=80) | st.from_regex(RESERVED_LOOKING))
def test_every_bucket_hint_passes_the_check_it_is_a_hint_for(name: str) -> None:
    assert bucket_name_problem(suggest_bucket_name(name)) is None


@pytest.mark.parametrize(
    "region", ["us-east-1", "eu-west-3", "us-gov-west-1", "cn-north-1", "eusc-de-east-1"]
)
@pytest.mark.parametrize("from_cli", [True, False])
def test_a_region_lambda_runs_in_passes_from_either_place(region: str, from_cli: bool) -> None:
    problems = Problems("wasmdeploy.yml")
    check_region(region, from_cli, problems)
    assert problems.errors == [] and problems.warnings == []


@pytest.mark.parametrize(
    ("region", "hint"),
    [
        ("mars-1", "For example: us-east-1"),
        ("nowhere", "For example: us-east-1"),
        ("US-EAST-1", "Did you mean us-east-1?"),
        ("eu_west_1", "Did you mean eu-west-1?"),
        ("", "For example"),
    ],
)
def test_a_name_that_is_not_a_region_is_an_error_naming_where_it_came_from(
    region: str, hint: str
) -> None:
    for from_cli, prefix in ((True, "--region "), (False, "")):
        problems = Problems("wasmdeploy.yml")
        check_region(region, from_cli, problems)
        [error] = problems.errors
        assert error.message.startswith(f"{prefix}'{region}' is not an AWS region name")
        assert error.hint and error.hint.startswith(hint)


def test_a_well_formed_region_lambda_is_not_known_in_is_a_warning() -> None:
    problems = Problems("wasmdeploy.yml")
    check_region("eu-wset-1", False, problems)
    [warning] = problems.warnings
    assert not problems.errors and warning.hint == "Did you mean eu-west-1?"


@pytest.mark.parametrize("max_time", ["45s", "899s", "901s", "20m", 5000])
@pytest.mark.parametrize("edge", [False, True])
def test_a_timeout_the_maxtime_hint_suggests_is_one_lambda_allows(
    max_time: object, edge: bool
) -> None:
    function: dict[str, object] = {"timeout": 10, "sandbox": {"maxTime": max_time}}
    if edge:
        function["edge"] = {"distribution": "cdn", "eventType": "origin-request"}
    problems = Problems("wasmdeploy.yml")
    check_limits({"functions": {"f": function}}, "f", function, problems)
    [error] = problems.errors
    assert error.hint is not None
    suggested = re.search(r"raise timeout to at least (\d+)", error.hint)
    longest = 30 if edge else 900
    if suggested:
        assert int(suggested.group(1)) <= longest
    else:
        assert f"{longest}s at most" in error.hint
