"""The resolved service: the single intermediate form every later layer reads.

The manifest loader produces a `Service`; the packager, the Pulumi program and
the local emulator read it. Nothing downstream reads raw YAML. Values here are
resolved: precedence (CLI option > function > provider > default) is applied
by `wasmdeploy.manifest.resolve`, sizes are bytes, durations are seconds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from wasmdeploy.manifest.model_auth import CorsSettings, RestApiKeys, RouteAuthorizer
from wasmdeploy.manifest.model_aws import FunctionAws
from wasmdeploy.manifest.model_events import (
    AsyncConfig,
    Destination,
    EventBridgeTrigger,
    EventBus,
    EventResources,
    EventSources,
    InputTransformer,
    Queue,
    ScheduleTrigger,
    SnsTrigger,
    SqsTrigger,
    Stream,
    StreamTrigger,
    Topic,
)
from wasmdeploy.manifest.model_resources import ServiceResources

__all__ = [  # the event-source types, defined in model_events, are part of the model
    "AsyncConfig", "Destination", "EventBridgeTrigger", "EventBus", "EventResources",
    "EventSources", "InputTransformer", "Queue", "ScheduleTrigger", "SnsTrigger",
    "SqsTrigger", "Stream", "StreamTrigger", "Topic",
]  # fmt: skip

Abi = Literal["wasi", "exports"]
InputMode = Literal["event", "object"]
RouteKind = Literal["httpApi", "http"]
EdgeEventType = Literal["origin-request", "origin-response"]
CdnOriginKind = Literal["bucket", "httpApi", "domain"]

WASI_IMPORTS = "wasi_snapshot_preview1.*"
DEFAULT_ALLOWED_IMPORTS: tuple[str, ...] = (WASI_IMPORTS, "env.abort")
DEFAULT_RUNTIME = "provided.al2023"
DEFAULT_ARCHITECTURE = "x86_64"
DEFAULT_REGION = "us-east-1"
DEFAULT_STAGE = "dev"
DEFAULT_MEMORY_SIZE = 128
DEFAULT_TIMEOUT = 6
DEFAULT_MEMORY_LIMIT = 128 * 1024 * 1024
DEFAULT_STACK_LIMIT = 1024 * 1024
EDGE_REGION = "us-east-1"
EDGE_RUNTIME = "python3.13"
KV_IMPORTS = "wasmdeploy_kv.*"  # what a function granted a key-value store may import
DEFAULT_KV_STORE = "default"  # exists whenever a function names it


@dataclass(frozen=True)
class Sandbox:
    """Limits the runtime enforces on every invocation of a module."""

    memory_limit: int = DEFAULT_MEMORY_LIMIT  # bytes of linear memory
    stack_limit: int = DEFAULT_STACK_LIMIT  # bytes of wasm stack
    max_time: float | None = None  # seconds; None = bounded by the Lambda deadline only
    allowed_imports: tuple[str, ...] = DEFAULT_ALLOWED_IMPORTS  # "module.name", "*" globs
    fuel: int | None = None


@dataclass(frozen=True)
class S3Trigger:
    """An `events: - s3:` entry."""

    bucket: str
    events: tuple[str, ...] = ("s3:ObjectCreated:*",)
    prefix: str | None = None
    suffix: str | None = None
    existing: bool = False  # the bucket exists already: do not create it


@dataclass(frozen=True)
class HttpRoute:
    """An `httpApi` (API Gateway v2, payload 2.0) or `http` (REST, payload 1.0) route."""

    kind: RouteKind
    method: str  # upper case; "ANY" for any method (httpApi `*` is normalised to ANY)
    path: str  # "/hello/{name}", "/files/{proxy+}", or "$default" (httpApi only)
    cors: bool = False
    authorizer: RouteAuthorizer | None = None  # None: anyone may call the route
    private: bool = False  # REST: callers need an API key (x-api-key)

    @property
    def route_key(self) -> str:
        """API Gateway v2's route key: "GET /hello/{name}" or "$default"."""
        return self.path if self.path == "$default" else f"{self.method} {self.path}"

    @property
    def payload_version(self) -> str:
        """The event format API Gateway sends: "2.0" (HTTP API) or "1.0" (REST API)."""
        return "2.0" if self.kind == "httpApi" else "1.0"


@dataclass(frozen=True)
class EdgeTrigger:
    """A Lambda@Edge association on the service's CloudFront distribution."""

    event_type: EdgeEventType
    path_pattern: str = "*"  # "*" means the default cache behaviour
    include_body: bool = False


@dataclass(frozen=True)
class ObjectOutput:
    """Where an S3-triggered function's stdout is written.

    `key` is a template with the fields {key} {basename} {stem} {ext} {bucket}.
    """

    bucket: str
    key: str


