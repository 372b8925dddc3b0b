"""SNS: the topics a service creates, and a function's subscription to a topic."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from wasmdeploy.manifest.model_events import SnsTrigger, Topic
from wasmdeploy.stacks.function import WasmFunction

SNS_PRINCIPAL = "sns.amazonaws.com"


@dataclass(frozen=True)
class ServiceTopicsArgs:
    topics: Sequence[Topic]
    tags: Mapping[str, str] = field(default_factory=dict)


class ServiceTopics(pulumi.ComponentResource):
    arns: dict[str, pulumi.Output[str]]

    def __init__(
        self, name: str, args: ServiceTopicsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("wasmdeploy:aws:ServiceTopics", name, None, opts)
        self.topics = {
            topic.name: aws.sns.Topic(
                f"{name}-{topic.name}",
                name=topic.name,
                display_name=topic.display_name,
                kms_master_key_id=topic.kms_master_key_id,
                tags=dict(args.tags),
                opts=pulumi.ResourceOptions(parent=self),
            )
            for topic in args.topics
        }
        self.arns = {topic_name: t.arn for topic_name, t in self.topics.items()}
        self.register_outputs({"arns": self.arns})


@dataclass(frozen=True)
class TopicSubscriptionArgs:
    function: WasmFunction
    trigger: SnsTrigger
    topic_arn: pulumi.Input[str]


class TopicSubscription(pulumi.ComponentResource):
    """SNS may invoke the function for this topic only; then the subscription."""

    def __init__(
        self, name: str, args: TopicSubscriptionArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("wasmdeploy:aws:TopicSubscription", name, None, opts)
        trigger = args.trigger
        self.permission = aws.lambda_.Permission(
            f"{name}-invoke",
            action="lambda:InvokeFunction",
            function=args.function.name,
            principal=SNS_PRINCIPAL,
            source_arn=args.topic_arn,
            opts=pulumi.ResourceOptions(parent=self),
        )
        redrive = (
            json.dumps({"deadLetterTargetArn": trigger.dead_letter_arn})
            if trigger.dead_letter_arn
            else None
        )
        self.subscription = aws.sns.TopicSubscription(
            f"{name}-subscription",
            topic=args.topic_arn,
            protocol="lambda",
            endpoint=args.function.arn,
            filter_policy=json.dumps(trigger.filter_policy) if trigger.filter_policy else None,
            filter_policy_scope=trigger.filter_policy_scope if trigger.filter_policy else None,
            redrive_policy=redrive,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.permission]),
        )
        self.register_outputs({"subscriptionArn": self.subscription.arn})
