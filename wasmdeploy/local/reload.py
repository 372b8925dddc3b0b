"""`serve` takes a changed manifest without a restart: only what changed is started again.

`plan_reload` compares the running `Service` with the new one; `apply_reload` changes a
running `LocalEmulator` to match:

- a function whose sandboxes would differ (module, environment, memory, timeout, sandbox,
  runtime...) gets new sandboxes through its same pool (`FunctionPool.use_factory`):
  requests already running finish on the old ones, the next ones cold-start the new ones;
  routes, S3 triggers and event sources keep their pool, so nothing loses its target;
- new functions get pools, removed ones have theirs closed once their routes are gone;
- the API's routes are swapped in one assignment (a request sees the old or the new table);
- the S3 triggers are set up again when a trigger or a bucket changed;
- a function's event sources (its queue pollers, stream pollers, subscriptions, rules,
  schedules and asynchronous queue) are stopped and wired again when its events, its
  asynchronous settings or its timeout changed, or it was added or removed; the other
  functions' keep running. When the event resources themselves (queues, streams, topics,
  tables) changed, every function's are restarted;
- with `serve --kv dynamodb`, a new key-value store gets its table.

Ports, concurrency and the kv backend come from the command line and do not change.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, replace
from typing import Any

from wasmdeploy_runtime.kv_store import BACKEND_VARIABLE

from wasmdeploy.errors import UserError
from wasmdeploy.local.apigw.router import Router
from wasmdeploy.local.apigw.server import ApiGatewayServer
from wasmdeploy.local.emulator import LocalEmulator, create_pools
from wasmdeploy.local.kv_local import DYNAMODB, create_tables
from wasmdeploy.local.pool import FunctionPool
from wasmdeploy.local.report_lines import stderr_sink
from wasmdeploy.local.s3_triggers import S3TriggerDispatcher
from wasmdeploy.local.sandbox_factory import SandboxFactory
from wasmdeploy.local.served import local_buckets, served_functions
from wasmdeploy.manifest.model import Function, Service
from wasmdeploy.manifest.model_events import EventSources as FunctionEvents


@dataclass(frozen=True)
class ReloadPlan:
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()  # functions whose sandboxes differ
    routes: bool = False
    s3_triggers: bool = False
    event_sources: tuple[str, ...] = ()  # functions whose event sources are wired again
    event_resources: bool = False  # the service's queues, streams, topics: all restart

    @property
    def empty(self) -> bool:
        return self == ReloadPlan()

    def describe(self) -> str:
        parts = [
            f"{label} {', '.join(names)}"
            for label, names in (
                ("added", self.added),
                ("removed", self.removed),
                ("new sandboxes for", self.changed),
            )
            if names
        ]
        parts += [
            what
            for what, flag in (("routes", self.routes), ("S3 triggers", self.s3_triggers))
            if flag
        ]
        if self.event_resources:
            parts.append("all event sources")
        elif self.event_sources:
            parts.append(f"event sources of {', '.join(self.event_sources)}")
        return "; ".join(parts) if parts else "nothing to restart"


def plan_reload(old: Service, new: Service) -> ReloadPlan:
    before, after = served_functions(old), served_functions(new)
    same_service = _service_identity(old) == _service_identity(new)
    changed = tuple(
        name
        for name in after
        if name in before
        and (not same_service or _sandbox_identity(before[name]) != _sandbox_identity(after[name]))
    )
    return ReloadPlan(
        added=tuple(name for name in after if name not in before),
        removed=tuple(name for name in before if name not in after),
        changed=changed,
        routes=_routes(before) != _routes(after),
        s3_triggers=_s3(old, before) != _s3(new, after),
        event_sources=tuple(
            name
            for name in {**before, **after}
            if not same_service or _sources(before.get(name)) != _sources(after.get(name))
        ),
        event_resources=not same_service or old.event_resources != new.event_resources,
    )


def apply_reload(emulator: LocalEmulator, new: Service, plan: ReloadPlan) -> None:
    """Change the running emulator to serve `new`; the pools first, so every route, trigger
    and event source finds its function's pool."""
    functions = served_functions(new)
    old = emulator.service
    if new.kv_stores != old.kv_stores and os.environ.get(BACKEND_VARIABLE) == DYNAMODB:
        create_tables(emulator.aws.client("dynamodb"), [store.table for store in new.kv_stores])
    emulator.pools.update(
        create_pools(
            new,
            [functions[name] for name in plan.added],
            aws_endpoint=emulator.aws.endpoint_url,
            concurrency=emulator.concurrency,
            sink_for=lambda function: stderr_sink(
                f"[{function.name}] ", metric_records=emulator.metric_records
            ),
            bootstrap=emulator.bootstrap,
        )
    )
    for name in plan.changed:
        pool = emulator.pools[name]
        factory = pool.factory
        pool.use_factory(
            SandboxFactory(
                new,
                functions[name],
                aws_endpoint=factory.aws_endpoint,
                real_aws=factory.real_aws,
                bootstrap=factory.bootstrap,
            )
        )
    for name in (*plan.added, *plan.changed):
        emulator.pools[name].warm()
    emulator.service = new
    try:
        if plan.routes or emulator.api is not None:
            _swap_routes(emulator, new)
        if plan.s3_triggers:
            _restart_s3_triggers(emulator, old, new)
        if plan.event_resources or emulator.sources is None:
            _restart_event_sources(emulator)
        elif plan.event_sources:
            emulator.sources.restart(new, emulator.delivery(), plan.event_sources)
    except BaseException:
        emulator.service = old  # the next reload compares with what was last fully applied
        raise
    for name in plan.removed:
        _close_when_idle(emulator.pools.pop(name), served_functions(old)[name].timeout)


