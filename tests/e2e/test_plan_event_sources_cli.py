"""`wasmdeploy plan --json` on a service using every event source, as a user runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import wasmtime

MANIFEST = """
service: feeds
provider:
  name: aws
  region: eu-west-1
functions:
  worker:
    handler: worker.wasm
    timeout: 10
    events:
      - schedule: cron(0 6 * * ? *)
      - sqs: {queue: jobs, functionResponseType: ReportBatchItemFailures}
      - stream: {type: kinesis, name: readings, startingPosition: LATEST}
      - sns: alerts
      - eventBridge: {pattern: {source: [feeds.app]}}
"""


def plan_entries(root: Path) -> list[dict[str, Any]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "PULUMI_"))}
    result = subprocess.run(
        [sys.executable, "-m", "wasmdeploy", "plan", "--json"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr
    entries: list[dict[str, Any]] = json.loads(result.stdout)
    return entries


def test_plan_shows_sources_mappings_dead_letter_queues_and_their_iam(tmp_path: Path) -> None:
    (tmp_path / "worker.wasm").write_bytes(wasmtime.wat2wasm('(module (func (export "_start")))'))
    (tmp_path / "wasmdeploy.yml").write_text(textwrap.dedent(MANIFEST))
    entries = plan_entries(tmp_path)
    by_type: dict[str, list[dict[str, Any]]] = {}
    for entry in entries:
        by_type.setdefault(entry["type"], []).append(entry)
    queues = {e["inputs"]["name"]: e["inputs"] for e in by_type["aws:sqs/queue:Queue"]}
    assert set(queues) == {
        "jobs",
        "jobs-dlq",
        "feeds-dev-worker-stream-dlq",
        "feeds-dev-worker-async-dlq",
    }
    assert json.loads(queues["jobs"]["redrivePolicy"]) == {
        "deadLetterTargetArn": "arn:aws:sqs:eu-west-1:123456789012:jobs-dlq",
        "maxReceiveCount": 5,
    }
    [stream] = by_type["aws:kinesis/stream:Stream"]
    assert stream["inputs"]["streamModeDetails"] == {"streamMode": "ON_DEMAND"}
    sources = {
        e["inputs"]["eventSourceArn"]
        for e in by_type["aws:lambda/eventSourceMapping:EventSourceMapping"]
    }
    assert sources == {
        "arn:aws:sqs:eu-west-1:123456789012:jobs",
        "arn:aws:kinesis:eu-west-1:123456789012:stream/readings",
    }
    rules = {
        e["inputs"].get("scheduleExpression") or e["inputs"]["eventPattern"]
        for e in by_type["aws:cloudwatch/eventRule:EventRule"]
    }
    assert rules == {"cron(0 6 * * ? *)", json.dumps({"source": ["feeds.app"]})}
    principals = {e["inputs"]["principal"] for e in by_type["aws:lambda/permission:Permission"]}
    assert principals == {"sns.amazonaws.com", "events.amazonaws.com"}
    [invoke_config] = by_type["aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig"]
    assert invoke_config["inputs"]["destinationConfig"]["onFailure"]["destination"].endswith(
        ":feeds-dev-worker-async-dlq"
    )
    [access] = [e for e in by_type["aws:iam/rolePolicy:RolePolicy"] if "event-access" in e["name"]]
    statements = {s["Sid"]: s for s in json.loads(access["inputs"]["policy"])["Statement"]}
    assert statements["ConsumeQueues"]["Resource"] == ["arn:aws:sqs:eu-west-1:123456789012:jobs"]
    assert set(statements) == {"ConsumeQueues", "ReadKinesisStreams", "SendToMessage"}
