"""S3 triggers: one bucket's notification configuration and the permissions it needs.

S3 keeps a single notification configuration per bucket, so every function
triggered by a bucket goes into one `BucketNotification`. S3 checks that it may
invoke each function when the configuration is written, so the permissions
are created first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from wasmdeploy.manifest.model import S3Trigger
from wasmdeploy.stacks.buckets import BucketRef
from wasmdeploy.stacks.function import WasmFunction

S3_PRINCIPAL = "s3.amazonaws.com"


@dataclass(frozen=True)
class TriggeredFunction:
    function: WasmFunction
    trigger: S3Trigger


@dataclass(frozen=True)
class BucketTriggersArgs:
    bucket: BucketRef
    targets: Sequence[TriggeredFunction]
    account_id: pulumi.Input[str]


def notification_entry(target: TriggeredFunction) -> aws.s3.BucketNotificationLambdaFunctionArgs:
    trigger = target.trigger
    return aws.s3.BucketNotificationLambdaFunctionArgs(
        lambda_function_arn=target.function.arn,
        events=list(trigger.events),
        filter_prefix=trigger.prefix,
        filter_suffix=trigger.suffix,
    )


class BucketTriggers(pulumi.ComponentResource):
    """Wires one bucket's events to the functions that handle them."""

    def __init__(
        self, name: str, args: BucketTriggersArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("wasmdeploy:aws:BucketTriggers", name, None, opts)
        self.permissions: list[aws.lambda_.Permission] = []
        seen: set[str] = set()
        for target in args.targets:
            function_name = target.function.function_model.name
            if function_name in seen:
                continue
            seen.add(function_name)
            self.permissions.append(
                aws.lambda_.Permission(
                    f"{name}-invoke-{function_name}",
                    action="lambda:InvokeFunction",
                    function=target.function.name,
                    principal=S3_PRINCIPAL,
                    source_arn=args.bucket.arn,
                    source_account=args.account_id,
                    opts=pulumi.ResourceOptions(parent=self),
                )
            )
        depends_on: list[pulumi.Resource] = list(self.permissions)
        if args.bucket.created is not None:
            depends_on.append(args.bucket.created)
        self.notification = aws.s3.BucketNotification(
            f"{name}-notification",
            bucket=args.bucket.id,
            lambda_functions=[notification_entry(target) for target in args.targets],
            opts=pulumi.ResourceOptions(parent=self, depends_on=depends_on),
        )
        self.register_outputs({"bucket": args.bucket.name})
