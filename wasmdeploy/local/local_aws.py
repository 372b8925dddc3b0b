"""The local AWS: moto's server on 127.0.0.1, one endpoint for every service the emulator uses.

S3, SQS, SNS, Kinesis, DynamoDB (and its streams) and EventBridge answer on
one port; clients reach it with `AWS_ENDPOINT_URL` and the dummy credentials
of `client_environment()`, so nothing done locally reaches an AWS account.
moto keeps the resources in this process's memory. Code that needs resources
there registers a setup (`on_start`), run once the server is up; the names
it records with `add_resource` are what `serve` lists for the user.

It is served by the emulator's strict HTTP/1.1 server (local_http): only
local Host names are answered, requests a browser makes for another site are
refused, and moto's admin API (`/moto-api/...`, which can reset every
resource) is not served at all: this process manages the state directly.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Callable, Iterable
from types import TracebackType
from typing import Any

from wasmdeploy.errors import UserError
from wasmdeploy.local.local_origins import WILDCARD_ADDRESSES
from wasmdeploy.local.wsgi_bridge import WsgiApp, WsgiServer

LOCAL_ACCESS_KEY = "wasmdeploy-local"
LOCAL_CREDENTIALS = {
    "aws_access_key_id": LOCAL_ACCESS_KEY,
    "aws_secret_access_key": LOCAL_ACCESS_KEY,
}
ADMIN_PREFIX = "/moto-api"

Setup = Callable[["LocalAws"], None]


class LocalAws:
    """moto's server on loopback (or `host`), started on `start`, emptied of nothing on `stop`."""

    def __init__(
        self, *, host: str = "127.0.0.1", port: int = 0, region: str = "us-east-1"
    ) -> None:
        self.host = host
        self.port = port
        self.region = region
        self.resources: dict[str, list[str]] = {}  # kind ("bucket", "queue", ...) -> names
        self._setups: list[Setup] = []
        self._server: WsgiServer | None = None

    def __enter__(self) -> LocalAws:
        self.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return self._server is not None

    @property
    def endpoint_url(self) -> str:
        """Where clients on this machine reach it (loopback, when it listens everywhere)."""
        host = "127.0.0.1" if self.host in WILDCARD_ADDRESSES else self.host
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{self.port}"

    @property
    def on_every_interface(self) -> bool:
        return self.host in WILDCARD_ADDRESSES

    def on_start(self, setup: Setup) -> None:
        """Run `setup(self)` when the server is up (now, if it already is)."""
        self._setups.append(setup)
        if self.running:
            setup(self)

    def add_resource(self, kind: str, name: str) -> None:
        names = self.resources.setdefault(kind, [])
        if name not in names:
            names.append(name)

    def client_environment(self) -> dict[str, str]:
        """What a process exports to use the local AWS (the aws CLI, boto3, SDKs)."""
        return {
            "AWS_ENDPOINT_URL": self.endpoint_url,
            "AWS_ACCESS_KEY_ID": LOCAL_ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": LOCAL_ACCESS_KEY,
            "AWS_DEFAULT_REGION": self.region,
        }

    def client(self, service: str = "s3") -> Any:
        import boto3

        return boto3.client(
            service, endpoint_url=self.endpoint_url, region_name=self.region, **LOCAL_CREDENTIALS
        )

    def start(self) -> None:
        if self.running:
            return
        try:
            from moto.moto_server.werkzeug_app import (
                DomainDispatcherApplication,
                create_backend_app,
            )
        except ImportError as error:
            raise UserError(
                f"the local AWS needs moto's server, which is not installed ({error})",
                hint="Install it: python3 -m pip install 'moto[server]>=5.1'",
            ) from None
        # moto's server logs every request through werkzeug; the emulator reports what matters.
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        if self.port and not _port_free(self.host, self.port):
            raise UserError(
                f"cannot start the local AWS on {self.host}:{self.port}: the port is in use",
                hint="Choose another with --aws-port.",
            )
        app = DomainDispatcherApplication(create_backend_app)
        try:
            self._server = WsgiServer((self.host, self.port), without_admin_api(app))
        except OSError as error:
            raise UserError(
                f"cannot start the local AWS on {self.host}:{self.port}: {error.strerror}",
                hint="Choose another port with --aws-port.",
            ) from None
        self._server.poll_interval = 0.1
        self.port = self._server.server_address[1]
        self._server.start()
        try:
            for setup in self._setups:
                setup(self)
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None

    def create_buckets(self, names: Iterable[str]) -> None:
        s3 = self.client()
        existing = {bucket["Name"] for bucket in s3.list_buckets().get("Buckets", [])}
        for name in names:
            self.add_resource("bucket", name)
            if name in existing:
                continue
            if self.region == "us-east-1":
                s3.create_bucket(Bucket=name)
            else:
                configuration = {"LocationConstraint": self.region}
                s3.create_bucket(Bucket=name, CreateBucketConfiguration=configuration)
            existing.add(name)

    def snapshot(self) -> dict[tuple[str, str], str]:
        """(bucket, key) -> ETag of every object, to see what an invocation wrote."""
        s3 = self.client()
        objects: dict[tuple[str, str], str] = {}
        for bucket in s3.list_buckets().get("Buckets", []):
            paginator = s3.get_paginator("list_objects_v2")
            for page in paginator.paginate(Bucket=bucket["Name"]):
                for item in page.get("Contents", []):
                    objects[(bucket["Name"], item["Key"])] = item["ETag"]
        return objects


def without_admin_api(app: WsgiApp) -> WsgiApp:
    """`app` without moto's admin API, which can reset or reconfigure every backend."""

    def guarded(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if str(environ.get("PATH_INFO", "")).startswith(ADMIN_PREFIX):
            start_response("403 Forbidden", [("Content-Type", "text/plain")])
            return [b"Forbidden: moto's admin API is not served by the local AWS\n"]
        return app(environ, start_response)

    return guarded


def _port_free(host: str, port: int) -> bool:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True
