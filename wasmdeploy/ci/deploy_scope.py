"""What a service's deploy role may touch: the names its stack really uses, per stage.

Read from the manifest with its variables resolved for each stage the role
deploys (names often hold `${sls:stage}`), without needing the modules built.
Names the stack derives itself start with `{service}-{stage}-` (functions,
layers, log groups, key-value tables, rules, stacks); names a user gives
(buckets, queues, topics, streams) are listed one by one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from wasmdeploy.errors import UserError
from wasmdeploy.manifest import settings
from wasmdeploy.manifest.arns import partition_for_region
from wasmdeploy.manifest.model import EDGE_REGION


@dataclass(frozen=True)
class DeployScope:
    """The service's resources across the stages one role deploys."""

    service: str
    stages: tuple[str, ...]
    regions: tuple[str, ...]  # where regional resources live (the stages' regions)
    partition: str = "aws"
    buckets: tuple[str, ...] = ()  # buckets the stack creates
    existing_buckets: tuple[str, ...] = ()  # trigger buckets marked `existing`
    retain_buckets: bool = True  # False: destroy empties and deletes the buckets
    queues: tuple[str, ...] = ()  # queues the stack creates
    topics: tuple[str, ...] = ()  # topics the stack creates
    streams: tuple[str, ...] = ()  # Kinesis streams the stack creates
    event_buses: tuple[str, ...] = ()  # custom EventBridge buses the stack creates
    rule_names: tuple[str, ...] = ()  # rules and schedules the manifest names itself
    # ${ssm:NAME} and ${cf:STACK.Output}, read when deploying: (region or "", name)
    parameters: tuple[tuple[str, str], ...] = ()
    read_stacks: tuple[tuple[str, str], ...] = ()
    source_arns: tuple[str, ...] = ()  # existing queues, topics and streams functions read
    edge: bool = False
    cdn: bool = False
    http_api: bool = False
    rest_api: bool = False
    rules: bool = False  # eventBridge or schedule events
    key_value: bool = False  # kv stores (DynamoDB tables)
    resources: bool = False  # serverless.yml `resources` (a CloudFormation stack)
    iam_statements: tuple[dict[str, Any], ...] = field(default=())

    @property
    def prefixes(self) -> tuple[str, ...]:
        """`{service}-{stage}-`: the start of every name the stack derives."""
        return tuple(f"{self.service}-{stage}-" for stage in self.stages)

    @property
    def function_regions(self) -> tuple[str, ...]:
        """Regions holding the service's functions: edge functions live in us-east-1."""
        return tuple(dict.fromkeys([*self.regions, *([EDGE_REGION] if self.edge else [])]))

    asynchronous: bool = False  # s3, sns, eventBridge or schedule events: failures go to a DLQ

    @property
    def event_sources(self) -> bool:
        """Mappings or dead-letter queues: the stack creates queues and mappings."""
        return bool(
            self.queues or self.streams or self.source_arns or self.key_value or self.asynchronous
        )


ASYNC_KINDS = ("s3", "sns", "eventBridge", "schedule")
# `${ssm:/path}`, `${ssm(eu-west-1):/path}`, `${cf:stack.Output}`, `${cf(region):stack.Output}`
DEPLOY_TIME_SOURCE = re.compile(r"\$\{(ssm|cf)(?:\(([^)]*)\))?:((?:[^${}]|\$\{[^{}]*\})+)\}")
NESTED_VARIABLE = re.compile(r"\$\{[^{}]*\}")