def _close_when_idle(pool: FunctionPool, timeout: int) -> None:
    """Close a removed function's pool once the requests it was running have finished (at
    most its timeout): nothing routes to it any more, but a request may have just begun."""
    give_up = time.monotonic() + timeout + 1
    while pool.busy and time.monotonic() < give_up:
        time.sleep(0.02)
    pool.close()


def _swap_routes(emulator: LocalEmulator, new: Service) -> None:
    if emulator.api is not None:
        emulator.api.service = new
        emulator.api.router = Router(new)
        return
    if not any(f.routes for f in new.functions):
        return
    try:
        emulator.api = ApiGatewayServer(
            new, emulator.pools, host=emulator.host, port=emulator.port, notice=emulator.notice
        )
    except OSError as error:
        raise UserError(
            f"cannot serve the API on {emulator.host}:{emulator.port}: {error}"
        ) from None
    emulator.api.start()


def _restart_s3_triggers(emulator: LocalEmulator, old: Service, new: Service) -> None:
    if emulator.triggers is not None:
        emulator.triggers.stop()
    emulator.aws.create_buckets(local_buckets(new))
    s3 = emulator.aws.client()
    watched = {t.bucket for f in new.functions for t in f.s3_triggers}
    for bucket in {t.bucket for f in old.functions for t in f.s3_triggers} - watched:
        s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={})
    emulator.triggers = S3TriggerDispatcher(
        emulator.aws,
        new,
        emulator.pools,
        emulator.notice,
        hand_off=emulator.triggers.hand_off if emulator.triggers is not None else None,
    )
    emulator.triggers.start()


def _restart_event_sources(emulator: LocalEmulator) -> None:
    old = emulator.sources
    if old is not None:
        old.stop()
        emulator.sources = None
    emulator.sources = emulator._event_sources()
    if old is not None:  # subscriptions and rules no function wants any more
        for name, group in old.groups.items():
            group.release(emulator.sources.groups.get(name), emulator.aws.client)


def _service_identity(service: Service) -> tuple[Any, ...]:
    """What every sandbox of the service depends on."""
    return (service.name, service.stage, service.region, service.root, service.kv_stores)


def _sandbox_identity(function: Function) -> Function:
    """The function without what invokes it: equal when its sandboxes would be the same."""
    return replace(function, routes=(), s3_triggers=(), events=FunctionEvents(), async_config=None)


def _routes(functions: dict[str, Function]) -> list[tuple[str, Any]]:
    return [(name, f.routes) for name, f in functions.items() if f.routes]


def _s3(service: Service, functions: dict[str, Function]) -> tuple[Any, ...]:
    triggers = [(name, f.s3_triggers, f.timeout) for name, f in functions.items() if f.s3_triggers]
    return (triggers, local_buckets(service))


def _sources(function: Function | None) -> tuple[Any, ...] | None:
    """What a function's event sources depend on (its timeout sets its queues' visibility)."""
    if function is None:
        return None
    return (function.events, function.async_config, function.timeout, function.deployed_name)
