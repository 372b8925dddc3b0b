"""The deploy role in IAM: the service's own roles, within their boundary, and never itself.

Roles the stack creates live under `/wasmdeploy/<service>/<stage>/`; the deploy
role may create them and set their inline policies only with the service's
permissions boundary, pass them only to the services that run them, and an
explicit Deny keeps it from changing its own policies, trust or the boundary.
"""

from __future__ import annotations

from wasmdeploy.ci.grants import Grant, Policy, Target


def role_grants(target: Target) -> list[Grant]:
    """The service's own roles only, each created with (and kept under) its boundary."""
    roles = target.role_arns
    bounded = {"StringEquals": {"iam:PermissionsBoundary": target.boundary_arn}}
    services = ["lambda.amazonaws.com"]
    if target.scope.edge:
        services.append("edgelambda.amazonaws.com")
    if target.scope.rules:
        services.append("scheduler.amazonaws.com")
    grants = [
        Grant(
            "CreateServiceRolesWithinTheBoundary",
            roles,
            writes=("iam:CreateRole", "iam:PutRolePolicy", "iam:PutRolePermissionsBoundary"),
            condition=bounded,
        ),
        Grant(
            "ManageServiceRoles",
            roles,
            reads=(
                "iam:GetRole",
                "iam:GetRolePolicy",
                "iam:ListRolePolicies",
                "iam:ListAttachedRolePolicies",
                "iam:ListRoleTags",
                "iam:ListInstanceProfilesForRole",
            ),
            writes=(
                "iam:DeleteRole",
                "iam:DeleteRolePolicy",
                "iam:UpdateRole",
                "iam:UpdateRoleDescription",
                "iam:UpdateAssumeRolePolicy",
                "iam:TagRole",
                "iam:UntagRole",
            ),
        ),
        Grant(
            "PassServiceRolesToTheirServices",
            roles,
            writes=("iam:PassRole",),
            condition={"StringEquals": {"iam:PassedToService": services}},
        ),
    ]
    if target.scope.edge:
        grants.append(edge_replication_grant(target))
    return grants


def edge_replication_grant(target: Target) -> Grant:
    """Lambda@Edge replicates through service-linked roles, created once per account."""
    roles = {
        "replicator.lambda.amazonaws.com": "AWSServiceRoleForLambdaReplicator",
        "logger.cloudfront.amazonaws.com": "AWSServiceRoleForCloudFrontLogger",
    }
    return Grant(
        "EdgeServiceLinkedRoles",
        tuple(
            f"arn:{target.scope.partition}:iam::{target.account}:role/aws-service-role/{service}/{name}"
            for service, name in roles.items()
        ),
        writes=("iam:CreateServiceLinkedRole",),
        condition={"StringEquals": {"iam:AWSServiceName": list(roles)}},
    )


def self_protection_statement(target: Target, role_arn: str) -> Policy:
    """An explicit Deny, which no Allow can outweigh: the role never changes itself, its
    trust or the boundary, and never lifts a boundary off any role."""
    return {
        "Sid": "NeverWidenItsOwnRights",
        "Effect": "Deny",
        "Action": [
            "iam:AttachRolePolicy",
            "iam:DeleteRolePermissionsBoundary",
            "iam:CreatePolicyVersion",
            "iam:DeletePolicy",
            "iam:DeletePolicyVersion",
            "iam:SetDefaultPolicyVersion",
            "iam:PutRolePolicy",
            "iam:DeleteRolePolicy",
            "iam:UpdateAssumeRolePolicy",
            "iam:PutRolePermissionsBoundary",
            "iam:UpdateRole",
            "iam:TagRole",
            "iam:UntagRole",
        ],
        "Resource": [role_arn, target.boundary_arn],
    }
