"""Buckets the stack owns, locked down: no public access, encrypted, versioned."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from wasmdeploy.manifest.arns import partition_for_region
from wasmdeploy.stacks.policies import bucket_arn

EncryptionRule = aws.s3.BucketServerSideEncryptionConfigurationRuleArgs
EncryptionDefault = (
    aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs
)


@dataclass(frozen=True)
class ServiceBucketArgs:
    bucket: str  # the bucket's name, as the manifest gives it
    retain_on_delete: bool = True  # user data survives `destroy` unless the manifest opts out
    tags: Mapping[str, str] = field(default_factory=dict)


class ServiceBucket(pulumi.ComponentResource):
    """An S3 bucket with its settings as separate resources (pulumi-aws 7 style)."""

    bucket_id: pulumi.Output[str]
    arn: pulumi.Output[str]
    regional_domain_name: pulumi.Output[str]

    def __init__(
        self, name: str, args: ServiceBucketArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("wasmdeploy:aws:Bucket", name, None, opts)
        self.bucket_name = args.bucket
        kept = pulumi.ResourceOptions(parent=self, retain_on_delete=args.retain_on_delete)
        self.bucket = aws.s3.Bucket(
            f"{name}-bucket",
            bucket=args.bucket,
            force_destroy=not args.retain_on_delete,
            tags=dict(args.tags),
            opts=kept,
        )
        after_bucket = pulumi.ResourceOptions.merge(
            kept, pulumi.ResourceOptions(depends_on=[self.bucket])
        )
        self.public_access_block = aws.s3.BucketPublicAccessBlock(
            f"{name}-public-access-block",
            bucket=self.bucket.id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
            opts=after_bucket,
        )
        self.encryption = aws.s3.BucketServerSideEncryptionConfiguration(
            f"{name}-encryption",
            bucket=self.bucket.id,
            rules=[
                EncryptionRule(
                    apply_server_side_encryption_by_default=EncryptionDefault(
                        sse_algorithm="AES256"
                    ),
                    bucket_key_enabled=True,
                )
            ],
            opts=after_bucket,
        )
        self.versioning = aws.s3.BucketVersioning(
            f"{name}-versioning",
            bucket=self.bucket.id,
            versioning_configuration=aws.s3.BucketVersioningVersioningConfigurationArgs(
                status="Enabled"
            ),
            opts=after_bucket,
        )
        self.bucket_id = self.bucket.id
        self.arn = self.bucket.arn
        self.regional_domain_name = self.bucket.bucket_regional_domain_name
        self.register_outputs({"bucket": self.bucket.bucket, "arn": self.arn})


@dataclass(frozen=True)
class BucketRef:
    """A bucket the program points at: one it created, or one that exists already."""

    name: str
    id: pulumi.Input[str]
    arn: pulumi.Input[str]
    regional_domain_name: pulumi.Input[str]
    created: ServiceBucket | None = None


def created_bucket_ref(bucket: ServiceBucket) -> BucketRef:
    return BucketRef(
        bucket.bucket_name, bucket.bucket_id, bucket.arn, bucket.regional_domain_name, bucket
    )


def existing_bucket_ref(name: str, region: str) -> BucketRef:
    arn = bucket_arn(name, partition_for_region(region))
    return BucketRef(name, name, arn, f"{name}.s3.{region}.amazonaws.com")
