"""The SQS queues a service creates: each trigger queue with its dead-letter queue and redrive."""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from wasmdeploy.manifest.model_events import Queue
from wasmdeploy.stacks.event_policies import redrive_policy


@dataclass(frozen=True)
class ServiceQueuesArgs:
    queues: Sequence[Queue]  # dead-letter queues included, as `Service.event_resources` has them
    tags: Mapping[str, str] = field(default_factory=dict)


def _redrive(dead_letter_arn: str, count: int) -> str:
    return redrive_policy(dead_letter_arn, count)


class ServiceQueues(pulumi.ComponentResource):
    """Dead-letter queues first, then the queues that redrive to them after maxReceiveCount."""

    arns: dict[str, pulumi.Output[str]]
    urls: dict[str, pulumi.Output[str]]

    def __init__(
        self, name: str, args: ServiceQueuesArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("wasmdeploy:aws:ServiceQueues", name, None, opts)
        self.queues: dict[str, aws.sqs.Queue] = {}
        ordered = sorted(args.queues, key=lambda q: not q.is_dead_letter_queue)
        for queue in ordered:
            redrive: pulumi.Input[str] | None = None
            if queue.dead_letter_queue is not None:
                dead_letter = self.queues[queue.dead_letter_queue]
                redrive = dead_letter.arn.apply(
                    functools.partial(_redrive, count=queue.max_receive_count)
                )
            self.queues[queue.name] = aws.sqs.Queue(
                f"{name}-{queue.name.replace('.', '-')}",
                name=queue.name,
                fifo_queue=queue.fifo or None,
                visibility_timeout_seconds=queue.visibility_timeout,
                message_retention_seconds=queue.message_retention,
                redrive_policy=redrive,
                sqs_managed_sse_enabled=True,
                tags=dict(args.tags),
                opts=pulumi.ResourceOptions(parent=self),
            )
        self.arns = {queue_name: q.arn for queue_name, q in self.queues.items()}
        self.urls = {queue_name: q.url for queue_name, q in self.queues.items()}
        self.register_outputs({"urls": self.urls})
