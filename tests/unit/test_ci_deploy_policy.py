"""The deploy role's policy, walked statement by statement.

Every Allow statement is checked against the rules a least-privilege deploy
role must keep: actions only on their own service's resources, resources only
of this service (its prefix, or the names the manifest lists), never the role
itself, nothing on `*` that IAM could scope, and no IAM action that could widen
the role's rights or create a role without the service's boundary.
"""

from __future__ import annotations

import fnmatch
from typing import Any

import pytest

from wasmdeploy.ci.deploy_permissions import (
    UNSCOPED_ACTIONS,
    deploy_permissions_policy,
    preview_permissions_policy,
)
from wasmdeploy.ci.deploy_scope import DeployScope
from wasmdeploy.ci.grants import StateLocation
from wasmdeploy.stacks.arns import boundary_policy_arn

ACCOUNT = "123456789012"
ROLE_ARN_TEMPLATE = "arn:{p}:iam::123456789012:role/wasmdeploy-images-deploy"
STATE = StateLocation("acme-state", "images")
NAMES = ("uploads", "thumbs", "jobs", "jobs-dlq", "alerts", "clicks", "orders", "nightly")
READ_NAMES = ("parameter/images/prod/db", "parameter/images/*/key", "stack/network-prod/*")
# Resources whose ids AWS picks at random: scoped to the account and region, documented.
ID_SCOPED = (
    "/apis",
    "/apis/*",
    "/restapis",
    "/restapis/*",
    "/tags/*",
    "distribution/*",
    "origin-access-control/*",
    "event-source-mapping:*",
)
READ_ONLY_SCOPED = {"logs:DescribeLogGroups": "log-group:*"}
ESCALATION = {
    "iam:AttachRolePolicy",
    "iam:DeleteRolePermissionsBoundary",
    "iam:CreatePolicy",
    "iam:CreatePolicyVersion",
    "iam:SetDefaultPolicyVersion",
    "iam:CreateUser",
    "iam:CreateAccessKey",
    "iam:PutUserPolicy",
    "iam:AttachUserPolicy",
    "iam:PutGroupPolicy",
    "iam:AddUserToGroup",
    "iam:CreateLoginProfile",
    "sts:AssumeRole",
}
NEEDS_BOUNDARY = {"iam:CreateRole", "iam:PutRolePolicy", "iam:PutRolePermissionsBoundary"}


def full_scope(partition: str = "aws", region: str = "eu-west-1") -> DeployScope:
    return DeployScope(
        service="images",
        stages=("prod", "dev"),
        regions=(region,),
        partition=partition,
        buckets=("uploads", "thumbs"),
        existing_buckets=("legacy-photos",),
        retain_buckets=False,
        queues=("jobs", "jobs-dlq"),
        topics=("alerts",),
        streams=("clicks",),
        event_buses=("orders",),
        rule_names=("nightly",),
        parameters=(("", "/images/prod/db"), ("us-east-1", "/images/*/key")),
        read_stacks=(("", "network-prod"),),
        asynchronous=True,
        source_arns=(f"arn:{partition}:sns:{region}:{ACCOUNT}:shared-news",),
        edge=partition == "aws",
        cdn=True,
        http_api=True,
        rest_api=True,
        rules=True,
        key_value=True,
        resources=True,
    )


def allows(policy: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for s in policy["Statement"] if s["Effect"] == "Allow"]


def as_list(value: Any) -> list[str]:
    return value if isinstance(value, list) else [value]


def matches(pattern: str, arn: str) -> bool:
    return fnmatch.fnmatchcase(arn, pattern)


def policy_for(partition: str) -> dict[str, Any]:
    region = {"aws": "eu-west-1", "aws-cn": "cn-north-1", "aws-us-gov": "us-gov-west-1"}[partition]
    role_arn = ROLE_ARN_TEMPLATE.format(p=partition)
    return deploy_permissions_policy(full_scope(partition, region), ACCOUNT, STATE, role_arn)


PARTITIONS = ["aws", "aws-cn", "aws-us-gov"]


@pytest.mark.parametrize("partition", PARTITIONS)
def test_every_action_is_on_its_own_services_resources(partition: str) -> None:
    for statement in allows(policy_for(partition)):
        for resource in as_list(statement["Resource"]):
            if resource == "*":
                continue
            _, arn_partition, service, *_ = resource.split(":")
            assert arn_partition == partition, (statement["Sid"], resource)
            for action in statement["Action"]:
                assert action.split(":")[0] == service, (statement["Sid"], action, resource)


@pytest.mark.parametrize("partition", PARTITIONS)
def test_no_allowed_resource_includes_the_role_itself(partition: str) -> None:
    role_arn = ROLE_ARN_TEMPLATE.format(p=partition)
    boundary = boundary_policy_arn("images", ACCOUNT, partition)
    for statement in allows(policy_for(partition)):
        for resource in as_list(statement["Resource"]):
            if resource == "*":
                continue  # only unscoped actions or conditioned ones: checked below
            assert not matches(resource, role_arn), (statement["Sid"], resource)
            assert not matches(resource, boundary), (statement["Sid"], resource)


