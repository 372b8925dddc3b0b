"""Branch-to-stage mappings and the workflow's inputs are checked before anything is written."""

from __future__ import annotations

import pytest

from wasmdeploy.ci.stage_map import StageMapping, parse_stage_mappings
from wasmdeploy.ci.workflow_options import (
    Reference,
    backend_reference,
    check_github_name,
    check_python_version,
    role_reference,
)
from wasmdeploy.errors import UserError


def test_no_mapping_means_main_deploys_prod() -> None:
    assert parse_stage_mappings([]) == (StageMapping("main", "prod"),)


def test_mappings_keep_their_order_and_allow_slashes_in_branches() -> None:
    mappings = parse_stage_mappings(["main=prod", "release/v2=staging", " develop = dev "])
    assert [(m.branch, m.stage) for m in mappings] == [
        ("main", "prod"),
        ("release/v2", "staging"),
        ("develop", "dev"),
    ]
    assert mappings[1].ref == "refs/heads/release/v2"


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("main", "is not BRANCH=STAGE"),
        ("=prod", "is not BRANCH=STAGE"),
        ("main=", "is not BRANCH=STAGE"),
        ("release/*=prod", "invalid branch name"),
        ("main=pr od", "invalid stage name"),
        ("main=-prod", "invalid stage name"),
        ("a..b=prod", "invalid branch name"),
        ("main=prod'; echo", "invalid stage name"),
    ],
)
def test_bad_mappings_are_user_errors(text: str, fragment: str) -> None:
    with pytest.raises(UserError, match=fragment):
        parse_stage_mappings([text])


def test_a_branch_mapped_twice_is_a_user_error() -> None:
    with pytest.raises(UserError, match="mapped twice"):
        parse_stage_mappings(["main=prod", "main=dev"])


def test_role_is_a_literal_arn_or_a_variable_never_both() -> None:
    arn = "arn:aws:iam::123456789012:role/github/deploy"
    assert role_reference(arn, None, option="--role") == Reference(literal=arn)
    assert role_reference(None, "ROLE", option="--role") == Reference(variable="ROLE")
    assert role_reference(None, None, option="--role") is None
    with pytest.raises(UserError, match="not both"):
        role_reference(arn, "ROLE", option="--role")
    with pytest.raises(UserError, match="not an IAM role ARN"):
        role_reference("arn:aws:iam::123:user/me", None, option="--role")


def test_variable_reference_renders_as_a_github_expression() -> None:
    assert Reference(variable="X").expression == "${{ vars.X }}"
    assert Reference(literal="s3://b").expression == "s3://b"
    with pytest.raises(ValueError):
        Reference()


@pytest.mark.parametrize("url", ["s3://acme-state", "s3://acme.state/a/b?region=eu-west-1"])
def test_s3_backends_are_accepted(url: str) -> None:
    assert backend_reference(url, None) == Reference(literal=url)


@pytest.mark.parametrize(
    ("url", "fragment"),
    [
        ("file://~/.pulumi", "is local"),
        ("./state", "is local"),
        ("gs://bucket", "not an s3:// URL"),
        ("s3://UPPER", "not an s3:// URL"),
    ],
)
def test_local_and_non_s3_backends_are_user_errors(url: str, fragment: str) -> None:
    with pytest.raises(UserError, match=fragment):
        backend_reference(url, None)


@pytest.mark.parametrize("name", ["GITHUB_TOKEN", "1ROLE", "MY-ROLE", "a b"])
def test_invalid_variable_names_are_user_errors(name: str) -> None:
    with pytest.raises(UserError, match="invalid variable name"):
        check_github_name(name, "variable")


def test_python_version_must_look_like_a_python_3_version() -> None:
    assert check_python_version("3.13") == "3.13"
    with pytest.raises(UserError):
        check_python_version("latest")
