"""Create on the local AWS every queue, stream, topic, bus and table the manifest names.

Resources the service creates come from `Service.event_resources` (queues with
their dead-letter queues and redrive policies, on-demand Kinesis streams,
topics, buses); sources the manifest names by ARN exist in the user's account,
so they are created here under the same names, so that clients can write to
them. A DynamoDB stream's table is created with the key its `resources:`
definition gives it (else a string key `id`), with its stream turned on.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from wasmdeploy.local.lambda_environment import LOCAL_ACCOUNT_ID
from wasmdeploy.manifest.model import Destination, Service

LOCAL_TABLE_KEY = "id"


def arn_name(arn: str) -> str:
    """The resource name at the end of an ARN (queue, topic, `stream/NAME`, `event-bus/NAME`,
    `table/NAME/stream/LABEL`)."""
    resource = arn.split(":", 5)[5]
    for prefix in ("stream/", "event-bus/", "table/"):
        if resource.startswith(prefix):
            return resource.removeprefix(prefix).split("/")[0]
    return resource


@dataclass
class LocalResources:
    """The local ARNs of what was created, by name, and a list for `serve` to print."""

    region: str
    queue_urls: dict[str, str] = field(default_factory=dict)
    table_streams: dict[str, str] = field(default_factory=dict)  # table -> its stream ARN
    created: list[tuple[str, str]] = field(default_factory=list)  # (kind, name)

    def queue_arn(self, name: str) -> str:
        return f"arn:aws:sqs:{self.region}:{LOCAL_ACCOUNT_ID}:{name}"

    def topic_arn(self, name: str) -> str:
        return f"arn:aws:sns:{self.region}:{LOCAL_ACCOUNT_ID}:{name}"

    def bus_arn(self, name: str) -> str:
        return f"arn:aws:events:{self.region}:{LOCAL_ACCOUNT_ID}:event-bus/{name}"

    def destination_arn(self, destination: Destination, function_arns: dict[str, str]) -> str:
        """A destination's ARN on the local AWS (its own account and region)."""
        name = destination.name or arn_name(destination.arn or "")
        if destination.type == "sqs":
            return self.queue_arn(name)
        if destination.type == "sns":
            return self.topic_arn(name)
        if destination.type == "eventBus":
            return self.bus_arn(name)
        if destination.arn is not None:
            return destination.arn
        return function_arns[name]


def create_local_resources(client_for: Any, service: Service) -> LocalResources:
    resources = LocalResources(service.region)
    sqs = client_for("sqs")
    declared = service.event_resources
    for queue in sorted(declared.queues, key=lambda q: not q.is_dead_letter_queue):
        attributes = {
            "VisibilityTimeout": str(queue.visibility_timeout),
            "MessageRetentionPeriod": str(queue.message_retention),
        }
        if queue.fifo:
            attributes["FifoQueue"] = "true"
        if queue.dead_letter_queue is not None:
            attributes["RedrivePolicy"] = json.dumps(
                {
                    "deadLetterTargetArn": resources.queue_arn(queue.dead_letter_queue),
                    "maxReceiveCount": queue.max_receive_count,
                }
            )
        _create_queue(sqs, resources, queue.name, attributes)
    kinesis_names = {stream.name for stream in declared.streams}
    topic_names = {topic.name for topic in declared.topics}
    bus_names = {bus.name for bus in declared.event_buses}
    tables: set[str] = set()
    for function in service.functions:
        for trigger in function.events.sqs:
            _create_queue(sqs, resources, trigger.queue, {})
        for stream in function.events.streams:
            if stream.type == "kinesis":
                kinesis_names.add(stream.stream)
            else:
                tables.add(stream.stream)
            if stream.on_failure is not None:
                _note_destination(stream.on_failure, topic_names, bus_names, sqs, resources)
        topic_names.update(trigger.topic for trigger in function.events.sns)
        bus_names.update(
            trigger.event_bus for trigger in function.events.event_bridge if trigger.event_bus
        )
        config = function.async_config
        for destination in (config.on_success, config.on_failure) if config else ():
            if destination is not None:
                _note_destination(destination, topic_names, bus_names, sqs, resources)
    bus_names.discard("default")
    _create_streams(client_for("kinesis"), resources, sorted(kinesis_names))
    sns = client_for("sns")
    for name in sorted(topic_names):
        sns.create_topic(Name=name)
        resources.created.append(("topic", name))
    events = client_for("events")
    existing_buses = {bus["Name"] for bus in events.list_event_buses().get("EventBuses", [])}
    for name in sorted(bus_names - existing_buses):
        events.create_event_bus(Name=name)
        resources.created.append(("event bus", name))
    dynamodb = client_for("dynamodb")
    for table in sorted(tables):
        key = _declared_key(service, table)
        resources.table_streams[table] = _table_with_stream(dynamodb, resources, table, key)
    return resources