@pytest.mark.parametrize("partition", PARTITIONS)
def test_resources_are_the_services_own_by_prefix_or_by_listed_name(partition: str) -> None:
    prefixes = ("images-prod-", "images-dev-")
    for statement in allows(policy_for(partition)):
        for resource in as_list(statement["Resource"]):
            if resource == "*":
                continue
            parts = resource.split(":", 5)
            name = parts[5]
            if parts[2] == "s3":
                assert name.startswith(("acme-state", "uploads", "thumbs", "legacy-photos"))
                continue
            if parts[2] == "iam":
                assert name.startswith(
                    ("role/wasmdeploy/images/prod/", "role/wasmdeploy/images/dev/")
                ) or name.startswith("role/aws-service-role/"), resource
                continue
            if name in ID_SCOPED:
                assert parts[4] in ("", ACCOUNT), resource
                continue
            if name in READ_NAMES:
                assert all(
                    a.split(":")[1].startswith(("Get", "Describe")) for a in statement["Action"]
                )
                continue
            if name == "log-group:*":
                assert statement["Action"] == ["logs:DescribeLogGroups"]
                continue
            assert parts[4] == ACCOUNT, resource
            assert any(p in name for p in prefixes) or any(
                name.endswith((n, f"/{n}")) for n in (*NAMES, "shared-news")
            ), resource


@pytest.mark.parametrize("partition", PARTITIONS)
def test_nothing_is_granted_on_star_that_iam_could_scope(partition: str) -> None:
    for statement in allows(policy_for(partition)):
        if as_list(statement["Resource"]) != ["*"]:
            continue
        unscoped = [a for a in statement["Action"] if a not in UNSCOPED_ACTIONS]
        if not unscoped:
            continue
        # Event source mappings are created before they have an ARN: scoped by function.
        condition = statement["Condition"]["ArnLike"]["lambda:FunctionArn"]
        assert all(":function:images-" in arn for arn in condition), statement
        assert all(a.endswith("EventSourceMapping") for a in unscoped), statement


@pytest.mark.parametrize("partition", PARTITIONS)
def test_the_role_can_never_widen_its_own_rights(partition: str) -> None:
    policy = policy_for(partition)
    boundary = boundary_policy_arn("images", ACCOUNT, partition)
    for statement in allows(policy):
        actions = set(statement["Action"])
        assert not actions & ESCALATION, statement["Sid"]
        assert not any(a.startswith("iam:") and "*" in a for a in actions), statement["Sid"]
        if actions & NEEDS_BOUNDARY:
            assert actions <= NEEDS_BOUNDARY, statement["Sid"]
            assert statement["Condition"] == {"StringEquals": {"iam:PermissionsBoundary": boundary}}
        if "iam:PassRole" in actions:
            assert actions == {"iam:PassRole"}
            services = statement["Condition"]["StringEquals"]["iam:PassedToService"]
            assert set(services) <= {
                "lambda.amazonaws.com",
                "edgelambda.amazonaws.com",
                "scheduler.amazonaws.com",
            }
    [deny] = [s for s in policy["Statement"] if s["Effect"] == "Deny"]
    assert ROLE_ARN_TEMPLATE.format(p=partition) in deny["Resource"]
    assert boundary in deny["Resource"]
    assert {"iam:PutRolePolicy", "iam:UpdateAssumeRolePolicy", "iam:AttachRolePolicy"} <= set(
        deny["Action"]
    )


def test_only_read_wildcards_and_no_service_wide_actions() -> None:
    for statement in allows(policy_for("aws")):
        for action in statement["Action"]:
            _, name = action.split(":")
            if "*" in name:
                assert name.startswith("Get"), action
                assert action.startswith("s3:"), action


def test_nothing_the_service_does_not_use_is_granted() -> None:
    bare = DeployScope(service="images", stages=("prod",), regions=("eu-west-1",))
    actions = {
        a for s in allows(deploy_permissions_policy(bare, ACCOUNT, STATE)) for a in s["Action"]
    }
    services = {a.split(":")[0] for a in actions}
    assert services == {"s3", "lambda", "iam", "logs", "sts"}
    assert "logs:StartLiveTail" not in actions
    assert not any(a.startswith("s3:CreateBucket") for a in actions)
    assert "iam:CreateServiceLinkedRole" not in actions


def test_state_objects_are_scoped_to_the_backend_prefix() -> None:
    statements = {s["Sid"]: s for s in policy_for("aws-cn")["Statement"]}
    assert statements["PulumiStateBucket"]["Resource"] == ["arn:aws-cn:s3:::acme-state"]
    assert statements["PulumiStateObjects"]["Resource"] == ["arn:aws-cn:s3:::acme-state/images/*"]


def test_preview_role_reads_and_writes_only_the_stack_lock() -> None:
    policy = preview_permissions_policy(full_scope(), ACCOUNT, STATE)
    writes = ("Create", "Delete", "Put", "Update", "Pass", "Publish", "Add", "Remove", "Tag")
    for statement in policy["Statement"]:
        assert statement["Effect"] == "Allow"
        changing = [a for a in statement["Action"] if a.split(":")[1].startswith(writes)]
        if statement["Sid"] == "PulumiStateLocks":
            assert statement["Resource"] == ["arn:aws:s3:::acme-state/images/.pulumi/locks/*"]
        else:
            assert changing == [], statement["Sid"]
        assert "lambda:InvokeFunction" not in statement["Action"]
        for verb in ("POST", "PUT", "PATCH", "DELETE"):
            assert f"apigateway:{verb}" not in statement["Action"]
