"""Everything `serve` runs: a local AWS with the manifest's buckets and triggers,
warm sandboxes per function, and the local API Gateway in front of them."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from wasmdeploy.errors import UserError
from wasmdeploy.local.apigw.server import ApiGatewayServer
from wasmdeploy.local.local_aws import LocalAws
from wasmdeploy.local.pool import DEFAULT_CONCURRENCY, FunctionPool
from wasmdeploy.local.report_lines import stderr_sink
from wasmdeploy.local.runtime_session import LogSink
from wasmdeploy.local.s3_triggers import S3TriggerDispatcher
from wasmdeploy.local.sandbox_factory import SandboxFactory
from wasmdeploy.local.served import local_buckets, served_functions
from wasmdeploy.local.sources.async_queue import LOCAL_RETRY_DELAYS
from wasmdeploy.local.sources.delivery import Deliver, pool_delivery
from wasmdeploy.local.sources.wiring import EventSources
from wasmdeploy.manifest.model import Function, Service


def create_pools(
    service: Service,
    functions: Iterable[Function],
    *,
    aws_endpoint: str | None,
    real_aws: bool = False,
    concurrency: int,
    sink_for: Callable[[Function], LogSink],
    bootstrap: tuple[str, ...] | None = None,
) -> dict[str, FunctionPool]:
    return {
        function.name: FunctionPool(
            SandboxFactory(
                service,
                function,
                aws_endpoint=aws_endpoint,
                real_aws=real_aws,
                bootstrap=bootstrap,
            ),
            sink_for(function),
            max_concurrency=concurrency,
        )
        for function in functions
    }


class LocalEmulator:
    """Starts and stops the local AWS, its S3 triggers, the sandboxes and the API."""

    def __init__(
        self,
        service: Service,
        *,
        host: str = "127.0.0.1",
        port: int = 3000,
        aws_port: int = 4566,
        concurrency: int = DEFAULT_CONCURRENCY,
        notice: LogSink | None = None,
        bootstrap: tuple[str, ...] | None = None,
        retry_delays: tuple[int, ...] = LOCAL_RETRY_DELAYS,
        metric_records: bool = False,
    ) -> None:
        self.service = service
        self.metric_records = metric_records  # log the runtime's EMF records in full
        self.retry_delays = retry_delays  # asynchronous retries, shorter than Lambda's
        self.bootstrap = bootstrap
        self.host = host
        self.port = port
        self.concurrency = concurrency
        self.notice = notice or stderr_sink()
        self.aws = LocalAws(host=host, port=aws_port, region=service.region)
        self.pools: dict[str, FunctionPool] = {}
        self.api: ApiGatewayServer | None = None
        self.triggers: S3TriggerDispatcher | None = None
        self.sources: EventSources | None = None
        # Run once the functions and their triggers stopped, before the local AWS stops.
        self.on_stop: list[Callable[[], None]] = []

    def start(self) -> None:
        self.aws.on_start(lambda aws: aws.create_buckets(local_buckets(self.service)))
        self.aws.start()
        try:
            served = list(served_functions(self.service).values())
            self.pools = create_pools(
                self.service,
                served,
                aws_endpoint=self.aws.endpoint_url,
                concurrency=self.concurrency,
                sink_for=lambda function: stderr_sink(
                    f"[{function.name}] ", metric_records=self.metric_records
                ),
                bootstrap=self.bootstrap,
            )
            for pool in self.pools.values():
                pool.warm()
            if any(f.routes for f in served):
                try:
                    self.api = ApiGatewayServer(
                        self.service, self.pools, host=self.host, port=self.port, notice=self.notice
                    )
                except OSError as error:
                    raise UserError(
                        f"cannot serve the API on {self.host}:{self.port}: {error.strerror}",
                        hint="Choose another port with --port.",
                    ) from None
                self.api.start()
            self.sources = self._event_sources()
            self.triggers = S3TriggerDispatcher(
                self.aws, self.service, self.pools, self.notice, hand_off=self._hand_off
            )
            self.triggers.start()
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        if self.api is not None:
            self.api.stop()
        if self.triggers is not None:
            self.triggers.stop()
        if self.sources is not None:
            self.sources.stop()
        for pool in self.pools.values():
            pool.close()
        for hook in self.on_stop:
            hook()
        self.aws.stop()

    def _event_sources(self) -> EventSources:
        """Queues, streams, topics, buses and schedules on the local AWS, feeding the pools."""
        sources = EventSources(
            self.aws.client,
            self.service,
            self.delivery(),
            self.notice,
            retry_delays=self.retry_delays,
        )
        sources.start()
        for kind, name in sources.resources.created:
            self.aws.add_resource(kind, name)
        return sources

    def delivery(self) -> dict[str, Deliver]:
        """How the event sources invoke each served function: through its pool (a removed
        function's pool may still be finishing its requests)."""
        served = served_functions(self.service)
        return {name: pool_delivery(pool) for name, pool in self.pools.items() if name in served}

    def fire_schedules(self) -> None:
        """Fire every schedule once now (`serve --run-schedules-now`)."""
        if self.sources is not None:
            self.sources.fire_all()

    def _hand_off(self, function: Function, event: dict[str, Any]) -> bool:
        """An S3 event joins the function's asynchronous queue (Lambda's retries, onFailure)."""
        if self.sources is None or function.name not in self.sources.async_queues:
            return False
        try:
            self.sources.submit_async(function.name, event)
        except Exception as error:  # the local AWS refused: the notification stays for later
            self.notice(f"{function.name}: cannot queue the S3 event: {error}")
            return False
        return True
