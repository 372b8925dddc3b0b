"""The IAM role for GitHub's OIDC provider: exact subjects, the audience, and deploy rights."""

from __future__ import annotations

import re

import pytest

from wasmdeploy.ci.deploy_permissions import deploy_permissions_policy, preview_permissions_policy
from wasmdeploy.ci.deploy_scope import DeployScope
from wasmdeploy.ci.grants import StateLocation
from wasmdeploy.ci.oidc_policies import (
    RoleScope,
    default_role_name,
    oidc_provider_arn,
    state_location_from_backend,
    trust_policy,
)
from wasmdeploy.ci.permissions_boundary import boundary_policy
from wasmdeploy.ci.role_documents import RoleSpec, role_document
from wasmdeploy.errors import UserError

PROVIDER = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
ACTION = re.compile(r"^[a-z0-9-]+:[A-Za-z*]+$")


def test_trust_policy_allows_only_githubs_tokens_for_sts_with_the_exact_subjects() -> None:
    scope = RoleScope("acme/images", branches=("main", "release/v2"), environments=("prod",))
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
            ],
        }
    }


def test_pull_requests_and_deploy_jobs_cannot_share_a_role() -> None:
    with pytest.raises(UserError, match="read-only preview role"):
        RoleScope("acme/images", environments=("prod",), pull_requests=True)
    subjects = RoleScope("acme/images", pull_requests=True).subjects
    assert subjects == ["repo:acme/images:pull_request"]


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


@pytest.mark.parametrize(
    ("backend", "bucket", "prefix"),
    [
        ("s3://acme-state", "acme-state", ""),
        ("s3://acme-state/images/prod/", "acme-state", "images/prod"),
        ("s3://acme.state?region=eu-west-1&awssdk=v2", "acme.state", ""),
    ],
)
def test_state_location_is_read_from_the_backend_url(
    backend: str, bucket: str, prefix: str
) -> None:
    assert state_location_from_backend(backend) == StateLocation(bucket, prefix)


@pytest.mark.parametrize("backend", ["file://state", "s3://Bad_Bucket"])
def test_a_backend_that_is_not_an_s3_bucket_is_a_user_error(backend: str) -> None:
    with pytest.raises(UserError, match=r"s3:// URL|not an S3 bucket name"):
        state_location_from_backend(backend)


SCOPE = DeployScope(service="images", stages=("prod", "dev"), regions=("eu-west-1",))
STATE = StateLocation("acme-state", "images")


def spec(**changes: object) -> RoleSpec:
    base: dict[str, object] = {
        "trust": RoleScope("acme/images", environments=("prod", "dev")),
        "deploy": SCOPE,
        "account_id": "123456789012",
        "state": STATE,
        "role_name": "wasmdeploy-images-deploy",
    }
    return RoleSpec(**{**base, **changes})  # type: ignore[arg-type]


def test_json_document_holds_the_role_its_policy_and_the_boundary_of_its_roles() -> None:
    document = role_document(spec())
    role_arn = "arn:aws:iam::123456789012:role/wasmdeploy-images-deploy"
    assert document["RoleName"] == "wasmdeploy-images-deploy"
    assert document["RoleArn"] == role_arn
    assert document["OpenIDConnectProvider"] == {
        "Arn": PROVIDER,
        "Url": "https://token.actions.githubusercontent.com",
        "ClientIDList": ["sts.amazonaws.com"],
    }
    trust = document["AssumeRolePolicyDocument"]
    assert trust["Statement"][0]["Condition"]["StringEquals"][
        "token.actions.githubusercontent.com:sub"
    ] == ["repo:acme/images:environment:prod", "repo:acme/images:environment:dev"]
    assert document["Policies"] == {
        "wasmdeploy-deploy": deploy_permissions_policy(SCOPE, "123456789012", STATE, role_arn)
    }
    boundary = document["PermissionsBoundaryForServiceRoles"]
    assert boundary["Arn"] == (
        "arn:aws:iam::123456789012:policy/wasmdeploy/images/permissions-boundary"
    )
    assert boundary["Path"] == "/wasmdeploy/images/"
    assert boundary["PolicyName"] == "permissions-boundary"


def test_preview_role_document_has_the_read_only_policy_and_no_boundary() -> None:
    document = role_document(
        spec(trust=RoleScope("acme/images", pull_requests=True), read_only=True)
    )
    assert document["Policies"] == {
        "wasmdeploy-preview": preview_permissions_policy(SCOPE, "123456789012", STATE)
    }
    assert "PermissionsBoundaryForServiceRoles" not in document
    assert document["Description"].startswith("wasmdeploy previews of images")


def test_boundary_caps_service_roles_at_their_logs_data_and_the_manifests_statements() -> None:
    scope = DeployScope(
        service="images",
        stages=("prod",),
        regions=("eu-west-1",),
        buckets=("uploads",),
        key_value=True,
        iam_statements=(
            {"Effect": "Allow", "Action": ["ses:SendEmail"], "Resource": "*"},
            {"Effect": "Deny", "Action": ["s3:DeleteObject"], "Resource": "*"},
        ),
    )
    document = boundary_policy(spec(deploy=scope).target)
    by_sid = {s["Sid"]: s for s in document["Statement"]}
    assert by_sid["WriteOwnLogs"]["Resource"] == [
        "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/images-prod-*"
    ]
    assert by_sid["ServiceObjects"]["Resource"] == ["arn:aws:s3:::uploads/*"]
    assert (
        "arn:aws:dynamodb:eu-west-1:123456789012:table/images-prod-*"
        in (by_sid["ServiceTables"]["Resource"])
    )
    assert by_sid["ManifestStatement1"]["Action"] == ["ses:SendEmail"]
    assert "ManifestStatement2" not in by_sid  # a Deny needs no room under a cap
    assert not any(a.startswith("iam:") for s in document["Statement"] for a in s["Action"])


def test_a_boundary_beyond_iams_size_limit_says_how_to_shrink_it() -> None:
    many = tuple(f"queue-number-{n:04d}-with-a-long-name" for n in range(200))
    scope = DeployScope(service="images", stages=("prod",), regions=("eu-west-1",), queues=many)
    with pytest.raises(UserError, match="6144") as raised:
        boundary_policy(spec(deploy=scope).target)
    assert raised.value.hint and "prefix" in raised.value.hint


def test_default_role_name_fits_iam_limits() -> None:
    name = default_role_name("a-very-long-service-name-" + "r" * 90)
    assert len(name) == 64
    assert name.endswith("-deploy")
    assert re.match(r"^[\w+=,.@-]+$", name)
    assert default_role_name("images", read_only=True) == "wasmdeploy-images-preview"
    assert oidc_provider_arn("123456789012", "aws-us-gov").startswith("arn:aws-us-gov:iam::")


def test_a_role_policy_beyond_iams_inline_limit_says_to_split_the_role() -> None:
    stages = tuple(f"stage{n:02d}" for n in range(40))
    scope = DeployScope(service="images", stages=stages, regions=("eu-west-1",))
    with pytest.raises(UserError, match="IAM allows 10240") as raised:
        spec(deploy=scope).permissions()
    assert raised.value.hint and "its own role" in raised.value.hint
