"""Run the program under Pulumi's mocks: no engine, no CLI, no cloud.

`run_mocked(service, artifacts, mocks)` declares the service with a mock
resource monitor that records every registration as the program made it
(type, logical name, parent, provider, inputs in Pulumi's camelCase names).
`plan` uses it with `PlanMocks`; the functional tests with mocks backed by moto.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

import pulumi
from pulumi.runtime import rpc
from pulumi.runtime.mocks import MockMonitor, Mocks
from pulumi.runtime.sync_await import _ensure_event_loop

from wasmdeploy.build.package import PackageResult
from wasmdeploy.manifest.model import Service
from wasmdeploy.stacks.program import check_deployable, declare_service

PROVIDER_TYPE_PREFIX = "pulumi:providers:"
STACK_TYPE = "pulumi:pulumi:Stack"


@dataclass(frozen=True)
class RegisteredResource:
    type: str
    name: str
    parent: str | None  # the parent's logical name; None for top-level resources
    provider: str | None  # the explicit provider's logical name, if any
    custom: bool  # False for components
    inputs: dict[str, Any]
    retain_on_delete: bool = False
    urn: str = ""
    parent_urn: str | None = None  # None for top-level resources


@dataclass
class MockedRun:
    resources: list[RegisteredResource] = field(default_factory=list)
    outputs: dict[str, Any] = field(default_factory=dict)

    def of_type(self, type_token: str) -> list[RegisteredResource]:
        return [r for r in self.resources if r.type == type_token]

    def named(self, name: str) -> RegisteredResource:
        for resource in self.resources:
            if resource.name == name:
                return resource
        raise KeyError(name)

    def provider_region(self, resource: RegisteredResource) -> str | None:
        if resource.provider is None:
            return None
        region = self.named(resource.provider).inputs.get("region")
        return str(region) if region is not None else None


def name_from_urn(urn: str) -> str:
    return urn.split("::")[-1]


def provider_name(reference: str) -> str | None:
    """A provider reference is "<urn>::<id>"; the urn ends with the provider's name."""
    if not reference:
        return None
    parts = reference.split("::")
    return parts[-2] if len(parts) >= 2 else None


def plain(value: Any) -> Any:
    """Inputs as JSON-ready data: assets and archives become {"path": ...}."""
    if isinstance(value, pulumi.FileArchive | pulumi.FileAsset):
        return {"path": value.path}
    if isinstance(value, pulumi.Archive | pulumi.Asset):
        return {"asset": type(value).__name__}
    if isinstance(value, float) and value.is_integer():
        return int(value)  # the wire format has only doubles; 512.0 was 512 in the program
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    return value


class RecordingMonitor(MockMonitor):
    """The mock monitor, keeping what the engine would have seen of each registration."""

    def __init__(self, mocks: Mocks) -> None:
        super().__init__(mocks)
        self.registered: list[RegisteredResource] = []
        self._lock = threading.Lock()

    def RegisterResource(self, request: Any) -> Any:
        if request.type != STACK_TYPE:
            _ensure_event_loop()
            inputs = rpc.deserialize_properties(request.object)
            parent_urn: str | None = request.parent or None
            if parent_urn is not None and parent_urn.split("::")[-2].endswith(STACK_TYPE):
                parent_urn = None
            record = RegisteredResource(
                type=request.type,
                name=request.name,
                parent=name_from_urn(parent_urn) if parent_urn else None,
                provider=provider_name(request.provider),
                custom=bool(request.custom),
                inputs=plain(inputs),
                retain_on_delete=bool(getattr(request, "retainOnDelete", False)),
                urn=self.make_urn(request.parent, request.type, request.name),
                parent_urn=parent_urn,
            )
            with self._lock:
                self.registered.append(record)
        return super().RegisterResource(request)


def run_mocked(service: Service, artifacts: PackageResult, mocks: Mocks) -> MockedRun:
    """Declare the service under `mocks`; return what was registered and the stack outputs."""
    check_deployable(service, artifacts)
    monitor = RecordingMonitor(mocks)
    pulumi.runtime.set_mocks(
        mocks, project=service.name, stack=service.stage, preview=False, monitor=monitor
    )
    run = MockedRun()

    def body() -> pulumi.Output[None]:
        declared = declare_service(service, artifacts)
        return pulumi.Output.from_input(declared.outputs).apply(run.outputs.update)

    pulumi.runtime.test(body)()
    run.resources = list(monitor.registered)
    return run
