"""Event sources from wasmdeploy.yml to the model: both forms, defaults, created resources."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
import wasmtime

from wasmdeploy.manifest.load import load_manifest, load_service
from wasmdeploy.manifest.model import Destination, Queue, Service
from wasmdeploy.manifest.render import render_service
from wasmdeploy.manifest.schedule_expression import Cron, Rate

QUEUE_ARN = "arn:aws:sqs:us-east-1:123456789012:existing"


def write(root: Path, manifest: str) -> Path:
    (root / "fn.wasm").write_bytes(wasmtime.wat2wasm('(module (func (export "_start")))'))
    path = root / "wasmdeploy.yml"
    path.write_text(textwrap.dedent(manifest))
    return path


def service_of(root: Path, functions: str) -> Service:
    return load_service(
        write(root, "service: svc\nfunctions:\n" + textwrap.indent(functions, "  "))
    )


def test_short_forms_read_as_serverless_does(tmp_path: Path) -> None:
    service = service_of(
        tmp_path,
        f"""\
fn:
  handler: fn.wasm
  events:
    - schedule: rate(5 minutes)
    - sqs: {QUEUE_ARN}
    - stream: arn:aws:kinesis:us-east-1:123456789012:stream/readings
    - sns: alerts
""",
    )
    sources = service.function("fn").events
    (schedule,) = sources.schedules
    assert schedule.expressions == ("rate(5 minutes)",)
    assert isinstance(schedule.schedules[0], Rate) and schedule.schedules[0].seconds == 300
    assert (sources.sqs[0].queue, sources.sqs[0].arn, sources.sqs[0].batch_size) == (
        "existing",
        QUEUE_ARN,
        10,
    )
    stream = sources.streams[0]
    assert (stream.type, stream.stream, stream.starting_position) == (
        "kinesis",
        "readings",
        "TRIM_HORIZON",
    )
    assert stream.on_failure == Destination(type="sqs", name="svc-dev-fn-stream-dlq")
    assert (sources.sns[0].topic, sources.sns[0].arn) == ("alerts", None)
    assert [t.name for t in service.event_resources.topics] == ["alerts"]


def test_long_forms_carry_every_setting(tmp_path: Path) -> None:
    service = service_of(
        tmp_path,
        """\
fn:
  handler: fn.wasm
  timeout: 20
  maximumRetryAttempts: 0
  maximumEventAge: 120
  destinations:
    onSuccess: other
    onFailure: arn:aws:sns:us-east-1:123456789012:failed
  events:
    - schedule:
        rate: [cron(0 12 * * ? *), rate(1 hour)]
        enabled: false
        input: '{"report": "daily"}'
        method: scheduler
        timezone: Europe/Paris
    - sqs:
        queue: {name: jobs.fifo, maxReceiveCount: 2}
        functionResponseType: ReportBatchItemFailures
        maximumConcurrency: 5
    - stream:
        type: kinesis
        name: readings
        startingPosition: AT_TIMESTAMP
        startingPositionTimestamp: 1767225600
        tumblingWindowInSeconds: 60
        consumer: true
    - eventBridge:
        eventBus: arn:aws:events:us-east-1:123456789012:event-bus/shared
        pattern: {source: [shop]}
        retryPolicy: {maximumRetryAttempts: 4, maximumEventAge: 3600}
other:
  handler: fn.wasm
