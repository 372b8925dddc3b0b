"""`wasmdeploy kv get|set|delete|incr|list STORE ...`: read and write a key-value store.

The local store by default (what `invoke` and `serve` use), the deployed
DynamoDB table with `--remote`.
"""

from __future__ import annotations

import base64
import functools
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from wasmdeploy.cli.options import load_service, manifest_options
from wasmdeploy.errors import UserError


@dataclass(frozen=True)
class StoreTarget:
    """The store a `kv` subcommand works on, and how it answers."""

    store: str
    manifest_file: Path | None
    stage: str | None
    region: str | None
    remote: bool
    as_json: bool

    def open(self) -> _Client:
        return _Client(self)


def store_command(name: str) -> Callable[[Callable[..., None]], click.Command]:
    """A `kv` subcommand taking STORE, the manifest options, --remote and --json, which
    reach the function as one `StoreTarget`, its own arguments after it."""

    def decorate(func: Callable[..., None]) -> click.Command:
        @functools.wraps(func)
        def command(
            store: str,
            manifest_file: Path | None,
            stage: str | None,
            region: str | None,
            remote: bool,
            as_json: bool,
            **arguments: Any,
        ) -> None:
            func(StoreTarget(store, manifest_file, stage, region, remote, as_json), **arguments)

        command = click.option("--json", "as_json", is_flag=True, help="Print JSON.")(command)
        command = click.option(
            "--remote", is_flag=True, help="Use the deployed DynamoDB table, not the local store."
        )(command)
        command = manifest_options(command)
        return kv.command(name)(click.argument("store")(command))

    return decorate


@click.group("kv")
def kv() -> None:
    """Read and write the service's key-value stores (local, or --remote)."""


@click.argument("key")
@store_command("get")
def get(target: StoreTarget, key: str) -> None:
    """Print KEY's value (exit 1 when there is none)."""
    with target.open() as client:
        value = client.get(key)
    if target.as_json:
        _echo_json({"store": target.store, "key": key, **_json_value(value)})
    elif value is not None:
        sys.stdout.buffer.write(value + (b"\n" if sys.stdout.isatty() else b""))
    if value is None:
        if not target.as_json:
            click.echo(f"{target.store}: no key {key!r}", err=True)
        sys.exit(1)


@click.argument("value")
@click.argument("key")
@store_command("set")
def set_(target: StoreTarget, key: str, value: str) -> None:
    """Set KEY to VALUE (`-` reads the value from stdin)."""
    data = sys.stdin.buffer.read() if value == "-" else value.encode()
    with target.open() as client:
        client.set(key, data)
    if target.as_json:
        _echo_json({"store": target.store, "key": key, "size": len(data)})


@click.argument("key")
@store_command("delete")
def delete(target: StoreTarget, key: str) -> None:
    """Delete KEY (nothing to do when it is absent)."""
    with target.open() as client:
        client.delete(key)
    if target.as_json:
        _echo_json({"store": target.store, "key": key, "deleted": True})


@click.argument("delta", type=int, default=1)
@click.argument("key")
@store_command("incr")
def incr(target: StoreTarget, key: str, delta: int) -> None:
    """Add DELTA (default 1) to KEY's integer and print the new value."""
    with target.open() as client:
        number = client.increment(key, delta)
    if target.as_json:
        _echo_json({"store": target.store, "key": key, "value": number})
    else:
        click.echo(number)


@click.argument("prefix", default="")
@store_command("list")
def list_(target: StoreTarget, prefix: str) -> None:
    """List the keys (those starting with PREFIX), one a line."""
    with target.open() as client:
        keys = sorted(client.keys(prefix))
    if target.as_json:
        _echo_json({"store": target.store, "prefix": prefix, "keys": keys})
    else:
        for key in keys:
            click.echo(key)


class _Client:
    def __init__(self, target: StoreTarget) -> None:
        from wasmdeploy.local.kv_client import StoreClient

        service = load_service(target.manifest_file, target.stage, target.region)
        if not service.kv_stores:
            raise UserError(
                f"{service.name} has no key-value stores",
                hint="Grant one to a function (`kv: [default]`), or declare them under `kv:`.",
            )
        self.client = StoreClient(service, target.store, remote=target.remote)

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