def deploy_time_reads(
    text: str, service: str, stage: str
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The SSM parameters and CloudFormation stacks the manifest reads while deploying;
    a name holding another variable is the stage's name, or `*` where it cannot be known."""
    known = {"sls:stage": stage, "opt:stage": stage, "self:service": service}

    def value(match: re.Match[str]) -> str:
        return known.get(match.group(0)[2:-1].strip(), "*")

    parameters, stacks = [], []
    for source, region, reference in DEPLOY_TIME_SOURCE.findall(text):
        name = NESTED_VARIABLE.sub(value, reference)
        name = name.split(",", 1)[0].strip().removesuffix("~true")
        if source == "ssm":
            parameters.append((region.strip(), name))
        else:
            stacks.append((region.strip(), name.rsplit(".", 1)[0]))
    return parameters, stacks


def _names(values: Iterable[Any]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(str(value) for value in values if value))


def dead_letter_queue(queue: str) -> str:
    """The queue the stack creates beside a queue for what fails: `orders-dlq`."""
    if queue.endswith(".fifo"):
        return queue[: -len(".fifo")] + "-dlq.fifo"
    return f"{queue}-dlq"


@dataclass
class _Collected:
    buckets: list[str] = field(default_factory=list)
    existing_buckets: list[str] = field(default_factory=list)
    queues: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    streams: list[str] = field(default_factory=list)
    event_buses: list[str] = field(default_factory=list)
    rule_names: list[str] = field(default_factory=list)
    source_arns: list[str] = field(default_factory=list)
    kinds: set[str] = field(default_factory=set)

    def event(self, kind: str, body: Any) -> None:
        self.kinds.add(kind)
        spec = settings.as_dict(body)
        if kind == "s3":
            bucket = body if isinstance(body, str) else spec.get("bucket")
            target = self.existing_buckets if spec.get("existing") else self.buckets
            target.append(str(bucket or ""))
        elif kind == "sqs":
            queue = spec.get("queue")
            named = queue if isinstance(queue, str) else settings.as_dict(queue).get("name")
            if isinstance(body, str) or spec.get("arn"):
                self._named_or_arn(body, spec, "queue", self.queues)
            elif named:
                self.queues += [str(named), dead_letter_queue(str(named))]
        elif kind == "stream":
            self._named_or_arn(body, spec, "name", self.streams)
        elif kind == "sns":
            if isinstance(body, str):
                (self.source_arns if body.startswith("arn:") else self.topics).append(body)
            elif spec.get("arn"):
                self.source_arns.append(str(spec["arn"]))
            else:
                self.topics.append(str(spec.get("topicName") or ""))
        if kind in ("eventBridge", "schedule") and isinstance(spec.get("name"), str):
            self.rule_names.append(spec["name"])
        if kind == "eventBridge":
            bus = spec.get("eventBus")
            if isinstance(bus, str) and bus and not bus.startswith("arn:") and bus != "default":
                self.event_buses.append(bus)

    def _named_or_arn(self, body: Any, spec: dict[str, Any], key: str, created: list[str]) -> None:
        if isinstance(body, str):
            self.source_arns.append(body)
        elif spec.get("arn"):
            arn = spec["arn"]
            self.source_arns.append(arn if isinstance(arn, str) else "")
        else:
            created.append(str(spec.get(key) or ""))


def collect_stage(data: Any, collected: _Collected) -> None:
    """Every resource name one stage's resolved manifest mentions."""
    for body in settings.functions_of(data).values():
        for event in settings.as_list(body.get("events")):
            for kind, spec in settings.as_dict(event).items():
                collected.event(str(kind), spec)
        output = settings.as_dict(body.get("output"))
        if output.get("bucket"):
            collected.buckets.append(str(output["bucket"]))
        if settings.is_edge(body):
            collected.kinds.add("edge")
        if body.get("kv"):
            collected.kinds.add("kv")
    cdn = settings.as_dict(settings.as_dict(data).get("cdn"))
    if cdn:
        collected.kinds.add("cdn")
        origin = cdn.get("origin")
        if isinstance(origin, dict) and origin.get("bucket"):
            collected.buckets.append(str(origin["bucket"]))
    if settings.as_dict(data).get("kv"):
        collected.kinds.add("kv")
    if settings.as_dict(data).get("resources"):
        collected.kinds.add("resources")


def build_scope(
    service: str,
    stages: tuple[str, ...],
    stage_data: list[Any],
    partition: str | None = None,
) -> DeployScope:
    """A scope from each stage's resolved manifest (in the order of `stages`)."""
    collected = _Collected()
    regions: list[str] = []
    iam: list[dict[str, Any]] = []
    retain = True
    for data in stage_data:
        collect_stage(data, collected)
        regions.append(settings.region(data, None))
        iam += [s for s in settings.iam_statements(data) if s not in iam]
        retain = retain and settings.provider_of(data).get("retainBuckets") is not False
    kinds = collected.kinds
    existing = _names(collected.existing_buckets)
    return DeployScope(
        service=service,
        stages=stages,
        regions=_names(regions),
        partition=partition or partition_for_region(regions[0] if regions else "us-east-1"),
        buckets=tuple(b for b in _names(collected.buckets) if b not in existing),
        existing_buckets=existing,
        retain_buckets=retain,
        queues=_names(collected.queues),
        topics=_names(collected.topics),
        streams=_names(collected.streams),
        event_buses=_names(collected.event_buses),
        rule_names=_names(collected.rule_names),
        source_arns=_names(collected.source_arns),
        edge="edge" in kinds,
        cdn="cdn" in kinds,
        http_api="httpApi" in kinds,
        rest_api="http" in kinds,
        rules="eventBridge" in kinds or "schedule" in kinds,
        key_value="kv" in kinds,
        resources="resources" in kinds,
        iam_statements=tuple(iam),
        asynchronous=any(kind in kinds for kind in ASYNC_KINDS),
    )


def read_deploy_scope(
    manifest: Path, stages: tuple[str, ...], partition: str | None = None
) -> DeployScope:
    """The scope of the manifest's service for `stages` (its default stage when empty)."""
    from wasmdeploy.manifest.load import load_manifest

    stage_data = []
    chosen = stages or (None,)
    for stage in chosen:
        result = load_manifest(manifest, stage=stage, inspect_modules=False)
        if not isinstance(result.data, dict) or not result.data.get("service"):
            first = result.errors[0].message if result.errors else "no `service:` name"
            raise UserError(
                f"cannot read the service's resources from {manifest.name}: {first}",
                hint="the deploy role is scoped to the manifest's names: fix the manifest "
                "(wasmdeploy validate), or pass -f with the right one.",
            )
        stage_data.append(result.data)
    name = stage_data[0]["service"]
    service = str(name.get("name") if isinstance(name, dict) else name)
    names = tuple(s or settings.stage(d, None) for s, d in zip(chosen, stage_data, strict=True))
    scope = build_scope(service, names, stage_data, partition)
    try:
        text = manifest.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return scope
    parameters: list[tuple[str, str]] = []
    stacks: list[tuple[str, str]] = []
    for stage in names:
        found = deploy_time_reads(text, service, stage)
        parameters += [p for p in found[0] if p not in parameters]
        stacks += [s for s in found[1] if s not in stacks]
    return replace(scope, parameters=tuple(parameters), read_stacks=tuple(stacks))
