"""How Lambda retries a function's asynchronous invocations, and where their results go."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from wasmdeploy.manifest.model_events import AsyncConfig
from wasmdeploy.stacks.function import WasmFunction


@dataclass(frozen=True)
class AsyncInvokeArgs:
    function: WasmFunction
    config: AsyncConfig
    on_failure_arn: pulumi.Input[str] | None
    on_success_arn: pulumi.Input[str] | None = None
    depends_on: Sequence[pulumi.Resource] = ()  # the role policy allowing the sends


class AsyncInvokeConfig(pulumi.ComponentResource):
    def __init__(
        self, name: str, args: AsyncInvokeArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("wasmdeploy:aws:AsyncInvokeConfig", name, None, opts)
        destinations = aws.lambda_.FunctionEventInvokeConfigDestinationConfigArgs(
            on_failure=(
                aws.lambda_.FunctionEventInvokeConfigDestinationConfigOnFailureArgs(
                    destination=args.on_failure_arn
                )
                if args.on_failure_arn is not None
                else None
            ),
            on_success=(
                aws.lambda_.FunctionEventInvokeConfigDestinationConfigOnSuccessArgs(
                    destination=args.on_success_arn
                )
                if args.on_success_arn is not None
                else None
            ),
        )
        self.config = aws.lambda_.FunctionEventInvokeConfig(
            f"{name}-config",
            function_name=args.function.name,
            maximum_retry_attempts=args.config.maximum_retry_attempts,
            maximum_event_age_in_seconds=args.config.maximum_event_age,
            destination_config=destinations,
            opts=pulumi.ResourceOptions(parent=self, depends_on=list(args.depends_on)),
        )
        self.register_outputs({})
