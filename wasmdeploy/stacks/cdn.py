"""The service's CloudFront distribution and its Lambda@Edge associations.

Each edge function's trigger lands on the cache behaviour of its path pattern
("*" is the default behaviour) as a `lambda_function_associations` entry with
the function's qualified (numbered version) ARN: CloudFront accepts nothing else.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from wasmdeploy.manifest.model import Cdn, EdgeTrigger
from wasmdeploy.stacks import policies
from wasmdeploy.stacks.buckets import BucketRef
from wasmdeploy.stacks.function import WasmFunction

ORIGIN_ID = "origin"
# AWS managed policies (same ids in every account).
CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"
CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
ALL_VIEWER_EXCEPT_HOST_HEADER = "b689b0a8-53d0-40ab-baf2-68738e2966ac"
ALL_METHODS = ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"]
READ_METHODS = ["GET", "HEAD"]


@dataclass(frozen=True)
class EdgeFunction:
    function: WasmFunction
    trigger: EdgeTrigger


@dataclass(frozen=True)
class CdnArgs:
    cdn: Cdn
    edge_functions: Sequence[EdgeFunction]
    origin_bucket: BucketRef | None = None  # for origin_kind "bucket"
    origin_domain: pulumi.Input[str] | None = None  # the HTTP API's host, or the manifest's domain
    bucket_provider: pulumi.ProviderResource | None = None  # the bucket's region
    name_prefix: str = ""  # "{service}-{stage}", for the origin access control's name


def behaviour_patterns(edge_functions: Sequence[EdgeFunction]) -> list[str]:
    """The ordered (non-default) path patterns, in manifest order."""
    patterns: dict[str, None] = {}
    for edge in edge_functions:
        if edge.trigger.path_pattern != "*":
            patterns[edge.trigger.path_pattern] = None
    return list(patterns)


def associations(edge_functions: Sequence[EdgeFunction], pattern: str) -> list[Any]:
    return [
        {
            "event_type": edge.trigger.event_type,
            "lambda_arn": edge.function.qualified_arn,
            "include_body": edge.trigger.include_body,
        }
        for edge in edge_functions
        if edge.trigger.path_pattern == pattern
    ]


def api_host(endpoint: pulumi.Input[str]) -> pulumi.Output[str]:
    """ "https://abc.execute-api.eu-west-1.amazonaws.com" ": what CloudFront connects to."""
    return pulumi.Output.from_input(endpoint).apply(
        lambda url: url.removeprefix("https://").removeprefix("http://").rstrip("/")
    )


class EdgeDistribution(pulumi.ComponentResource):
    """A CloudFront distribution in front of a bucket, the stack's HTTP API or a domain."""

    domain_name: pulumi.Output[str]

    def __init__(
        self, name: str, args: CdnArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("wasmdeploy:aws:EdgeDistribution", name, None, opts)
        cdn = args.cdn
        child = pulumi.ResourceOptions(parent=self)
        origin = self._origin(name, args, child)
        from_bucket = cdn.origin_kind == "bucket"
        methods = READ_METHODS if from_bucket else ALL_METHODS
        caching: dict[str, Any] = {
            "allowed_methods": methods,
            "cached_methods": READ_METHODS,
            "target_origin_id": ORIGIN_ID,
            "viewer_protocol_policy": "redirect-to-https",
            "compress": True,
            "cache_policy_id": CACHING_OPTIMIZED if from_bucket else CACHING_DISABLED,
            "origin_request_policy_id": None if from_bucket else ALL_VIEWER_EXCEPT_HOST_HEADER,
        }
        self.distribution = aws.cloudfront.Distribution(
            f"{name}-distribution",
            enabled=True,
            is_ipv6_enabled=True,
            comment=cdn.comment,
            price_class=cdn.price_class,
            default_root_object=cdn.default_root_object,
            origins=[origin],
            default_cache_behavior=aws.cloudfront.DistributionDefaultCacheBehaviorArgs(
                **caching,
                lambda_function_associations=associations(args.edge_functions, "*"),
            ),
            ordered_cache_behaviors=[
                aws.cloudfront.DistributionOrderedCacheBehaviorArgs(
                    path_pattern=pattern,
                    **caching,
                    lambda_function_associations=associations(args.edge_functions, pattern),
                )
                for pattern in behaviour_patterns(args.edge_functions)
            ],
            restrictions=aws.cloudfront.DistributionRestrictionsArgs(
                geo_restriction=aws.cloudfront.DistributionRestrictionsGeoRestrictionArgs(
                    restriction_type="none"
                )
            ),
            viewer_certificate=aws.cloudfront.DistributionViewerCertificateArgs(
                cloudfront_default_certificate=True
            ),
            opts=child,
        )
        if from_bucket and args.origin_bucket is not None:
            bucket = args.origin_bucket
            depends_on: list[pulumi.Resource] = [bucket.created] if bucket.created else []
            self.bucket_policy = aws.s3.BucketPolicy(
                f"{name}-origin-policy",
                bucket=bucket.id,
                policy=self.distribution.arn.apply(
                    lambda arn: json.dumps(
                        policies.cloudfront_read_policy(bucket.name, arn), sort_keys=True
                    )
                ),
                opts=pulumi.ResourceOptions(
                    parent=self, provider=args.bucket_provider, depends_on=depends_on
                ),
            )
        self.domain_name = self.distribution.domain_name
        self.register_outputs(
            {"domainName": self.domain_name, "distributionId": self.distribution.id}
        )

    def _origin(
        self, name: str, args: CdnArgs, child: pulumi.ResourceOptions
    ) -> aws.cloudfront.DistributionOriginArgs:
        if args.cdn.origin_kind == "bucket" and args.origin_bucket is not None:
            access = aws.cloudfront.OriginAccessControl(
                f"{name}-origin-access",
                name=f"{args.name_prefix}-{args.origin_bucket.name}"[:64],
                description=f"CloudFront reads {args.origin_bucket.name}",
                origin_access_control_origin_type="s3",
                signing_behavior="always",
                signing_protocol="sigv4",
                opts=child,
            )
            return aws.cloudfront.DistributionOriginArgs(
                origin_id=ORIGIN_ID,
                domain_name=args.origin_bucket.regional_domain_name,
                origin_access_control_id=access.id,
            )
        assert args.origin_domain is not None
        return aws.cloudfront.DistributionOriginArgs(
            origin_id=ORIGIN_ID,
            domain_name=api_host(args.origin_domain),
            custom_origin_config=aws.cloudfront.DistributionOriginCustomOriginConfigArgs(
                http_port=80,
                https_port=443,
                origin_protocol_policy="https-only",
                origin_ssl_protocols=["TLSv1.2"],
            ),
        )
