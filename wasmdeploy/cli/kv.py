"""`wasmdeploy kv get|set|delete|incr|list STORE ...`: read and write a key-value store.

The local store by default (what `invoke` and `serve` use), the deployed
DynamoDB table with `--remote`.
"""

from __future__ import annotations

import base64
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from wasmdeploy.cli.options import load_service, manifest_options
from wasmdeploy.errors import UserError

F = TypeVar("F", bound=Callable[..., Any])


def store_options(command: F) -> F:
    command = click.option("--json", "as_json", is_flag=True, help="Print JSON.")(command)
    command = click.option(
        "--remote", is_flag=True, help="Use the deployed DynamoDB table instead of the local store."
    )(command)
    command = manifest_options(command)
    return click.argument("store")(command)


@click.group("kv")
def kv() -> None:
    """Read and write the service's key-value stores (local, or --remote)."""


@kv.command("get")
@store_options
@click.argument("key")
def get(
    store: str,
    key: str,
    manifest_file: Path | None,
    stage: str | None,
    region: str | None,
    remote: bool,
    as_json: bool,
) -> None:
    """Print KEY's value (exit 1 when there is none)."""
    with _client(manifest_file, stage, region, store, remote) as client:
        value = client.get(key)
    if as_json:
        _echo_json({"store": store, "key": key, **_json_value(value)})
    elif value is not None:
        sys.stdout.buffer.write(value + (b"\n" if sys.stdout.isatty() else b""))
    if value is None:
        if not as_json:
            click.echo(f"{store}: no key {key!r}", err=True)
        sys.exit(1)


@kv.command("set")
@store_options
@click.argument("key")
@click.argument("value")
def set_(
    store: str,
    key: str,
    value: str,
    manifest_file: Path | None,
    stage: str | None,
    region: str | None,
    remote: bool,
    as_json: bool,
) -> None:
    """Set KEY to VALUE (`-` reads the value from stdin)."""
    data = sys.stdin.buffer.read() if value == "-" else value.encode()
    with _client(manifest_file, stage, region, store, remote) as client:
        client.set(key, data)
    if as_json:
        _echo_json({"store": store, "key": key, "size": len(data)})


@kv.command("delete")
@store_options
@click.argument("key")
def delete(
    store: str,
    key: str,
    manifest_file: Path | None,
    stage: str | None,
    region: str | None,
    remote: bool,
    as_json: bool,
) -> None:
    """Delete KEY (nothing to do when it is absent)."""
    with _client(manifest_file, stage, region, store, remote) as client:
        client.delete(key)
    if as_json:
        _echo_json({"store": store, "key": key, "deleted": True})


@kv.command("incr")
@store_options
@click.argument("key")
@click.argument("delta", type=int, default=1)
def incr(
    store: str,
    key: str,
    delta: int,
    manifest_file: Path | None,
    stage: str | None,
    region: str | None,
    remote: bool,
    as_json: bool,
) -> None:
    """Add DELTA (default 1) to KEY's integer and print the new value."""
    with _client(manifest_file, stage, region, store, remote) as client:
        number = client.increment(key, delta)
    _echo_json({"store": store, "key": key, "value": number}) if as_json else click.echo(number)


@kv.command("list")
@store_options
@click.argument("prefix", default="")
def list_(
    store: str,
    prefix: str,
    manifest_file: Path | None,
    stage: str | None,
    region: str | None,
    remote: bool,
    as_json: bool,
) -> None:
    """List the keys (those starting with PREFIX), one a line."""
    with _client(manifest_file, stage, region, store, remote) as client:
        keys = sorted(client.keys(prefix))
    if as_json:
        _echo_json({"store": store, "prefix": prefix, "keys": keys})
    else:
        for key in keys:
            click.echo(key)


class _client:
    def __init__(
        self,
        manifest_file: Path | None,
        stage: str | None,
        region: str | None,
        store: str,
        remote: bool,
    ) -> None:
        from wasmdeploy.local.kv_client import StoreClient

        service = load_service(manifest_file, stage, region)
        if not service.kv_stores:
            raise UserError(
                f"{service.name} has no key-value stores",
                hint="Grant one to a function (`kv: [default]`), or declare them under `kv:`.",
            )
        self.client = StoreClient(service, store, remote=remote)

    def __enter__(self) -> Any:
        return self.client

    def __exit__(self, *_exc: object) -> None:
        self.client.close()


def _json_value(value: bytes | None) -> dict[str, Any]:
    if value is None:
        return {"value": None}
    try:
        return {"value": value.decode("utf-8")}
    except UnicodeDecodeError:
        return {"valueBase64": base64.b64encode(value).decode()}


def _echo_json(data: dict[str, Any]) -> None:
    click.echo(json.dumps(data))
