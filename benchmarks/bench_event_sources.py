"""Records per second through `serve`'s event sources, beside the same records sent straight
to the module, and the latency from a client's send to the function's start.

The function is the stream-stats example's `window-stats.wasm` (statistics of
each batch of readings, exports ABI). In one run, on this machine:

- baseline: a batch of 100 readings as one SQS event, invoked on a warm sandbox
  (`wasmdeploy invoke`'s path without its process start), and `wasmdeploy invoke`
  itself, as a user runs it, once;
- pipeline: 100 readings written to the local AWS (SQS `send_message_batch`,
  Kinesis `put_records`), polled, batched (batchSize 100, a 5 s window so that
  the batch fills before it closes: a full batch is delivered at once) and
  delivered by the emulator, until the function has answered;
- latency: single writes (SQS, Kinesis, SNS, EventBridge), from the client's
  call to the runtime taking the event, p50 and p99.

    python benchmarks/bench_event_sources.py [--rounds 20] [--samples 40]
"""

from __future__ import annotations

import argparse
import base64
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
MODULE = REPO_ROOT / "examples" / "stream-stats" / "window-stats.wasm"
BATCH = 100

MANIFEST = """
service: bench
provider:
  name: aws
  runtime: provided.al2023
  sandbox: {allowedImports: []}
functions:
  batch:
    handler: window-stats.wasm#handle
    events:
      - sqs: {queue: bench-batch, batchSize: 100, maximumBatchingWindow: 5}
      - stream: {type: kinesis, name: bench-batch, batchSize: 100, batchWindow: 5,
                 startingPosition: LATEST}
  latency:
    handler: window-stats.wasm#handle
    events:
      - sqs: {queue: bench-latency, batchSize: 1}
      - stream: {type: kinesis, name: bench-latency, batchSize: 1, startingPosition: LATEST}
      - sns: bench-latency
      - eventBridge: {pattern: {source: [bench.latency]}}
"""


def reading(index: int) -> str:
    return json.dumps({"sensor": f"s{index % 5}", "value": 20 + (index % 17) / 4, "n": index})


class Watch:
    """Wraps a function's delivery: when each invocation started, and when it answered."""

    def __init__(self, deliver: Callable[[bytes], Any]) -> None:
        self.deliver = deliver
        self.started: dict[int, float] = {}  # reading number -> the runtime took the event
        self.answered = 0  # records answered
        self.changed = threading.Condition()

    def __call__(self, payload: bytes) -> Any:
        reply = self.deliver(payload)
        numbers = reading_numbers(payload)
        with self.changed:
            for number in numbers:
                self.started.setdefault(number, reply.started_at or time.monotonic())
            self.answered += len(numbers)
            self.changed.notify_all()
        return reply

    def wait_for(self, answered: int, limit: float = 60.0) -> None:
        with self.changed:
            if not self.changed.wait_for(lambda: self.answered >= answered, timeout=limit):
                raise SystemExit(f"only {self.answered} of {answered} records were delivered")


def reading_numbers(payload: bytes) -> list[int]:
    """The reading numbers ("n") in an event, whatever the source wrapped the readings in."""
    event = json.loads(payload)
    if "detail" in event:  # EventBridge: the reading is the detail
        return [int(event["detail"]["n"])]
    numbers = []
    for record in event.get("Records", []):
        if "kinesis" in record:
            text = base64.b64decode(record["kinesis"]["data"])
        elif "Sns" in record:
            text = record["Sns"]["Message"]
        else:
            text = record["body"]
        numbers.append(int(json.loads(text)["n"]))
    return numbers


def sqs_event(count: int) -> bytes:
    from wasmdeploy.local.sources.queue_events import sqs_event as build

    messages = [
        {"MessageId": str(i), "ReceiptHandle": f"r{i}", "Body": reading(i), "MD5OfBody": "",
         "Attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": "0"}}
        for i in range(count)
    ]  # fmt: skip
    return json.dumps(
        build(messages, queue_arn="arn:aws:sqs:us-east-1:1:q", region="us-east-1")
    ).encode()


def baseline_warm(pool: Any, rounds: int) -> float:
    event = sqs_event(BATCH)
    pool.invoke(event)  # warm
    started = time.perf_counter()
    for _ in range(rounds):
        outcome = pool.invoke(event)
        assert outcome.function_error is None, outcome.payload
    return (time.perf_counter() - started) / rounds


def baseline_cli(root: Path) -> tuple[float, float]:
    """`wasmdeploy invoke batch -e -` with the 100-record event: wall time, REPORT Duration."""
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "wasmdeploy", "invoke", "batch", "-e", "-"],
        cwd=root, input=sqs_event(BATCH), capture_output=True, timeout=120,
    )  # fmt: skip
    wall = time.perf_counter() - started
    assert result.returncode == 0, result.stderr.decode()
    report = next(line for line in result.stderr.decode().splitlines() if "REPORT" in line)
    duration = float(report.split("Duration: ")[1].split(" ms")[0]) / 1000
    return wall, duration