@dataclass(frozen=True)
class KvStore:
    """A key-value store of the service (`kv:`): one DynamoDB table in AWS."""

    name: str
    table: str  # "{service}-{stage}-{name}"
    ttl: float | None = None  # seconds an entry lives after its last write
    retain: bool = True  # the table (and its data) survives `destroy`


@dataclass(frozen=True)
class Function:
    name: str  # the key under `functions:`
    deployed_name: str  # "{service}-{stage}-{name}", the Lambda function name
    handler: str  # the manifest's handler string, e.g. "wasm-handler" or "mod.wasm#handle"
    module: Path  # absolute path of the .wasm file
    module_relpath: str  # the module's path relative to the manifest directory ("mod.wasm")
    abi: Abi
    export: str | None  # the exports-ABI function name, None for wasi
    runtime: str  # the AWS runtime deployed: provided.al2023 | python3.12 | python3.13
    architecture: str  # x86_64 | arm64
    memory_size: int  # MB
    timeout: int  # seconds
    sandbox: Sandbox
    description: str | None = None
    environment: dict[str, str] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    input: InputMode = "event"
    output: ObjectOutput | None = None
    s3_triggers: tuple[S3Trigger, ...] = ()
    routes: tuple[HttpRoute, ...] = ()
    edge: EdgeTrigger | None = None
    build: str | None = None  # shell command producing the module, run in the manifest dir
    build_optimize: str | None = None  # wasm-opt level after the build: O1..O4, Os, Oz
    build_strip: bool = False  # wasm-opt strips debug info and producers after the build
    iam_statements: tuple[dict[str, Any], ...] = ()
    log_retention_days: int | None = None
    requested_runtime: str | None = None  # what the manifest said, when it differs (provided.al2)
    kv: tuple[KvStore, ...] = ()  # the key-value stores granted to the function
    events: EventSources = field(default_factory=EventSources)  # schedule, sqs, stream, sns...
    async_config: AsyncConfig | None = None  # set when an asynchronous source can invoke it
    aws: FunctionAws = field(default_factory=FunctionAws)  # role, vpc, tracing, concurrency...

    @property
    def is_edge(self) -> bool:
        return self.edge is not None

    @property
    def reads_objects(self) -> bool:
        return self.input == "object"


@dataclass(frozen=True)
class Cdn:
    """The service's CloudFront distribution (needed by edge functions)."""

    origin_kind: CdnOriginKind
    origin: str  # bucket name, domain name, or "" for the stack's HTTP API
    price_class: str = "PriceClass_100"
    default_root_object: str | None = None
    comment: str | None = None


@dataclass(frozen=True)
class Service:
    name: str
    stage: str
    region: str
    manifest_path: Path  # absolute path of wasmdeploy.yml
    functions: tuple[Function, ...]
    tags: dict[str, str] = field(default_factory=dict)
    backend: str | None = None  # Pulumi backend URL (s3://... or file://...)
    cdn: Cdn | None = None
    retain_buckets: bool = True  # buckets the stack creates survive `destroy`
    custom: dict[str, Any] = field(default_factory=dict)
    kv_stores: tuple[KvStore, ...] = ()  # every store a function is granted or `kv:` declares
    event_resources: EventResources = field(default_factory=EventResources)  # created by it
    resources: ServiceResources | None = None  # `resources:`, deployed as a CloudFormation stack
    http_api_cors: CorsSettings | None = None  # provider.httpApi.cors
    rest_api_keys: RestApiKeys | None = None  # provider.apiGateway.apiKeys and usagePlan
    deferred: tuple[str, ...] = ()  # variables only a deploy resolves (${aws:accountId}...)

    @property
    def root(self) -> Path:
        """The manifest's directory: handlers and build commands are relative to it."""
        return self.manifest_path.parent

    @property
    def stack_name(self) -> str:
        return self.stage

    def function(self, name: str) -> Function:
        for function in self.functions:
            if function.name == name:
                return function
        raise KeyError(name)

    @property
    def buckets_to_create(self) -> tuple[str, ...]:
        """Buckets the stack owns: trigger buckets not marked `existing`, and the CDN's."""
        names: dict[str, None] = {}
        existing = {t.bucket for f in self.functions for t in f.s3_triggers if t.existing}
        for function in self.functions:
            for trigger in function.s3_triggers:
                if not trigger.existing:
                    names[trigger.bucket] = None
            if function.output and function.output.bucket not in existing:
                names[function.output.bucket] = None
        if self.cdn and self.cdn.origin_kind == "bucket" and self.cdn.origin not in existing:
            names[self.cdn.origin] = None
        return tuple(names)
