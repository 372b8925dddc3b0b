"""`plan`'s identifiers for event-source resources: the ARNs and URLs AWS would give them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from wasmdeploy.manifest.arns import arn_in

State = dict[str, Any]
Computer = Callable[[str, str, State], tuple[str, State]]


def event_computers(account: str, short_id: Callable[[str, int], str]) -> dict[str, Computer]:
    """Computers for queues, streams, topics, buses, rules, subscriptions and mappings."""

    def queue(name: str, region: str, inputs: State) -> tuple[str, State]:
        queue_name = inputs["name"]
        url = f"https://sqs.{region}.amazonaws.com/{account}/{queue_name}"
        return url, {"arn": arn_in(region, f"sqs:{region}:{account}:{queue_name}"), "url": url}

    def stream(name: str, region: str, inputs: State) -> tuple[str, State]:
        arn = arn_in(region, f"kinesis:{region}:{account}:stream/{inputs['name']}")
        return arn, {"arn": arn}

    def consumer(name: str, region: str, inputs: State) -> tuple[str, State]:
        arn = f"{inputs['streamArn']}/consumer/{inputs['name']}:1"
        return arn, {"arn": arn}

    def topic(name: str, region: str, inputs: State) -> tuple[str, State]:
        arn = arn_in(region, f"sns:{region}:{account}:{inputs['name']}")
        return arn, {"arn": arn}

    def subscription(name: str, region: str, inputs: State) -> tuple[str, State]:
        arn = f"{inputs['topic']}:{short_id(name, 8)}"
        return arn, {"arn": arn}

    def bus(name: str, region: str, inputs: State) -> tuple[str, State]:
        arn = arn_in(region, f"events:{region}:{account}:event-bus/{inputs['name']}")
        return inputs["name"], {"arn": arn}

    def rule(name: str, region: str, inputs: State) -> tuple[str, State]:
        bus_name = str(inputs.get("eventBusName") or "default").rsplit("/", 1)[-1]
        path = inputs["name"] if bus_name == "default" else f"{bus_name}/{inputs['name']}"
        return inputs["name"], {"arn": arn_in(region, f"events:{region}:{account}:rule/{path}")}

    def mapping(name: str, region: str, inputs: State) -> tuple[str, State]:
        uuid = short_id(name, 32)
        return uuid, {"uuid": uuid, "functionArn": inputs["functionName"]}

    def schedule(name: str, region: str, inputs: State) -> tuple[str, State]:
        group = inputs.get("groupName") or "default"
        arn = arn_in(region, f"scheduler:{region}:{account}:schedule/{group}/{inputs['name']}")
        return inputs["name"], {"arn": arn}

    return {
        "aws:sqs/queue:Queue": queue,
        "aws:kinesis/stream:Stream": stream,
        "aws:kinesis/streamConsumer:StreamConsumer": consumer,
        "aws:sns/topic:Topic": topic,
        "aws:sns/topicSubscription:TopicSubscription": subscription,
        "aws:cloudwatch/eventBus:EventBus": bus,
        "aws:cloudwatch/eventRule:EventRule": rule,
        "aws:lambda/eventSourceMapping:EventSourceMapping": mapping,
        "aws:scheduler/schedule:Schedule": schedule,
    }
