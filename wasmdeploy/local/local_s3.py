"""A local S3: moto's server on 127.0.0.1, for `serve` and `invoke --object`.

moto keeps the buckets in this process's memory; functions reach them over
HTTP through `AWS_ENDPOINT_URL_S3`, as boto3 and every AWS SDK honour it.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterable
from types import TracebackType
from typing import Any

from wasmdeploy.errors import UserError

LOCAL_CREDENTIALS = {
    "aws_access_key_id": "wasmdeploy-local",
    "aws_secret_access_key": "wasmdeploy-local",
}


class LocalS3:
    """moto's ThreadedMotoServer (S3, and SQS for event notifications) on loopback."""

    def __init__(
        self, *, host: str = "127.0.0.1", port: int = 0, region: str = "us-east-1"
    ) -> None:
        self.host = host
        self.port = port
        self.region = region
        self._server: Any = None

    def __enter__(self) -> LocalS3:
        self.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop()

    def start(self) -> None:
        try:
            from moto.server import ThreadedMotoServer
        except ImportError as error:
            raise UserError(
                f"the local S3 needs moto's server, which is not installed ({error})",
                hint="Install it: python3 -m pip install 'moto[server]>=5.1'",
            ) from None

        # moto's server logs every request through werkzeug; the emulator reports what matters.
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        if self.port and not _port_free(self.host, self.port):
            raise UserError(
                f"cannot start the local S3 on {self.host}:{self.port}: the port is in use",
                hint="Choose another with --s3-port.",
            )
        self._server = ThreadedMotoServer(ip_address=self.host, port=self.port, verbose=False)
        self._server.start()
        self.host, self.port = self._server.get_host_and_port()

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None

    @property
    def endpoint_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def client(self, service: str = "s3") -> Any:
        import boto3

        return boto3.client(
            service, endpoint_url=self.endpoint_url, region_name=self.region, **LOCAL_CREDENTIALS
        )

    def create_buckets(self, names: Iterable[str]) -> None:
        s3 = self.client()
        existing = {bucket["Name"] for bucket in s3.list_buckets().get("Buckets", [])}
        for name in names:
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


def _port_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True