def _note_destination(
    destination: Destination, topics: set[str], buses: set[str], sqs: Any, resources: Any
) -> None:
    name = destination.name or arn_name(destination.arn or "")
    if destination.type == "sqs":
        _create_queue(sqs, resources, name, {})
    elif destination.type == "sns":
        topics.add(name)
    elif destination.type == "eventBus":
        buses.add(name)


def _create_queue(sqs: Any, resources: LocalResources, name: str, attributes: dict) -> None:
    if name in resources.queue_urls:
        return
    if name.endswith(".fifo"):
        attributes = {**attributes, "FifoQueue": "true"}
    try:
        url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    except sqs.exceptions.QueueNameExists:  # `serve` reloaded a manifest that changed it
        url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
        changed = {key: value for key, value in attributes.items() if key != "FifoQueue"}
        sqs.set_queue_attributes(QueueUrl=url, Attributes=changed)
    resources.queue_urls[name] = url
    resources.created.append(("queue", name))


def _create_streams(kinesis: Any, resources: LocalResources, names: list[str]) -> None:
    existing = set(kinesis.list_streams().get("StreamNames", []))
    for name in names:
        if name not in existing:
            kinesis.create_stream(StreamName=name, StreamModeDetails={"StreamMode": "ON_DEMAND"})
        resources.created.append(("stream", name))
    for name in names:
        kinesis.get_waiter("stream_exists").wait(
            StreamName=name, WaiterConfig={"Delay": 0.1, "MaxAttempts": 100}
        )


TableKey = tuple[list[dict[str, str]], list[dict[str, str]]]  # KeySchema, AttributeDefinitions
_LOCAL_KEY: TableKey = (
    [{"AttributeName": LOCAL_TABLE_KEY, "KeyType": "HASH"}],
    [{"AttributeName": LOCAL_TABLE_KEY, "AttributeType": "S"}],
)


def _declared_key(service: Service, table: str) -> TableKey | None:
    """The key of the `resources:` table named `table` (by TableName or logical id)."""
    template = service.resources.template if service.resources is not None else {}
    for logical_id, resource in template.get("Resources", {}).items():
        properties = resource.get("Properties", {}) if isinstance(resource, dict) else {}
        if resource.get("Type") != "AWS::DynamoDB::Table":
            continue
        if properties.get("TableName", logical_id) != table:
            continue
        schema = properties.get("KeySchema")
        if not isinstance(schema, list):
            continue
        names = {k.get("AttributeName") for k in schema}
        definitions = [
            d for d in properties.get("AttributeDefinitions", []) if d.get("AttributeName") in names
        ]
        if names and len(definitions) == len(names):
            return schema, definitions
    return None


def _table_with_stream(
    dynamodb: Any, resources: LocalResources, table: str, key: TableKey | None
) -> str:
    """The table's stream ARN; the table is created (with `key`, else `id`) or its stream
    turned on."""
    specification = {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
    try:
        description = dynamodb.describe_table(TableName=table)["Table"]
    except dynamodb.exceptions.ResourceNotFoundException:
        schema, definitions = key or _LOCAL_KEY
        description = dynamodb.create_table(
            TableName=table,
            KeySchema=schema,
            AttributeDefinitions=definitions,
            BillingMode="PAY_PER_REQUEST",
            StreamSpecification=specification,
        )["TableDescription"]
        keys = ", ".join(k["AttributeName"] for k in schema)
        resources.created.append(("table", f"{table} (key: {keys})"))
    if not description.get("StreamSpecification", {}).get("StreamEnabled"):
        description = dynamodb.update_table(TableName=table, StreamSpecification=specification)
        description = description["TableDescription"]
    return str(description["LatestStreamArn"])