def pipeline(aws: Any, watch: Watch, source: str, rounds: int) -> tuple[float, float]:
    """Seconds per batch of 100, from the first write to the function's answer, and from
    the last write's return to the answer (what the emulator adds to the local AWS's own time)."""
    sqs, kinesis = aws.client("sqs"), aws.client("kinesis")
    url = sqs.get_queue_url(QueueName="bench-batch")["QueueUrl"]
    total = lag = 0.0
    for round_number in range(rounds):
        first = 1_000_000 * (1 + round_number) + (0 if source == "sqs" else 500_000)
        expected = watch.answered + BATCH
        started = time.perf_counter()
        if source == "sqs":
            for chunk in range(0, BATCH, 10):
                entries = [
                    {"Id": str(i), "MessageBody": reading(first + chunk + i)} for i in range(10)
                ]
                sqs.send_message_batch(QueueUrl=url, Entries=entries)
        else:
            records = [
                {"Data": reading(first + i), "PartitionKey": "one-shard"} for i in range(BATCH)
            ]
            kinesis.put_records(StreamName="bench-batch", Records=records)
        written = time.perf_counter()
        watch.wait_for(expected)
        total += time.perf_counter() - started
        lag += time.perf_counter() - written
    return total / rounds, lag / rounds


def latencies(aws: Any, watch: Watch, samples: int) -> dict[str, tuple[list[float], list[float]]]:
    """Per source: send -> function start, and the client call's own duration."""
    sqs, kinesis, sns, events = (aws.client(s) for s in ("sqs", "kinesis", "sns", "events"))
    url = sqs.get_queue_url(QueueName="bench-latency")["QueueUrl"]
    topic = "arn:aws:sns:us-east-1:123456789012:bench-latency"
    senders = {
        "sqs": lambda body: sqs.send_message(QueueUrl=url, MessageBody=body),
        "kinesis": lambda body: kinesis.put_record(
            StreamName="bench-latency", Data=body, PartitionKey="k"
        ),
        "sns": lambda body: sns.publish(TopicArn=topic, Message=body),
        "eventbridge": lambda body: events.put_events(
            Entries=[{"Source": "bench.latency", "DetailType": "r", "Detail": body}]
        ),
    }
    measured: dict[str, tuple[list[float], list[float]]] = {}
    number = 10_000_000
    for name, send in senders.items():
        measured[name] = ([], [])
        for _ in range(samples):
            number += 1
            expected = watch.answered + 1
            sent = time.monotonic()
            send(reading(number))
            returned = time.monotonic()
            watch.wait_for(expected)
            measured[name][0].append(watch.started[number] - sent)
            measured[name][1].append(returned - sent)
    return measured


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=20, help="batches of 100 per source")
    parser.add_argument("--samples", type=int, default=40, help="single writes per source")
    args = parser.parse_args()
    sys.path.insert(0, str(REPO_ROOT))

    from wasmdeploy.local.local_aws import LocalAws
    from wasmdeploy.local.pool import FunctionPool
    from wasmdeploy.local.sandbox_factory import SandboxFactory
    from wasmdeploy.local.sources.delivery import pool_delivery
    from wasmdeploy.local.sources.wiring import EventSources
    from wasmdeploy.manifest.load import load_service

    root = Path(tempfile.mkdtemp(prefix="bench-events-"))
    shutil.copy(MODULE, root / MODULE.name)
    (root / "wasmdeploy.yml").write_text(textwrap.dedent(MANIFEST))
    service = load_service(root / "wasmdeploy.yml")
    wall, module_seconds = baseline_cli(root)
    with LocalAws() as aws:
        pools = {
            f.name: FunctionPool(SandboxFactory(service, f, aws_endpoint=aws.endpoint_url),
                                 lambda line: None, max_concurrency=2)
            for f in service.functions
        }  # fmt: skip
        watches = {name: Watch(pool_delivery(pool)) for name, pool in pools.items()}
        sources = EventSources(aws.client, service, watches, lambda line: None)
        sources.start()
        try:
            for pool in pools.values():
                pool.warm()
            warm = baseline_warm(pools["batch"], args.rounds)
            per_batch = {
                s: pipeline(aws, watches["batch"], s, args.rounds) for s in ("sqs", "kinesis")
            }
            measured = latencies(aws, watches["latency"], args.samples)
        finally:
            sources.stop()
            for pool in pools.values():
                pool.close()
    shutil.rmtree(root, ignore_errors=True)

    print(f"Batches of {BATCH} readings, {args.rounds} rounds each")
    header = f"{'path':<44}{'s/batch':>9}{'records/s':>11}{'vs warm':>9}{'after write':>13}"
    print(header)
    rows = [
        ("module alone (REPORT Duration, invoke CLI)", module_seconds, None),
        ("warm sandbox, one SQS event (baseline)", warm, None),
        ("`wasmdeploy invoke` CLI, cold, once", wall, None),
        ("serve: SQS send_message_batch -> poller", *per_batch["sqs"]),
        ("serve: Kinesis put_records -> shard reader", *per_batch["kinesis"]),
    ]
    for label, seconds, lag in rows:
        after = f"{lag * 1000:.0f} ms" if lag is not None else ""
        print(
            f"{label:<44}{seconds:>9.4f}{BATCH / seconds:>11,.0f}{seconds / warm:>8.1f}x{after:>13}"
        )
    print(f"\nOne write, {args.samples} times per source")
    print(f"{'send -> function start':<44}{'p50 ms':>9}{'p99 ms':>11}{'call p50 ms':>13}")
    for name, (starts, calls) in measured.items():
        p50, p99 = percentile(starts, 0.5) * 1000, percentile(starts, 0.99) * 1000
        print(f"{name:<44}{p50:>9.1f}{p99:>11.1f}{statistics.median(calls) * 1000:>13.1f}")


if __name__ == "__main__":
    main()
