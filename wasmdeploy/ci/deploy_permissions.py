"""What a role that runs wasmdeploy may do in AWS.

`deploy_permissions_policy` covers what a deploy creates and reads back: Lambda
functions, layers and versions (Lambda@Edge included), the functions' IAM roles
(passed to Lambda only), S3 buckets and their notifications, API Gateway (HTTP
and REST), CloudFront, CloudWatch Logs, and the Pulumi state bucket.

`preview_permissions_policy` is for a role that only previews (pull requests):
the state bucket, and reads.
"""

from __future__ import annotations

from typing import Any

POLICY_VERSION = "2012-10-17"

Policy = dict[str, Any]


def _statement(sid: str, actions: list[str], resources: list[str] | str, **extra: Any) -> Policy:
    return {"Sid": sid, "Effect": "Allow", "Action": actions, "Resource": resources, **extra}


def deploy_permissions_policy(state_bucket: str, partition: str = "aws") -> Policy:
    """What `wasmdeploy up/preview/destroy/outputs/invoke --remote/logs` call, as one policy."""
    p = partition
    return {
        "Version": POLICY_VERSION,
        "Statement": [
            *_state_statements(state_bucket, p),
            _statement(
                "LambdaFunctionsAndLayers",
                [
                    "lambda:*Function*",
                    "lambda:*Layer*",
                    "lambda:*Permission",
                    "lambda:*Policy",
                    "lambda:*Alias*",
                    "lambda:*EventInvokeConfig",
                    "lambda:PublishVersion",
                    "lambda:ListVersionsByFunction",
                    "lambda:TagResource",
                    "lambda:UntagResource",
                    "lambda:ListTags",
                    "lambda:InvokeFunction",
                    "lambda:EnableReplication*",
                    "lambda:DisableReplication*",
                    "lambda:GetAccountSettings",
                ],
                "*",
            ),
            _statement(
                "FunctionRoles",
                [
                    "iam:CreateRole",
                    "iam:DeleteRole",
                    "iam:GetRole",
                    "iam:UpdateRole",
                    "iam:UpdateAssumeRolePolicy",
                    "iam:TagRole",
                    "iam:UntagRole",
                    "iam:ListRoleTags",
                    "iam:PutRolePolicy",
                    "iam:GetRolePolicy",
                    "iam:DeleteRolePolicy",
                    "iam:ListRolePolicies",
                    "iam:AttachRolePolicy",
                    "iam:DetachRolePolicy",
                    "iam:ListAttachedRolePolicies",
                    "iam:ListInstanceProfilesForRole",
                ],
                f"arn:{p}:iam::*:role/*",
            ),
            _statement(
                "PassFunctionRolesToLambdaOnly",
                ["iam:PassRole"],
                f"arn:{p}:iam::*:role/*",
                Condition={
                    "StringEquals": {
                        "iam:PassedToService": ["lambda.amazonaws.com", "edgelambda.amazonaws.com"]
                    }
                },
            ),
            _statement(
                "LambdaEdgeReplication",
                ["iam:CreateServiceLinkedRole"],
                f"arn:{p}:iam::*:role/aws-service-role/*",
                Condition={
                    "StringEquals": {
                        "iam:AWSServiceName": [
                            "replicator.lambda.amazonaws.com",
                            "logger.cloudfront.amazonaws.com",
                        ]
                    }
                },
            ),
            _statement(
                "ServiceBuckets",
                [
                    "s3:CreateBucket",
                    "s3:DeleteBucket",
                    "s3:ListBucket",
                    "s3:GetBucket*",
                    "s3:PutBucket*",
                    "s3:DeleteBucket*",
                    "s3:Get*Configuration",
                    "s3:Put*Configuration",
                    "s3:GetObject",
                    "s3:PutObject",
                    "s3:ListAllMyBuckets",
                ],
                "*",
            ),
            _statement(
                "ApiGateway",
                [
                    "apigateway:GET",
                    "apigateway:POST",
                    "apigateway:PUT",
                    "apigateway:PATCH",
                    "apigateway:DELETE",
                    "apigateway:TagResource",
                    "apigateway:UntagResource",
                ],
                f"arn:{p}:apigateway:*::/*",
            ),
            _statement("CloudFront", ["cloudfront:*"], "*"),
            _statement(
                "Logs",
                [
                    "logs:CreateLogGroup",
                    "logs:DeleteLogGroup",
                    "logs:DescribeLogGroups",
                    "logs:DescribeLogStreams",
                    "logs:PutRetentionPolicy",
                    "logs:DeleteRetentionPolicy",
                    "logs:TagResource",
                    "logs:UntagResource",
                    "logs:ListTagsForResource",
                    "logs:ListTagsLogGroup",
                    "logs:TagLogGroup",
                    "logs:FilterLogEvents",
                    "logs:GetLogEvents",
                    "logs:StartLiveTail",
                ],
                "*",
            ),
            _statement("Identity", ["sts:GetCallerIdentity"], "*"),
        ],
    }


def _state_statements(state_bucket: str, partition: str) -> list[Policy]:
    """Read and write the Pulumi state (writes include the stack's lock files)."""
    return [
        _statement(
            "PulumiStateBucket",
            ["s3:ListBucket", "s3:GetBucketLocation", "s3:GetBucketVersioning"],
            f"arn:{partition}:s3:::{state_bucket}",
        ),
        _statement(
            "PulumiStateObjects",
            ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
            f"arn:{partition}:s3:::{state_bucket}/*",
        ),
    ]


def preview_permissions_policy(state_bucket: str, partition: str = "aws") -> Policy:
    """What `wasmdeploy preview` needs: the state, and reads of what the stack holds."""
    return {
        "Version": POLICY_VERSION,
        "Statement": [
            *_state_statements(state_bucket, partition),
            _statement(
                "ReadDeployedResources",
                [
                    "lambda:Get*",
                    "lambda:List*",
                    "iam:GetRole",
                    "iam:GetRolePolicy",
                    "iam:ListRolePolicies",
                    "iam:ListAttachedRolePolicies",
                    "iam:ListRoleTags",
                    "s3:GetBucket*",
                    "s3:Get*Configuration",
                    "s3:ListBucket",
                    "s3:ListAllMyBuckets",
                    "apigateway:GET",
                    "cloudfront:Get*",
                    "cloudfront:List*",
                    "logs:DescribeLogGroups",
                    "logs:ListTagsForResource",
                    "logs:ListTagsLogGroup",
                ],
                "*",
            ),
            _statement("Identity", ["sts:GetCallerIdentity"], "*"),
        ],
    }


def permissions_policy(state_bucket: str, partition: str = "aws", *, read_only: bool) -> Policy:
    if read_only:
        return preview_permissions_policy(state_bucket, partition)
    return deploy_permissions_policy(state_bucket, partition)


def policy_name(*, read_only: bool) -> str:
    """The role's inline policy (its name is scoped to the role)."""
    return "wasmdeploy-preview" if read_only else "wasmdeploy-deploy"
