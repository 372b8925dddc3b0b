"""The IAM role for GitHub's OIDC provider: exact subjects, the audience, and deploy rights."""

from __future__ import annotations

import json
import re

import pytest

from wasmdeploy.ci.deploy_permissions import deploy_permissions_policy, preview_permissions_policy
from wasmdeploy.ci.oidc_policies import (
    RoleScope,
    default_role_name,
    oidc_provider_arn,
    state_bucket_from_backend,
    trust_policy,
)
from wasmdeploy.ci.role_output import RoleRequest, render_oidc_role
from wasmdeploy.errors import UserError

PROVIDER = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
ACTION = re.compile(r"^[a-z0-9-]+:[A-Za-z*]+$")


def test_trust_policy_allows_only_githubs_tokens_for_sts_with_the_exact_subjects() -> None:
    scope = RoleScope(
        "acme/images", branches=("main", "release/v2"), environments=("prod",), pull_requests=True
    )
    statement = trust_policy(scope, PROVIDER)["Statement"][0]
    assert statement["Principal"] == {"Federated": PROVIDER}
    assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
    assert statement["Condition"] == {
        "StringEquals": {
            "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
            "token.actions.githubusercontent.com:sub": [
                "repo:acme/images:ref:refs/heads/main",
                "repo:acme/images:ref:refs/heads/release/v2",
                "repo:acme/images:environment:prod",
                "repo:acme/images:pull_request",
            ],
        }
    }


def test_no_wildcard_subject_can_be_granted() -> None:
    with pytest.raises(UserError, match="invalid branch name"):
        RoleScope("acme/images", branches=("*",))
    with pytest.raises(UserError, match="invalid stage name"):
        RoleScope("acme/images", environments=("prod*",))


def test_a_role_nobody_may_assume_is_a_user_error() -> None:
    with pytest.raises(UserError, match="which workflow runs may assume"):
        RoleScope("acme/images")


@pytest.mark.parametrize("repo", ["acme", "acme/images/x", "-acme/images", "acme/im ages"])
def test_repository_must_be_owner_slash_repo(repo: str) -> None:
    with pytest.raises(UserError, match="is not OWNER/REPO"):
        RoleScope(repo, branches=("main",))


def test_permissions_cover_every_service_a_deploy_touches() -> None:
    policy = deploy_permissions_policy("acme-state")
    actions = [a for s in policy["Statement"] for a in s["Action"]]
    assert all(ACTION.match(action) for action in actions), actions
    services = {action.split(":")[0] for action in actions}
    assert {"lambda", "iam", "s3", "apigateway", "cloudfront", "logs"} <= services
    sids = [s["Sid"] for s in policy["Statement"]]
    assert len(sids) == len(set(sids))


def test_pass_role_is_limited_to_lambda_and_lambda_at_edge() -> None:
    statements = deploy_permissions_policy("acme-state")["Statement"]
    passing = [s for s in statements if "iam:PassRole" in s["Action"]]
    assert len(passing) == 1
    assert passing[0]["Action"] == ["iam:PassRole"]
    assert passing[0]["Condition"] == {
        "StringEquals": {
            "iam:PassedToService": ["lambda.amazonaws.com", "edgelambda.amazonaws.com"]
        }
    }


def test_state_bucket_is_readable_writable_and_listable() -> None:
    statements = {
        s["Sid"]: s for s in deploy_permissions_policy("acme-state", "aws-cn")["Statement"]
    }
    assert statements["PulumiStateBucket"]["Resource"] == "arn:aws-cn:s3:::acme-state"
    assert "s3:ListBucket" in statements["PulumiStateBucket"]["Action"]
    assert statements["PulumiStateObjects"]["Resource"] == "arn:aws-cn:s3:::acme-state/*"
    assert set(statements["PulumiStateObjects"]["Action"]) == {
        "s3:GetObject",
        "s3:PutObject",
        "s3:DeleteObject",
    }


