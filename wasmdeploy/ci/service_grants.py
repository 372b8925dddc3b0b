"""Grants for what a service declares beside its functions: APIs, CloudFront, event sources,
key-value tables and the CloudFormation stack of serverless.yml's `resources`.

Only what the scope uses is granted. API Gateway and CloudFront name their
resources by random ids, so those grants are scoped to the account and the
service's regions; everything else is scoped by name.
"""

from __future__ import annotations

from wasmdeploy.ci.grants import Grant, Target

API_GATEWAY_PATHS = ("/apis", "/apis/*", "/restapis", "/restapis/*", "/tags/*")


def http_grants(target: Target) -> list[Grant]:
    scope, p = target.scope, target.scope.partition
    grants = []
    if scope.http_api or scope.rest_api:
        grants.append(
            Grant(
                "ServiceApis",
                tuple(
                    f"arn:{p}:apigateway:{r}::{path}"
                    for r in scope.regions
                    for path in API_GATEWAY_PATHS
                ),
                reads=("apigateway:GET",),
                writes=(
                    "apigateway:POST",
                    "apigateway:PUT",
                    "apigateway:PATCH",
                    "apigateway:DELETE",
                ),
            )
        )
    if scope.cdn:
        account = target.account
        grants += [
            Grant(
                "ServiceDistributions",
                (f"arn:{p}:cloudfront::{account}:distribution/*",),
                reads=(
                    "cloudfront:GetDistribution",
                    "cloudfront:GetDistributionConfig",
                    "cloudfront:ListTagsForResource",
                ),
                writes=(
                    "cloudfront:CreateDistribution",
                    "cloudfront:UpdateDistribution",
                    "cloudfront:DeleteDistribution",
                    "cloudfront:TagResource",
                    "cloudfront:UntagResource",
                ),
            ),
            Grant(
                "ServiceOriginAccessControls",
                (f"arn:{p}:cloudfront::{account}:origin-access-control/*",),
                reads=("cloudfront:GetOriginAccessControl",),
                writes=(
                    "cloudfront:CreateOriginAccessControl",
                    "cloudfront:UpdateOriginAccessControl",
                    "cloudfront:DeleteOriginAccessControl",
                ),
            ),
        ]
    return grants


def event_grants(target: Target) -> list[Grant]:
    scope = target.scope
    grants: list[Grant] = []
    # Dead-letter queues the service creates for its functions carry the stack's prefix.
    queues = [*scope.queues, *target.prefixed("{prefix}*")] if scope.event_sources else []
    if queues:
        grants.append(
            Grant(
                "ServiceQueues",
                target.regional("sqs", queues),
                reads=("sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:ListQueueTags"),
                writes=(
                    "sqs:CreateQueue",
                    "sqs:DeleteQueue",
                    "sqs:SetQueueAttributes",
                    "sqs:TagQueue",
                    "sqs:UntagQueue",
                ),
            )
        )
    topic_arns = [a for a in scope.source_arns if a.startswith(f"arn:{scope.partition}:sns:")]
    if scope.topics or topic_arns:
        grants.append(
            Grant(
                "ServiceTopics",
                (*target.regional("sns", list(scope.topics)), *topic_arns),
                reads=(
                    "sns:GetTopicAttributes",
                    "sns:ListTagsForResource",
                    "sns:GetSubscriptionAttributes",
                ),
                writes=(
                    "sns:CreateTopic",
                    "sns:DeleteTopic",
                    "sns:SetTopicAttributes",
                    "sns:TagResource",
                    "sns:UntagResource",
                    "sns:Subscribe",
                    "sns:Unsubscribe",
                    "sns:SetSubscriptionAttributes",
                ),
            )
        )
    stream_arns = [a for a in scope.source_arns if a.startswith(f"arn:{scope.partition}:kinesis:")]
    if scope.streams or stream_arns:
        streams = [
            *target.regional("kinesis", [f"stream/{n}" for n in scope.streams]),
            *stream_arns,
        ]
        grants.append(
            Grant(
                "ServiceStreamConsumers",
                tuple(f"{arn}/consumer/{p}*" for arn in streams for p in scope.prefixes),
                reads=("kinesis:DescribeStreamConsumer",),
                writes=("kinesis:RegisterStreamConsumer", "kinesis:DeregisterStreamConsumer"),
            )
        )
    if scope.streams:
        grants.append(
            Grant(
                "ServiceStreams",
                target.regional("kinesis", [f"stream/{name}" for name in scope.streams]),
                reads=(
                    "kinesis:DescribeStream",
                    "kinesis:DescribeStreamSummary",
                    "kinesis:ListTagsForStream",
                ),
                writes=(
                    "kinesis:CreateStream",
                    "kinesis:DeleteStream",
                    "kinesis:AddTagsToStream",
                    "kinesis:RemoveTagsFromStream",
                    "kinesis:IncreaseStreamRetentionPeriod",
                    "kinesis:DecreaseStreamRetentionPeriod",
                    "kinesis:StartStreamEncryption",
                    "kinesis:UpdateShardCount",
                ),
            )
        )
    if scope.rules or scope.event_buses:
        grants += rule_grants(target)
    if scope.key_value:
        grants.append(table_grant(target))
    if scope.resources:
        grants.append(cloudformation_grant(target))
    return [*grants, *variable_grants(target)]


