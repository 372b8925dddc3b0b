"""Backend and passphrase rules of the deploy commands, and what destroy keeps."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from stacks_factories import make_edge_function, make_function, make_service

from wasmdeploy.cli.deploy import describe_changes, retained_notes, show_outputs
from wasmdeploy.errors import UserError
from wasmdeploy.manifest.model import S3Trigger, Service
from wasmdeploy.stacks.backends import (
    check_passphrase,
    default_backend,
    local_state_path,
    normalize_backend,
    resolve_backend,
)

ROOT = Path("/srv/service")


def service(**overrides: Any) -> Service:
    return make_service(ROOT, [make_function(ROOT, "f")], **overrides)


def test_default_backend_is_a_local_directory_beside_the_manifest() -> None:
    assert default_backend(service()) == "file:///srv/service/.wasmdeploy/state"


def test_backend_precedence_is_option_then_manifest_then_environment() -> None:
    env = {"PULUMI_BACKEND_URL": "s3://from-env"}
    assert resolve_backend(service(), "s3://option", env) == "s3://option"
    assert resolve_backend(service(backend="s3://manifest"), None, env) == "s3://manifest"
    assert resolve_backend(service(), None, env) == "s3://from-env"
    assert resolve_backend(service(), None, {}) == default_backend(service())


def test_self_managed_backend_without_passphrase_says_what_to_set() -> None:
    with pytest.raises(UserError) as raised:
        check_passphrase("s3://team-state", {})
    assert "PULUMI_CONFIG_PASSPHRASE" in raised.value.message
    assert raised.value.hint and "PULUMI_CONFIG_PASSPHRASE" in raised.value.hint


@pytest.mark.parametrize("backend", ["file:///tmp/state", "s3://b", "azblob://c", "gs://d"])
@pytest.mark.parametrize(
    "env", [{"PULUMI_CONFIG_PASSPHRASE": ""}, {"PULUMI_CONFIG_PASSPHRASE_FILE": "/run/secret"}]
)
def test_empty_passphrase_or_passphrase_file_is_accepted(backend: str, env: dict[str, str]) -> None:
    with pytest.raises(UserError, match="PULUMI_CONFIG_PASSPHRASE"):
        check_passphrase(backend, {"PULUMI_ACCESS_TOKEN": "x"})  # neither: refused
    assert check_passphrase(backend, env) is None


def test_pulumi_cloud_backend_needs_no_passphrase() -> None:
    for env in ({}, {"PULUMI_ACCESS_TOKEN": "x"}):
        assert check_passphrase("https://api.pulumi.com", env) is None
        with pytest.raises(UserError):  # where a self-managed backend would be refused
            check_passphrase("s3://team-state", env)


HOME = Path("/home/dev")


@pytest.mark.parametrize(
    ("url", "path"),
    [
        ("file:///srv/my%20project/state", "/srv/my project/state"),
        ("file:///srv/my project/state", "/srv/my project/state"),
        ("file://~/pulumi-state", "/home/dev/pulumi-state"),
        ("file://~", "/home/dev"),
        ("file://./state", "/srv/service/state"),
        ("file://state/dev", "/srv/service/state/dev"),
        ("file://../shared%2Dstate", "/srv/shared-state"),
        ("file://localhost/var/state", "/var/state"),
    ],
)
def test_file_backends_are_decoded_expanded_and_relative_to_the_manifest(
    url: str, path: str
) -> None:
    assert local_state_path(url, ROOT, HOME) == Path(path)
    assert normalize_backend(url, ROOT, HOME) == f"file://{path}"


@pytest.mark.parametrize(
    "url", ["s3://team-state/images?region=eu-west-1", "https://api.pulumi.com", "gs://b/p"]
)
def test_remote_backends_pass_unchanged(url: str) -> None:
    assert normalize_backend(url, ROOT, HOME) == url


def test_a_backend_that_is_not_a_url_says_what_one_looks_like() -> None:
    with pytest.raises(UserError, match="is not a URL") as raised:
        normalize_backend("my-state-bucket", ROOT, HOME)
    assert raised.value.hint and "s3://" in raised.value.hint


def test_a_project_in_a_directory_with_spaces_keeps_its_path() -> None:
    spaced = make_service(Path("/srv/my project"), [make_function(Path("/srv/my project"), "f")])
    assert default_backend(spaced) == "file:///srv/my project/.wasmdeploy/state"
    assert local_state_path(default_backend(spaced), ROOT) == Path(
        "/srv/my project/.wasmdeploy/state"
    )


def test_destroy_explains_retained_edge_functions_and_buckets() -> None:
    edge = make_edge_function(ROOT, "rewrite")
    upload = make_function(ROOT, "f", s3_triggers=(S3Trigger("uploads"),))
    notes = retained_notes(make_service(ROOT, [edge, upload]))
    assert any("images-dev-rewrite" in note and "CloudFront" in note for note in notes)
    assert any("uploads" in note and "retainBuckets" in note for note in notes)


def test_destroy_says_nothing_is_kept_when_buckets_opt_out() -> None:
    upload = make_function(ROOT, "f", s3_triggers=(S3Trigger("uploads"),))
    assert retained_notes(make_service(ROOT, [upload], retain_buckets=False)) == []


def test_change_summary_reads_like_a_sentence() -> None:
    assert describe_changes({"create": 3, "delete": 1}) == "3 to create, 1 to delete"
    assert describe_changes({}) == "no changes"


OUTPUTS = {
    "functions": {"f": {"name": "images-dev-f", "arn": "arn:aws:lambda:eu-west-1:1:function:f"}},
    "buckets": ["uploads"],
    "httpApiUrl": "https://abc.execute-api.eu-west-1.amazonaws.com",
}


def test_outputs_as_json_are_the_stack_outputs(capsys: pytest.CaptureFixture[str]) -> None:
    show_outputs(OUTPUTS, as_json=True)
    assert json.loads(capsys.readouterr().out) == OUTPUTS


def test_outputs_table_lists_functions_urls_and_buckets(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "160")
    show_outputs(OUTPUTS, as_json=False)
    text = capsys.readouterr().out
    assert "function f" in text and "arn:aws:lambda:eu-west-1:1:function:f" in text
    assert "https://abc.execute-api.eu-west-1.amazonaws.com" in text
    assert "uploads" in text
