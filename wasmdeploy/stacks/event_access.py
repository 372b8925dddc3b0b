"""A function's event-source policy: read its queues and streams, send to its destinations."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from wasmdeploy.manifest.model_events import DestinationType
from wasmdeploy.stacks import event_policies
from wasmdeploy.stacks.function import WasmFunction


@dataclass(frozen=True)
class EventAccessArgs:
    function: WasmFunction
    queues: Sequence[pulumi.Input[str]] = ()
    kinesis_streams: Sequence[pulumi.Input[str]] = ()
    dynamodb_streams: Sequence[pulumi.Input[str]] = ()
    kinesis_consumers: Sequence[pulumi.Input[str]] = ()
    targets: Sequence[tuple[DestinationType, pulumi.Input[str]]] = field(default_factory=tuple)

    @property
    def empty(self) -> bool:
        return not (self.queues or self.kinesis_streams or self.dynamodb_streams or self.targets)


def _policy(args: list[list[str]], kinds: list[DestinationType]) -> str:
    queues, kinesis, dynamodb, consumers, target_arns = args
    statements = event_policies.consume_statements(queues, kinesis, dynamodb, consumers)
    statements += event_policies.send_statements(list(zip(kinds, target_arns, strict=True)))
    return json.dumps(event_policies.event_source_policy(statements), sort_keys=True)


class EventAccess(pulumi.ComponentResource):
    def __init__(
        self, name: str, args: EventAccessArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("wasmdeploy:aws:EventAccess", name, None, opts)
        role = args.function.role
        if role is None:  # an existing role (`role: ARN`) must allow this itself
            self.register_outputs({})
            return
        kinds = [kind for kind, _ in args.targets]
        lists = pulumi.Output.all(
            pulumi.Output.all(*args.queues),
            pulumi.Output.all(*args.kinesis_streams),
            pulumi.Output.all(*args.dynamodb_streams),
            pulumi.Output.all(*args.kinesis_consumers),
            pulumi.Output.all(*[arn for _, arn in args.targets]),
        )
        self.policy = aws.iam.RolePolicy(
            f"{name}-policy",
            role=role.id,
            policy=lists.apply(lambda values: _policy(values, kinds)),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.register_outputs({})
