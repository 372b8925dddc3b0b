"""The resolved event sources: schedules, queues, streams, topics, buses, and async delivery.

A trigger names its source by `name` and, when the source exists already, by its
`arn`; a source in the manifest's `resources:` by `arn_reference` (the CloudFormation
`Fn::GetAtt` / `Ref` as written, evaluated by the resources stack; `name` is its
literal name property, else its logical id); with neither, the service creates the
source (see `Service.event_resources`). Durations are seconds. Every source has
somewhere for failures to go: a created queue has a dead-letter queue, a stream
mapping and an asynchronous function an onFailure destination (a queue the service
creates when the manifest names none).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from wasmdeploy.manifest import schedule_expression

StreamType = Literal["kinesis", "dynamodb"]
StartingPosition = Literal["LATEST", "TRIM_HORIZON", "AT_TIMESTAMP"]
DestinationType = Literal["sqs", "sns", "function", "eventBus"]
ScheduleMethod = Literal["eventBus", "scheduler"]
FilterPolicyScope = Literal["MessageAttributes", "MessageBody"]

DEFAULT_SQS_BATCH_SIZE = 10
DEFAULT_STREAM_BATCH_SIZE = 10  # Serverless's default (Lambda's own is 100)
DEFAULT_STARTING_POSITION: StartingPosition = "TRIM_HORIZON"  # Serverless's default
DEFAULT_ASYNC_RETRY_ATTEMPTS = 2  # Lambda's default
DEFAULT_MAX_RECEIVE_COUNT = 5  # receives before SQS moves a message to the DLQ
DEFAULT_VISIBILITY_FACTOR = 6  # AWS: visibility timeout >= 6 x the function timeout
DEFAULT_MESSAGE_RETENTION = 4 * 24 * 3600  # SQS's default, seconds
DLQ_MESSAGE_RETENTION = 14 * 24 * 3600  # the maximum: time to look at what failed
DEFAULT_BUS = "default"


@dataclass(frozen=True)
class Destination:
    """Where a failed (or successful) delivery is sent.

    `arn` is set for a target that exists outside the service; `name` names the
    queue / topic / bus the service creates, or the function (its key under
    `functions:`) in this service.
    """

    type: DestinationType
    arn: str | None = None
    name: str | None = None
    arn_reference: dict[str, Any] | None = None  # a `resources:` queue/topic/bus, by intrinsic

    @property
    def created(self) -> bool:
        return self.arn is None and self.arn_reference is None and self.type != "function"


@dataclass(frozen=True)
class AsyncConfig:
    """How Lambda retries asynchronous invocations (s3, sns, eventBridge, schedule)."""

    maximum_retry_attempts: int = DEFAULT_ASYNC_RETRY_ATTEMPTS  # 0-2
    maximum_event_age: int | None = None  # seconds, 60-21600; None: Lambda's 6 hours
    on_success: Destination | None = None
    on_failure: Destination | None = None  # resolved: the user's, or the created DLQ


@dataclass(frozen=True)
class InputTransformer:
    input_template: str
    input_paths_map: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ScheduleTrigger:
    """An `events: - schedule:` entry: one EventBridge rule (or Scheduler schedule) per rate."""

    expressions: tuple[str, ...]  # "rate(5 minutes)", "cron(0 12 * * ? *)"
    enabled: bool = True
    name: str | None = None
    description: str | None = None
    input: Any = None  # a JSON value sent instead of the scheduled event
    input_path: str | None = None
    input_transformer: InputTransformer | None = None
    method: ScheduleMethod = "eventBus"
    timezone: str | None = None  # IANA name; Scheduler only

    @property
    def schedules(self) -> tuple[schedule_expression.Schedule, ...]:
        """The parsed expressions (the checks have validated them)."""
        return tuple(schedule_expression.parse(text) for text in self.expressions)


@dataclass(frozen=True)
class SqsTrigger:
    """An `events: - sqs:` entry: a Lambda event source mapping on a queue."""

    queue: str  # the queue's name
    arn: str | None = None  # None: the queue in `Service.queues` the service creates
    arn_reference: dict[str, Any] | None = None  # a queue of `resources:`, by intrinsic
    batch_size: int = DEFAULT_SQS_BATCH_SIZE  # 1-10, up to 10000 with a batching window
    maximum_batching_window: int = 0  # seconds, 0-300
    report_batch_item_failures: bool = False  # functionResponseType: ReportBatchItemFailures
    maximum_concurrency: int | None = None  # 2-1000
    filter_patterns: tuple[dict[str, Any], ...] = ()
    enabled: bool = True


@dataclass(frozen=True)
class StreamTrigger:
    """An `events: - stream:` entry: a mapping on a Kinesis stream or a DynamoDB stream."""

    type: StreamType
    stream: str  # Kinesis: the stream name; DynamoDB: the table name
    arn: str | None = None  # None: the Kinesis stream in `Service.streams` the service creates
    arn_reference: dict[str, Any] | None = None  # a stream or table of `resources:`
    batch_size: int = DEFAULT_STREAM_BATCH_SIZE  # 1-10000 (DynamoDB: 1-10000, Kinesis: 1-10000)
    starting_position: StartingPosition = DEFAULT_STARTING_POSITION
    starting_position_timestamp: float | None = None  # seconds since the epoch, AT_TIMESTAMP
    batch_window: int = 0  # seconds, 0-300
    maximum_retry_attempts: int = -1  # -1: until the record expires
    maximum_record_age: int = -1  # seconds, -1 or 60-604800
    bisect_batch_on_function_error: bool = False
    parallelization_factor: int = 1  # 1-10
    report_batch_item_failures: bool = False
    tumbling_window: int | None = None  # seconds, 0-900
    on_failure: Destination | None = None  # resolved: the user's, or the created DLQ
    filter_patterns: tuple[dict[str, Any], ...] = ()
    consumer: bool | str = False  # Kinesis: True for a managed consumer, or its ARN
    enabled: bool = True


@dataclass(frozen=True)
class SnsTrigger:
    """An `events: - sns:` entry: a subscription of the function to a topic."""

    topic: str  # the topic's name
    arn: str | None = None  # None: the topic in `Service.topics` the service creates
    arn_reference: dict[str, Any] | None = None  # a topic of `resources:`, by intrinsic
    filter_policy: dict[str, Any] | None = None
    filter_policy_scope: FilterPolicyScope = "MessageAttributes"
    dead_letter_arn: str | None = None  # redrivePolicy.deadLetterTargetArn


@dataclass(frozen=True)
class EventBridgeTrigger:
    """An `events: - eventBridge:` entry: a rule on a bus with the function as its target."""

    event_bus: str = DEFAULT_BUS  # the bus's name
    bus_arn: str | None = None  # set when the bus exists outside the service
    bus_reference: dict[str, Any] | None = None  # a bus of `resources:`, by intrinsic
    pattern: dict[str, Any] | None = None
    schedule: str | None = None  # a rate/cron expression instead of a pattern
    name: str | None = None
    description: str | None = None
    enabled: bool = True
    input: Any = None
    input_path: str | None = None
    input_transformer: InputTransformer | None = None
    retry_maximum_event_age: int | None = None  # retryPolicy, seconds 60-86400
    retry_maximum_attempts: int | None = None  # retryPolicy, 0-185
    dead_letter_arn: str | None = None  # deadLetterQueueArn

    @property
    def creates_bus(self) -> bool:
        return self.bus_arn is None and self.bus_reference is None and self.event_bus != DEFAULT_BUS


@dataclass(frozen=True)
class EventSources:
    """Every event source of one function, besides S3, HTTP and edge."""

    schedules: tuple[ScheduleTrigger, ...] = ()
    sqs: tuple[SqsTrigger, ...] = ()
    streams: tuple[StreamTrigger, ...] = ()
    sns: tuple[SnsTrigger, ...] = ()
    event_bridge: tuple[EventBridgeTrigger, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not (self.schedules or self.sqs or self.streams or self.sns or self.event_bridge)


@dataclass(frozen=True)
class Queue:
    """An SQS queue the service creates: a trigger's queue or a dead-letter queue."""

    name: str
    visibility_timeout: int  # seconds
    message_retention: int = DEFAULT_MESSAGE_RETENTION  # seconds
    dead_letter_queue: str | None = None  # the name of its DLQ (also in `Service.queues`)
    max_receive_count: int = DEFAULT_MAX_RECEIVE_COUNT  # receives before the redrive
    fifo: bool = False

    @property
    def is_dead_letter_queue(self) -> bool:
        return self.dead_letter_queue is None


@dataclass(frozen=True)
class Stream:
    """A Kinesis data stream the service creates, in on-demand capacity mode."""

    name: str
    retention_hours: int = 24


@dataclass(frozen=True)
class Topic:
    """An SNS topic the service creates."""

    name: str
    display_name: str | None = None
    kms_master_key_id: str | None = None  # encrypts the topic (a key id, ARN or alias/...)


@dataclass(frozen=True)
class EventBus:
    """A custom EventBridge bus the service creates."""

    name: str


@dataclass(frozen=True)
class EventResources:
    """What the service creates for its event sources, each once, by name."""

    queues: tuple[Queue, ...] = ()
    streams: tuple[Stream, ...] = ()
    topics: tuple[Topic, ...] = ()
    event_buses: tuple[EventBus, ...] = ()

    def queue(self, name: str) -> Queue:
        for queue in self.queues:
            if queue.name == name:
                return queue
        raise KeyError(name)
