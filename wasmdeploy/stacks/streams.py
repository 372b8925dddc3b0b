"""The Kinesis data streams a service creates, in on-demand capacity mode."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from wasmdeploy.manifest.model_events import Stream

ON_DEMAND = "ON_DEMAND"


@dataclass(frozen=True)
class ServiceStreamsArgs:
    streams: Sequence[Stream]
    tags: Mapping[str, str] = field(default_factory=dict)


class ServiceStreams(pulumi.ComponentResource):
    arns: dict[str, pulumi.Output[str]]

    def __init__(
        self, name: str, args: ServiceStreamsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("wasmdeploy:aws:ServiceStreams", name, None, opts)
        self.streams = {
            stream.name: aws.kinesis.Stream(
                f"{name}-{stream.name}",
                name=stream.name,
                retention_period=stream.retention_hours,
                stream_mode_details=aws.kinesis.StreamStreamModeDetailsArgs(stream_mode=ON_DEMAND),
                encryption_type="KMS",
                kms_key_id="alias/aws/kinesis",
                tags=dict(args.tags),
                opts=pulumi.ResourceOptions(parent=self),
            )
            for stream in args.streams
        }
        self.arns = {stream_name: s.arn for stream_name, s in self.streams.items()}
        self.register_outputs({"arns": self.arns})