def variable_grants(target: Target) -> list[Grant]:
    """`${ssm:...}` and `${cf:...}` are read while deploying, with the deploy's own role."""
    scope = target.scope
    grants = []
    if scope.parameters:
        parameters = tuple(
            target.arn("ssm", region or r, f"parameter/{name.lstrip('/')}")
            for region, name in scope.parameters
            for r in ([region] if region else scope.regions)
        )
        grants.append(Grant("ReadManifestParameters", parameters, reads=("ssm:GetParameter",)))
    if scope.read_stacks:
        stacks = tuple(
            target.arn("cloudformation", region or r, f"stack/{name}/*")
            for region, name in scope.read_stacks
            for r in ([region] if region else scope.regions)
        )
        grants.append(
            Grant("ReadManifestStackOutputs", stacks, reads=("cloudformation:DescribeStacks",))
        )
    return grants


def rule_grants(target: Target) -> list[Grant]:
    named = target.scope.rule_names
    rules = [
        *target.prefixed("rule/{prefix}*"),
        *target.prefixed("rule/*/{prefix}*"),
        *(f"rule/{name}" for name in named),
        *(f"rule/*/{name}" for name in named),
    ]
    schedules = [*target.prefixed("schedule/*/{prefix}*"), *(f"schedule/*/{n}" for n in named)]
    grants = [
        Grant(
            "ServiceRules",
            target.regional("events", rules),
            reads=("events:DescribeRule", "events:ListTargetsByRule", "events:ListTagsForResource"),
            writes=(
                "events:PutRule",
                "events:DeleteRule",
                "events:EnableRule",
                "events:DisableRule",
                "events:PutTargets",
                "events:RemoveTargets",
                "events:TagResource",
                "events:UntagResource",
            ),
        ),
        Grant(
            "ServiceSchedules",
            target.regional("scheduler", schedules),
            reads=("scheduler:GetSchedule", "scheduler:ListTagsForResource"),
            writes=(
                "scheduler:CreateSchedule",
                "scheduler:UpdateSchedule",
                "scheduler:DeleteSchedule",
                "scheduler:TagResource",
                "scheduler:UntagResource",
            ),
        ),
    ]
    if target.scope.event_buses:
        grants.append(
            Grant(
                "ServiceEventBuses",
                target.regional("events", [f"event-bus/{bus}" for bus in target.scope.event_buses]),
                reads=("events:DescribeEventBus",),
                writes=("events:CreateEventBus", "events:DeleteEventBus"),
            )
        )
    return grants


def table_grant(target: Target) -> Grant:
    """Key-value stores are tables named `{service}-{stage}-{store}`."""
    return Grant(
        "ServiceTables",
        target.regional("dynamodb", target.prefixed("table/{prefix}*")),
        reads=(
            "dynamodb:DescribeTable",
            "dynamodb:DescribeTimeToLive",
            "dynamodb:DescribeContinuousBackups",
            "dynamodb:ListTagsOfResource",
        ),
        writes=(
            "dynamodb:CreateTable",
            "dynamodb:DeleteTable",
            "dynamodb:UpdateTable",
            "dynamodb:UpdateTimeToLive",
            "dynamodb:UpdateContinuousBackups",
            "dynamodb:TagResource",
            "dynamodb:UntagResource",
        ),
    )


def cloudformation_grant(target: Target) -> Grant:
    """serverless.yml's `resources`: one stack named `{service}-{stage}-...`. CloudFormation
    acts with the deploy role's own rights, so it can create only what the role may."""
    return Grant(
        "ServiceCloudFormationStack",
        target.regional("cloudformation", target.prefixed("stack/{prefix}*/*")),
        reads=(
            "cloudformation:DescribeStacks",
            "cloudformation:DescribeStackEvents",
            "cloudformation:DescribeStackResources",
            "cloudformation:GetTemplate",
            "cloudformation:DescribeChangeSet",
        ),
        writes=(
            "cloudformation:CreateStack",
            "cloudformation:UpdateStack",
            "cloudformation:DeleteStack",
            "cloudformation:CreateChangeSet",
            "cloudformation:ExecuteChangeSet",
            "cloudformation:DeleteChangeSet",
            "cloudformation:TagResource",
            "cloudformation:UntagResource",
        ),
    )
