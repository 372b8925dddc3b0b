"""Helpers for the event-source tests: functions that log the events they get to a file.

The handlers run under awslambdaric (AWS's own runtime client) and append each
event as one JSON line to `<LOG_DIR>/<function>.jsonl`, so a test reads back
exactly what the function received, and when.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from local_emulation_support import AWSLAMBDARIC

from wasmdeploy.local.pool import FunctionPool
from wasmdeploy.local.sandbox_factory import SandboxFactory
from wasmdeploy.local.sources.delivery import Deliver, pool_delivery
from wasmdeploy.manifest.model import Function, Service

# Fails a message whose body is "poison" (the whole batch), reports "retry-once" as a batch item
# failure on its first receive, raises for Kinesis data "bad" and for the SNS message "explode".
LOGGING_HANDLER = """
    import base64, json, os, time

    def handler(event, context):
        name = os.environ["AWS_LAMBDA_FUNCTION_NAME"].split("-")[-1]
        with open(os.path.join(os.environ["LOG_DIR"], name + ".jsonl"), "a") as log:
            log.write(json.dumps({"at": time.time(), "event": event}) + "\\n")
        failures = []
        for record in event.get("Records", []) if isinstance(event, dict) else []:
            if record.get("body") == "poison":
                raise ValueError("poison message")
            if record.get("body") == "retry-once":
                if record["attributes"]["ApproximateReceiveCount"] == "1":
                    failures.append({"itemIdentifier": record["messageId"]})
            if "kinesis" in record and base64.b64decode(record["kinesis"]["data"]) == b"bad":
                raise ValueError("bad reading")
            if record.get("Sns", {}).get("Message") == "explode":
                raise RuntimeError("cannot handle this notification")
        return {"batchItemFailures": failures}
"""


def logging_delivery(service: Service, functions: list[Function]) -> dict[str, FunctionPool]:
    return {
        function.name: FunctionPool(
            SandboxFactory(service, function, bootstrap=(*AWSLAMBDARIC, "app.handler")),
            lambda line: None,
            max_concurrency=2,
        )
        for function in functions
    }


def deliveries(pools: dict[str, FunctionPool]) -> dict[str, Deliver]:
    return {name: pool_delivery(pool) for name, pool in pools.items()}


def logged_events(log_dir: Path, function: str) -> list[Any]:
    path = log_dir / f"{function}.jsonl"
    if not path.exists():
        return []
    return [json.loads(line)["event"] for line in path.read_text().splitlines() if line]


def wait_for(predicate: Any, *, limit: float = 30.0, what: str = "the condition") -> Any:
    """Poll until `predicate()` returns something truthy; its value, or AssertionError."""
    give_up = time.monotonic() + limit
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > give_up:
            raise AssertionError(f"timed out after {limit}s waiting for {what}")
        time.sleep(0.05)


def drain_queue(sqs: Any, url: str, *, wait: int = 1) -> list[dict[str, Any]]:
    """Every message now in a queue, received and deleted."""
    messages: list[dict[str, Any]] = []
    while True:
        reply = sqs.receive_message(
            QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=wait, AttributeNames=["All"]
        )
        batch = reply.get("Messages", [])
        if not batch:
            return messages
        for message in batch:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        messages.extend(batch)
        wait = 0
