"""What a role that runs wasmdeploy may do in AWS, scoped to one service's resources.

Each `Grant` names the resources of one kind the service's stack owns (by the
`{service}-{stage}-` prefix the stack gives them, or by the names the manifest
lists), the actions that read them and those that change them. The deploy
role gets both; a preview role gets the reads, and the lock files of the
Pulumi state. Roles the deploy creates live under the service's IAM path and
must carry the service's permissions boundary (`iam:PermissionsBoundary`), so
the role can never create, or turn itself into, anything with wider rights.
docs/deploy-permissions.md explains every statement.
"""

from __future__ import annotations

from wasmdeploy.ci.deploy_scope import DeployScope
from wasmdeploy.ci.grants import POLICY_VERSION, Grant, Policy, StateLocation, Target
from wasmdeploy.ci.role_grants import role_grants, self_protection_statement
from wasmdeploy.ci.service_grants import event_grants, http_grants

# sts:GetCallerIdentity has no resource: the program asks which account it deploys to.
UNSCOPED_ACTIONS = ("sts:GetCallerIdentity",)


def state_grants(state: StateLocation, partition: str) -> list[Grant]:
    """Read and write the Pulumi state; a preview writes only the stack's lock."""
    return [
        Grant(
            "PulumiStateBucket",
            (f"arn:{partition}:s3:::{state.bucket}",),
            reads=("s3:ListBucket", "s3:GetBucketLocation", "s3:GetBucketVersioning"),
        ),
        Grant(
            "PulumiStateObjects",
            (state.objects(partition),),
            reads=("s3:GetObject",),
            writes=("s3:PutObject", "s3:DeleteObject"),
        ),
    ]


def lock_grant(state: StateLocation, partition: str) -> Grant:
    return Grant(
        "PulumiStateLocks",
        (state.objects(partition, ".pulumi/locks/"),),
        reads=("s3:PutObject", "s3:DeleteObject"),
    )


def function_grants(target: Target) -> list[Grant]:
    prefixed = target.prefixed
    functions = target.regional("lambda", prefixed("function:{prefix}*"), edge=True)
    layers = target.regional(
        "lambda", [*prefixed("layer:{prefix}*"), *prefixed("layer:{prefix}*:*")]
    )
    grants = [
        Grant(
            "ServiceFunctions",
            functions,
            reads=(
                "lambda:GetFunction",
                "lambda:GetFunctionConfiguration",
                "lambda:GetFunctionCodeSigningConfig",
                "lambda:GetFunctionConcurrency",
                "lambda:GetFunctionEventInvokeConfig",
                "lambda:GetFunctionRecursionConfig",
                "lambda:GetPolicy",
                "lambda:GetRuntimeManagementConfig",
                "lambda:ListTags",
                "lambda:ListVersionsByFunction",
            ),
            writes=(
                "lambda:CreateFunction",
                "lambda:DeleteFunction",
                "lambda:UpdateFunctionCode",
                "lambda:UpdateFunctionConfiguration",
                "lambda:PublishVersion",
                "lambda:AddPermission",
                "lambda:RemovePermission",
                "lambda:PutFunctionConcurrency",
                "lambda:DeleteFunctionConcurrency",
                "lambda:PutFunctionEventInvokeConfig",
                "lambda:UpdateFunctionEventInvokeConfig",
                "lambda:DeleteFunctionEventInvokeConfig",
                "lambda:TagResource",
                "lambda:UntagResource",
                "lambda:InvokeFunction",
                *(
                    ("lambda:EnableReplication", "lambda:DisableReplication")
                    if target.scope.edge
                    else ()
                ),
            ),
        ),
        Grant(
            "ServiceLayers",
            layers,
            reads=("lambda:GetLayerVersion",),
            writes=("lambda:PublishLayerVersion", "lambda:DeleteLayerVersion"),
        ),
    ]
    if target.scope.event_sources:
        grants += event_source_mapping_grants(target, functions)
    return grants


def event_source_mapping_grants(target: Target, functions: tuple[str, ...]) -> list[Grant]:
    """Mappings have random ids: created, changed and deleted only for the service's functions."""
    mappings = target.regional("lambda", ["event-source-mapping:*"])
    return [
        Grant(
            "ServiceEventSourceMappings",
            ("*",),
            writes=(
                "lambda:CreateEventSourceMapping",
                "lambda:UpdateEventSourceMapping",
                "lambda:DeleteEventSourceMapping",
            ),
            condition={"ArnLike": {"lambda:FunctionArn": list(functions)}},
        ),
        Grant(
            "ReadEventSourceMappings",
            mappings,
            reads=("lambda:GetEventSourceMapping", "lambda:ListTags"),
            writes=("lambda:TagResource", "lambda:UntagResource"),
        ),
    ]


