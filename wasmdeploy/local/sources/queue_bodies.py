"""What an internal queue's message becomes for the function it feeds.

The local event sources deliver through SQS queues of their own: an SNS
subscription's queue holds SNS envelopes, an EventBridge rule's target queue
holds events, a function's asynchronous queue holds its events as JSON. These
turn a message body into the function's event (the rule's input, input path or
input transformer applied), and name the ARNs the events carry.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from wasmdeploy.local.lambda_environment import LOCAL_ACCOUNT_ID
from wasmdeploy.local.sources.async_queue import AsyncQueue
from wasmdeploy.local.sources.queue_events import eventbridge_event, select_input, sns_event
from wasmdeploy.manifest.model_events import DEFAULT_BUS, EventBridgeTrigger


def sns_events(subscription: dict[str, str]) -> Callable[[str], Any]:
    """The SNS envelope a subscription queue holds -> the SNS event (its ARN known once made)."""
    return lambda body: sns_event(json.loads(body), subscription_arn=subscription["arn"])


def rule_inputs(trigger: EventBridgeTrigger, region: str) -> Callable[[str], Any]:
    """The event a rule's target queue holds -> what the target gets (input, path, transformer)."""
    return lambda body: rule_target_input(
        trigger, eventbridge_event(json.loads(body), region=region)
    )


def submit_bytes(queue: AsyncQueue) -> Callable[[bytes], None]:
    return lambda body: queue.submit(json.loads(body))


def queue_arn_of(sqs: Any, url: str) -> str:
    reply = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
    return str(reply["Attributes"]["QueueArn"])


def rule_arn(region: str, bus: str, rule: str) -> str:
    where = rule if bus == DEFAULT_BUS else f"{bus}/{rule}"
    return f"arn:aws:events:{region}:{LOCAL_ACCOUNT_ID}:rule/{where}"


def rule_target_input(trigger: EventBridgeTrigger, event: dict[str, Any]) -> Any:
    transformer = trigger.input_transformer
    if transformer is not None:
        text = transformer.input_template
        for name, path in transformer.input_paths_map.items():
            value = select_input(event, input_path=path)
            text = text.replace(f"<{name}>", value if isinstance(value, str) else json.dumps(value))
        try:
            return json.loads(text)
        except ValueError:
            return text
    return select_input(event, input_value=trigger.input, input_path=trigger.input_path)
