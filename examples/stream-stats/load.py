"""Feed the window-stats pipeline through the local AWS and print its throughput.

Start the service first (`wasmdeploy serve` in this directory), then:

    python3 load.py --windows 200 --readings 50

It publishes windows of readings to the `sensor-windows` topic as a gateway
would, reads the statistics the function publishes onward from the
`stream-stats-windows` queue (its onSuccess destination), and prints windows
and readings per second end to end. `--kinesis N` also puts N raw readings on
the `sensor-readings` stream, whose windows show in serve's log.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import time
from typing import Any

import boto3

TOPIC = "sensor-windows"
RESULTS_QUEUE = "stream-stats-windows"
STREAM = "sensor-readings"


def client(service: str, endpoint: str) -> Any:
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name=os.environ.get("AWS_DEFAULT_REGION", "us-east-1"),
        aws_access_key_id=os.environ.get("AWS_ACCESS_KEY_ID", "wasmdeploy-local"),
        aws_secret_access_key=os.environ.get("AWS_SECRET_ACCESS_KEY", "wasmdeploy-local"),
    )


def window(sensor: str, size: int, rng: random.Random) -> dict[str, Any]:
    base = 20 + 5 * rng.random()
    return {"sensor": sensor, "readings": [round(base + rng.gauss(0, 1.5), 3) for _ in range(size)]}


def publish_windows(endpoint: str, count: int, size: int, sensors: int, seed: int) -> float:
    sns = client("sns", endpoint)
    topic = sns.create_topic(Name=TOPIC)["TopicArn"]  # the existing topic's ARN
    rng = random.Random(seed)
    started = time.perf_counter()
    for first in range(0, count, 10):
        entries = [
            {"Id": str(i), "Message": json.dumps(window(f"s{i % sensors}", size, rng))}
            for i in range(first, min(first + 10, count))
        ]
        sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=entries)
    return started


def collect_results(endpoint: str, count: int, limit: float) -> list[dict[str, Any]]:
    sqs = client("sqs", endpoint)
    url = sqs.get_queue_url(QueueName=RESULTS_QUEUE)["QueueUrl"]
    results: list[dict[str, Any]] = []
    give_up = time.monotonic() + limit
    while len(results) < count and time.monotonic() < give_up:
        reply = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
        messages = reply.get("Messages", [])
        for message in messages:
            results.append(json.loads(message["Body"]))
        if messages:
            sqs.delete_message_batch(
                QueueUrl=url,
                Entries=[
                    {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]}
                    for i, m in enumerate(messages)
                ],
            )
    return results


def put_readings(endpoint: str, count: int, sensors: int, seed: int) -> float:
    kinesis = client("kinesis", endpoint)
    rng = random.Random(seed)
    started = time.perf_counter()
    for first in range(0, count, 500):
        records = [
            {
                "Data": json.dumps({"sensor": f"s{i % sensors}", "value": 20 + rng.gauss(0, 2)}),
                "PartitionKey": f"s{i % sensors}",
            }
            for i in range(first, min(first + 500, count))
        ]
        kinesis.put_records(StreamName=STREAM, Records=records)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--endpoint", default=os.environ.get("AWS_ENDPOINT_URL", "http://127.0.0.1:4566")
    )
    parser.add_argument("--windows", type=int, default=200, help="windows to publish")
    parser.add_argument("--readings", type=int, default=50, help="readings per window")
    parser.add_argument("--sensors", type=int, default=5)
    parser.add_argument("--kinesis", type=int, default=0, help="raw readings to put on the stream")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds to wait for results")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    sqs = client("sqs", args.endpoint)  # results of an earlier run (serve keeps its queues)
    sqs.purge_queue(QueueUrl=sqs.get_queue_url(QueueName=RESULTS_QUEUE)["QueueUrl"])
    started = publish_windows(args.endpoint, args.windows, args.readings, args.sensors, args.seed)
    results = collect_results(args.endpoint, args.windows, args.timeout)
    elapsed = time.perf_counter() - started
    ok = [r for r in results if r.get("requestContext", {}).get("condition") == "Success"]
    print(
        f"{len(ok)} of {args.windows} windows came back through {RESULTS_QUEUE} in {elapsed:.2f} s"
    )
    print(
        f"  {len(ok) / elapsed:,.1f} windows/s, {len(ok) * args.readings / elapsed:,.0f} readings/s"
    )
    if ok:
        sample = ok[0]["responsePayload"]["windows"][0]
        print(f"  e.g. {sample['sensor']}: mean {sample['mean']:.2f}, p95 {sample['p95']:.2f}")
    if args.kinesis:
        seconds = put_readings(args.endpoint, args.kinesis, args.sensors, args.seed)
        print(f"put {args.kinesis} readings on {STREAM} in {seconds:.2f} s: see serve's log")
    if len(ok) < args.windows:
        raise SystemExit(f"only {len(ok)} of {args.windows} windows were processed")


if __name__ == "__main__":
    main()
