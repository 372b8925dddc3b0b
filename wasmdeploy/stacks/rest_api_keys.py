"""The REST API's keys (provider.apiGateway.apiKeys) and their usage plan on its stage."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from wasmdeploy.manifest.model_auth import RestApiKeys
from wasmdeploy.stacks.api_names import slugify


def declare_api_keys(
    name: str,
    keys: RestApiKeys,
    api: aws.apigateway.RestApi,
    stage: aws.apigateway.Stage,
    parent: pulumi.Resource,
) -> dict[str, pulumi.Output[str]]:
    """Each key, the usage plan on the stage (quota, throttle), and the keys in it.

    Returns the keys' ids by name (their values stay in API Gateway: `aws apigateway
    get-api-key --include-value`)."""
    child = pulumi.ResourceOptions(parent=parent)
    quota, throttle = keys.quota or {}, keys.throttle or {}
    plan = aws.apigateway.UsagePlan(
        f"{name}-usage-plan",
        api_stages=[aws.apigateway.UsagePlanApiStageArgs(api_id=api.id, stage=stage.stage_name)],
        quota_settings=aws.apigateway.UsagePlanQuotaSettingsArgs(
            limit=int(quota.get("limit", 0)),
            offset=int(quota.get("offset", 0)) or None,
            period=str(quota.get("period", "MONTH")),
        )
        if quota
        else None,
        throttle_settings=aws.apigateway.UsagePlanThrottleSettingsArgs(
            burst_limit=throttle.get("burstLimit"), rate_limit=throttle.get("rateLimit")
        )
        if throttle
        else None,
        opts=child,
    )
    ids: dict[str, pulumi.Output[str]] = {}
    for key in keys.keys:
        label = f"{name}-key-{slugify(key.name)}"
        created = aws.apigateway.ApiKey(
            label,
            name=key.name,
            value=pulumi.Output.secret(key.value) if key.value else None,
            description=key.description,
            enabled=key.enabled,
            opts=child,
        )
        aws.apigateway.UsagePlanKey(
            f"{label}-in-plan",
            key_id=created.id,
            key_type="API_KEY",
            usage_plan_id=plan.id,
            opts=child,
        )
        ids[key.name] = created.id
    return ids