def bucket_grants(target: Target) -> list[Grant]:
    scope, p = target.scope, target.scope.partition
    grants = []
    if scope.buckets:
        buckets = tuple(f"arn:{p}:s3:::{name}" for name in scope.buckets)
        writes = [
            "s3:CreateBucket",
            "s3:DeleteBucket",
            "s3:PutBucketTagging",
            "s3:PutBucketPublicAccessBlock",
            "s3:PutEncryptionConfiguration",
            "s3:PutBucketVersioning",
            "s3:PutBucketPolicy",
            "s3:DeleteBucketPolicy",
            "s3:PutBucketNotification",
        ]
        if not scope.retain_buckets:
            writes.append("s3:ListBucketVersions")
        grants.append(
            Grant(
                "ServiceBuckets",
                buckets,
                reads=("s3:ListBucket", "s3:GetBucket*", "s3:Get*Configuration"),
                writes=tuple(writes),
            )
        )
        if not scope.retain_buckets:
            grants.append(
                Grant(
                    "EmptyServiceBucketsOnDestroy",
                    tuple(f"{arn}/*" for arn in buckets),
                    writes=("s3:DeleteObject", "s3:DeleteObjectVersion"),
                )
            )
    if scope.existing_buckets:
        grants.append(
            Grant(
                "ExistingTriggerBuckets",
                tuple(f"arn:{p}:s3:::{name}" for name in scope.existing_buckets),
                reads=("s3:GetBucketNotification", "s3:GetBucketLocation"),
                writes=("s3:PutBucketNotification",),
            )
        )
    return grants


def log_grants(target: Target) -> list[Grant]:
    groups = list(
        target.regional(
            "logs",
            [*target.prefixed("log-group:/aws/lambda/{prefix}*")],
            edge=True,
        )
    )
    if target.scope.edge:
        groups += target.prefixed(
            f"arn:{target.scope.partition}:logs:*:{target.account}:log-group:/aws/lambda/us-east-1."
            "{prefix}*"
        )
    return [
        Grant(
            "ServiceLogGroups",
            tuple(groups),
            reads=(
                "logs:ListTagsForResource",
                "logs:ListTagsLogGroup",
                "logs:DescribeLogStreams",
                "logs:FilterLogEvents",
                "logs:GetLogEvents",
            ),
            writes=(
                "logs:CreateLogGroup",
                "logs:DeleteLogGroup",
                "logs:PutRetentionPolicy",
                "logs:DeleteRetentionPolicy",
                "logs:TagResource",
                "logs:UntagResource",
                "logs:TagLogGroup",
                "logs:UntagLogGroup",
            ),
        ),
        Grant(
            "FindLogGroups",
            # Edge replicas log in whichever region served the request: `logs` looks in each.
            (target.arn("logs", "*", "log-group:*"),)
            if target.scope.edge
            else target.regional("logs", ["log-group:*"]),
            reads=("logs:DescribeLogGroups",),
        ),
    ]


def service_grants(target: Target) -> list[Grant]:
    """Everything but the state: what the stack declares, for this scope."""
    return [
        *function_grants(target),
        *role_grants(target),
        *bucket_grants(target),
        *log_grants(target),
        *http_grants(target),
        *event_grants(target),
        Grant("Identity", ("*",), reads=UNSCOPED_ACTIONS),
    ]


def permissions_policy(
    scope: DeployScope,
    account_id: str,
    state: StateLocation,
    *,
    read_only: bool,
    role_arn: str | None = None,
) -> Policy:
    """The deploy role's policy, or (`read_only`) the preview role's; `role_arn` (the role
    that gets the policy) adds an explicit Deny on changing itself."""
    target = Target(scope, account_id)
    grants = [*state_grants(state, scope.partition), *service_grants(target)]
    if read_only:
        grants.insert(2, lock_grant(state, scope.partition))
    statements = [s for s in (g.statement(read_only=read_only) for g in grants) if s is not None]
    if role_arn is not None and not read_only:
        statements.append(self_protection_statement(target, role_arn))
    return {"Version": POLICY_VERSION, "Statement": statements}


def deploy_permissions_policy(
    scope: DeployScope, account_id: str, state: StateLocation, role_arn: str | None = None
) -> Policy:
    """What `wasmdeploy up/preview/destroy/refresh/outputs/invoke --remote/logs` call."""
    return permissions_policy(scope, account_id, state, read_only=False, role_arn=role_arn)


def preview_permissions_policy(scope: DeployScope, account_id: str, state: StateLocation) -> Policy:
    """What `wasmdeploy preview` needs: the state (and its lock), and reads."""
    return permissions_policy(scope, account_id, state, read_only=True)


def policy_name(*, read_only: bool) -> str:
    """The role's inline policy (its name is scoped to the role)."""
    return "wasmdeploy-preview" if read_only else "wasmdeploy-deploy"