@pytest.mark.parametrize(
    ("backend", "bucket"),
    [
        ("s3://acme-state", "acme-state"),
        ("s3://acme-state/images/prod", "acme-state"),
        ("s3://acme.state?region=eu-west-1&awssdk=v2", "acme.state"),
    ],
)
def test_state_bucket_is_read_from_the_backend_url(backend: str, bucket: str) -> None:
    assert state_bucket_from_backend(backend) == bucket


def test_json_output_is_one_well_formed_document_ready_for_the_aws_cli() -> None:
    text = render_oidc_role(
        RoleRequest(
            repository="acme/images",
            environments=("prod", "dev"),
            pull_requests=True,
            account_id="123456789012",
            backend="s3://acme-state/images",
        )
    )
    document = json.loads(text)
    assert document["RoleName"] == "wasmdeploy-github-acme-images"
    assert document["RoleArn"] == "arn:aws:iam::123456789012:role/wasmdeploy-github-acme-images"
    assert document["OpenIDConnectProvider"] == {
        "Arn": PROVIDER,
        "Url": "https://token.actions.githubusercontent.com",
        "ClientIDList": ["sts.amazonaws.com"],
    }
    trust = document["AssumeRolePolicyDocument"]
    assert trust["Version"] == "2012-10-17"
    assert trust["Statement"][0]["Condition"]["StringEquals"][
        "token.actions.githubusercontent.com:sub"
    ] == [
        "repo:acme/images:environment:prod",
        "repo:acme/images:environment:dev",
        "repo:acme/images:pull_request",
    ]
    assert document["Policies"] == {"wasmdeploy-deploy": deploy_permissions_policy("acme-state")}


@pytest.mark.parametrize(
    ("changes", "fragment"),
    [
        ({"account_id": None}, "needs --account-id"),
        ({"account_id": "12345"}, "12-digit"),
        ({"backend": None}, "state bucket"),
        ({"backend": "file://state"}, "not an s3:// URL"),
        ({"role_name": "bad name"}, "invalid IAM role name"),
        ({"partition": "aws-mars"}, "unknown AWS partition"),
        ({"max_session_seconds": 60}, "between 3600 and 43200"),
    ],
)
def test_bad_role_requests_are_user_errors(changes: dict[str, object], fragment: str) -> None:
    base: dict[str, object] = {
        "repository": "acme/images",
        "branches": ("main",),
        "account_id": "123456789012",
        "backend": "s3://acme-state",
    }
    with pytest.raises(UserError, match=fragment):
        render_oidc_role(RoleRequest(**{**base, **changes}))  # type: ignore[arg-type]


def test_default_role_name_fits_iam_limits() -> None:
    name = default_role_name("a-very-long-organisation-name/" + "r" * 90)
    assert len(name) == 64
    assert re.match(r"^[\w+=,.@-]+$", name)
    assert oidc_provider_arn("123456789012", "aws-us-gov").startswith("arn:aws-us-gov:iam::")


WRITE_VERBS = re.compile(
    r":(Create|Delete|Put|Update|Attach|Detach|Pass|Publish|Add|Remove|Tag|"
    r"Untag|Invoke|Enable|Disable|POST|PUT|PATCH|DELETE|\*)"
)


def test_preview_role_reads_only_apart_from_the_state_bucket() -> None:
    policy = preview_permissions_policy("acme-state")
    for statement in policy["Statement"]:
        writes = [a for a in statement["Action"] if WRITE_VERBS.search(a)]
        if statement["Sid"] == "PulumiStateObjects":
            assert statement["Resource"] == "arn:aws:s3:::acme-state/*"
        else:
            assert writes == [], statement["Sid"]
    deploy_actions = {
        a for s in deploy_permissions_policy("acme-state")["Statement"] for a in s["Action"]
    }
    assert any(WRITE_VERBS.search(action) for action in deploy_actions)


def test_read_only_role_is_named_and_filled_as_a_preview_role() -> None:
    document = json.loads(
        render_oidc_role(
            RoleRequest(
                repository="acme/images",
                pull_requests=True,
                read_only=True,
                account_id="123456789012",
                backend="s3://acme-state",
            )
        )
    )
    assert document["RoleName"] == "wasmdeploy-github-acme-images-preview"
    assert document["Policies"] == {"wasmdeploy-preview": preview_permissions_policy("acme-state")}