""",
    )
    function = service.function("fn")
    schedule = function.events.schedules[0]
    assert schedule.enabled is False and schedule.input == {"report": "daily"}
    assert (schedule.method, schedule.timezone) == ("scheduler", "Europe/Paris")
    assert isinstance(schedule.schedules[0], Cron)
    sqs = function.events.sqs[0]
    assert (sqs.queue, sqs.report_batch_item_failures, sqs.maximum_concurrency) == (
        "jobs.fifo",
        True,
        5,
    )
    stream = function.events.streams[0]
    assert stream.starting_position_timestamp == 1767225600.0
    assert (stream.tumbling_window, stream.consumer) == (60, True)
    rule = function.events.event_bridge[0]
    assert (rule.event_bus, rule.creates_bus) == ("shared", False)
    assert (rule.retry_maximum_attempts, rule.retry_maximum_event_age) == (4, 3600)
    config = function.async_config
    assert config is not None
    assert (config.maximum_retry_attempts, config.maximum_event_age) == (0, 120)
    assert config.on_success == Destination(type="function", name="other")
    assert config.on_failure == Destination(
        type="sns", arn="arn:aws:sns:us-east-1:123456789012:failed"
    )
    queues = {q.name: q for q in service.event_resources.queues}
    assert queues["jobs.fifo"] == Queue(
        name="jobs.fifo",
        visibility_timeout=120,
        dead_letter_queue="jobs-dlq.fifo",
        max_receive_count=2,
        fifo=True,
    )
    assert queues["jobs-dlq.fifo"].fifo and queues["jobs-dlq.fifo"].is_dead_letter_queue
    assert [s.name for s in service.event_resources.streams] == ["readings"]
    assert service.function("other").async_config is None


def test_asynchronous_functions_get_a_dead_letter_queue(tmp_path: Path) -> None:
    service = service_of(
        tmp_path,
        """\
fn:
  handler: fn.wasm
  events:
    - s3: uploads-bucket
""",
    )
    config = service.function("fn").async_config
    assert config is not None and config.maximum_retry_attempts == 2
    assert config.on_failure == Destination(type="sqs", name="svc-dev-fn-async-dlq")
    assert [q.name for q in service.event_resources.queues] == ["svc-dev-fn-async-dlq"]


def test_a_queue_two_functions_consume_is_created_once_for_the_longest_timeout(
    tmp_path: Path,
) -> None:
    service = service_of(
        tmp_path,
        """\
a:
  handler: fn.wasm
  timeout: 5
  events: [{sqs: {queue: shared}}]
b:
  handler: fn.wasm
  timeout: 30
  events: [{sqs: {queue: shared}}]
""",
    )
    assert [(q.name, q.visibility_timeout) for q in service.event_resources.queues] == [
        ("shared", 180),
        ("shared-dlq", 30),
    ]


@pytest.mark.parametrize(
    ("entry", "line", "says"),
    [
        ("- schedule: rate(2 minute)", 5, "plural unit"),
        ("- sqs: {arn: 'arn:aws:sns:us-east-1:123456789012:t'}", 5, "not of an SQS queue"),
        ("- stream: {type: kinesis, name: s, startingPosition: AT_TIMESTAMP}", 5, "needs start"),
    ],
)
def test_problems_name_the_line(tmp_path: Path, entry: str, line: int, says: str) -> None:
    path = write(
        tmp_path,
        f"service: svc\nfunctions:\n  fn:\n    handler: fn.wasm\n    events:\n      {entry}\n",
    )
    result = load_manifest(path)
    rendered = [problem.render() for problem in result.errors]
    assert any(f"wasmdeploy.yml:{line + 1}:" in text and says in text for text in rendered), (
        rendered
    )


def test_printed_manifest_loads_back_to_the_same_sources(tmp_path: Path) -> None:
    first = service_of(
        tmp_path,
        f"""\
fn:
  handler: fn.wasm
  timeout: 7
  maximumEventAge: 300
  destinations: {{onSuccess: other}}
  events:
    - schedule: {{rate: [rate(1 hour)], input: {{a: 1}}, method: scheduler, timezone: UTC}}
    - sqs: {{queue: {{name: jobs, visibilityTimeout: 90}}, batchSize: 20, maximumBatchingWindow: 3}}
    - sqs: {QUEUE_ARN}
    - stream:
        type: kinesis
        name: readings
        startingPosition: LATEST
        destinations: {{onFailure: arn:aws:sns:us-east-1:123456789012:failed}}
    - sns:
        topicName: alerts
        displayName: Alerts
        kmsMasterKeyId: alias/aws/sns
        filterPolicy: {{a: [b]}}
    - eventBridge:
        eventBus: bus
        pattern: {{source: [x]}}
        retryPolicy: {{maximumRetryAttempts: 3}}
other:
  handler: fn.wasm
""",
    )
    again = tmp_path / "again"
    again.mkdir()
    second = load_service(write(again, render_service(first)))
    for name in ("fn", "other"):
        assert second.function(name).events == first.function(name).events
        assert second.function(name).async_config == first.function(name).async_config
    assert second.event_resources == first.event_resources
