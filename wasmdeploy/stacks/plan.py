"""`plan`: what a deploy would create, from the program run under mocks.

Each entry is `{"type", "name", "parent", "provider", "inputs"}`: the type token,
the logical name, the parent's logical name, the region of the resource's
explicit provider (None for components and providers), and the inputs exactly
as the program registered them (Pulumi's camelCase names).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from wasmdeploy.build.package import PackageResult
from wasmdeploy.manifest.model import Service
from wasmdeploy.stacks.mocked_run import MockedRun, RegisteredResource, run_mocked
from wasmdeploy.stacks.plan_mocks import PlanMocks

PlanEntry = dict[str, Any]


@dataclass(frozen=True)
class Plan:
    entries: list[PlanEntry]
    retained: list[str]  # logical names kept on `destroy`
    outputs: dict[str, Any]


def plan_service(service: Service, artifacts: PackageResult) -> Plan:
    run = run_mocked(service, artifacts, PlanMocks(service.region))
    ordered = ordered_resources(run)
    entries = [
        {
            "type": resource.type,
            "name": resource.name,
            "parent": resource.parent,
            "provider": run.provider_region(resource),
            "inputs": resource.inputs,
        }
        for resource in ordered
    ]
    retained = [r.name for r in ordered if r.retain_on_delete]
    return Plan(entries, retained, run.outputs)


def ordered_resources(run: MockedRun) -> list[RegisteredResource]:
    """Providers first, then each top-level resource followed by its children, by name."""
    children: dict[str | None, list[RegisteredResource]] = {}
    for resource in run.resources:
        children.setdefault(resource.parent_urn, []).append(resource)
    ordered: list[RegisteredResource] = []

    def visit(parent_urn: str | None) -> None:
        for resource in sorted(
            children.get(parent_urn, []), key=lambda r: (not r.type.startswith("pulumi:"), r.name)
        ):
            ordered.append(resource)
            visit(resource.urn)

    visit(None)
    return ordered


def _statement_actions(policy: Any) -> list[str]:
    try:
        document = json.loads(policy) if isinstance(policy, str) else policy
        actions: list[str] = []
        for statement in document.get("Statement", []):
            action = statement.get("Action", [])
            actions += [action] if isinstance(action, str) else list(action)
        return actions
    except (ValueError, AttributeError):
        return []


def _trusted(policy: Any) -> str:
    try:
        document = json.loads(policy)
        services: list[str] = []
        for statement in document["Statement"]:
            service = statement.get("Principal", {}).get("Service", [])
            services += [service] if isinstance(service, str) else list(service)
        return "trusts " + ", ".join(services)
    except (ValueError, KeyError, TypeError):
        return ""


def _associations(behaviour: dict[str, Any]) -> str:
    items = behaviour.get("lambdaFunctionAssociations") or []
    return ", ".join(f"{a.get('eventType')} -> {a.get('lambdaArn')}" for a in items)


def key_inputs(entry: PlanEntry) -> str:
    """A one-line summary of the inputs that matter for this type of resource."""
    inputs = entry["inputs"]
    if entry["type"].startswith("pulumi:providers:"):
        return f"region {inputs.get('region')}"
    if not entry["type"].startswith("aws:"):
        return ""  # a component: its children say what it does
    kind = entry["type"].split(":")[-1]
    if kind == "Function":
        layers = len(inputs.get("layers") or [])
        parts = [
            str(inputs.get("runtime")),
            "/".join(inputs.get("architectures") or []),
            f"{inputs.get('memorySize')} MB",
            f"{inputs.get('timeout')} s",
            f"handler {inputs.get('handler')}",
            f"{layers} layer(s)",
        ]
        if inputs.get("publish"):
            parts.append("published")
        return ", ".join(parts)
    if kind == "Role":
        return _trusted(inputs.get("assumeRolePolicy"))
    if kind in ("RolePolicy", "BucketPolicy"):
        return ", ".join(_statement_actions(inputs.get("policy")))
    if kind == "LogGroup":
        retention = inputs.get("retentionInDays")
        return f"{inputs.get('name')}" + (f", {retention} days" if retention else "")
    if kind == "LayerVersion":
        return f"{inputs.get('layerName')} ({', '.join(inputs.get('compatibleRuntimes') or [])})"
    if kind == "Bucket":
        return str(inputs.get("bucket"))
    if kind == "BucketNotification":
        return "; ".join(
            f"{', '.join(n.get('events', []))} "
            f"prefix={n.get('filterPrefix') or '-'} suffix={n.get('filterSuffix') or '-'}"
            f" -> {n.get('lambdaFunctionArn')}"
            for n in inputs.get("lambdaFunctions") or []
        )
    if kind == "Permission":
        return f"{inputs.get('principal')} from {inputs.get('sourceArn')}"
    if kind == "Route":
        return str(inputs.get("routeKey"))
    if kind == "Integration":
        return ", ".join(
            str(inputs[k])
            for k in ("integrationType", "payloadFormatVersion", "type", "httpMethod")
            if inputs.get(k)
        )
    if kind == "Method":
        return str(inputs.get("httpMethod"))
    if kind == "Resource":
        return str(inputs.get("pathPart"))
    if kind == "Distribution":
        behaviours = [inputs.get("defaultCacheBehavior") or {}]
        behaviours += inputs.get("orderedCacheBehaviors") or []
        return "; ".join(
            f"{b.get('pathPattern', '*')}: {_associations(b) or 'no edge function'}"
            for b in behaviours
        )
    for key in ("name", "stageName", "bucket"):
        if inputs.get(key):
            return str(inputs[key])
    return ""
