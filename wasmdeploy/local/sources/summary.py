"""What `serve` prints about the event sources: one row per trigger, and the local timings."""

from __future__ import annotations

from typing import TYPE_CHECKING

from wasmdeploy.local.sources.async_queue import AWS_RETRY_DELAYS

if TYPE_CHECKING:
    from wasmdeploy.local.emulator import LocalEmulator
    from wasmdeploy.manifest.model import Destination, Function


def event_source_rows(function: Function) -> list[str]:
    """Each schedule, queue, stream, topic and rule that runs the function, as a table row."""
    events = function.events
    rows: list[str] = []
    for schedule in events.schedules:
        state = "" if schedule.enabled else "  (disabled)"
        rows.extend(f"schedule {expression}{state}" for expression in schedule.expressions)
    for sqs in events.sqs:
        window = f", window {sqs.maximum_batching_window}s" if sqs.maximum_batching_window else ""
        partial = ", partial batch responses" if sqs.report_batch_item_failures else ""
        rows.append(f"sqs {sqs.queue} (batch {sqs.batch_size}{window}{partial})")
    for stream in events.streams:
        window = f", {stream.tumbling_window}s windows" if stream.tumbling_window else ""
        rows.append(
            f"{stream.type} {stream.stream} (batch {stream.batch_size}, "
            f"from {stream.starting_position}{window}){_failures_to(stream.on_failure)}"
        )
    for sns in events.sns:
        policy = "  (filter policy)" if sns.filter_policy else ""
        rows.append(f"sns {sns.topic}{policy}")
    for rule in events.event_bridge:
        what = f"schedule {rule.schedule}" if rule.schedule else "pattern"
        rows.append(f"eventBridge {rule.event_bus} {what}")
    config = function.async_config
    if config is not None and (function.s3_triggers or events.sns or events.event_bridge
                               or events.schedules):  # fmt: skip
        retries = config.maximum_retry_attempts
        rows.append(
            f"  asynchronous: {retries} retr{'y' if retries == 1 else 'ies'}"
            f"{_failures_to(config.on_failure)}"
        )
    return rows


def _failures_to(destination: Destination | None) -> str:
    if destination is None:
        return ""
    return f", failures -> {destination.name or destination.arn}"


def event_source_lines(emulator: LocalEmulator) -> list[str]:
    """The asynchronous retry delays (shortened locally) and when each schedule fires next."""
    sources = emulator.sources
    if sources is None or not sources.async_queues:
        return []
    endpoint = emulator.aws.endpoint_url
    local = ", ".join(f"{delay}s" for delay in emulator.retry_delays)
    aws = ", ".join(f"{delay // 60} min" for delay in AWS_RETRY_DELAYS)
    lines = [
        f"  (aws CLI v1 ignores AWS_ENDPOINT_URL for sqs: aws --endpoint-url {endpoint} sqs ...)",
        f"Asynchronous invocations (S3, SNS, EventBridge, schedules): retries after {local} "
        f"locally (AWS: about {aws}), then the onFailure destination.",
    ]
    for schedule, when in sources.next_fires():
        lines.append(f"Next {schedule.label}: {when:%Y-%m-%d %H:%M:%S} UTC")
    return lines
