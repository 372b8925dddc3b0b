"""Services and artifacts built directly from the model, for the stack tests."""

from __future__ import annotations

import base64
import hashlib
import zipfile
from dataclasses import replace
from pathlib import Path
from typing import Any

from wasmdeploy.build.package import PackageResult, layer_kind
from wasmdeploy.build.zips import Artifact
from wasmdeploy.manifest.model import (
    Cdn,
    EdgeTrigger,
    Function,
    HttpRoute,
    ObjectOutput,
    S3Trigger,
    Sandbox,
    Service,
)


def make_function(
    root: Path, name: str, service: str = "images", stage: str = "dev", **overrides: Any
) -> Function:
    fields: dict[str, Any] = {
        "name": name,
        "deployed_name": f"{service}-{stage}-{name}",
        "handler": f"{name}.wasm",
        "module": root / f"{name}.wasm",
        "module_relpath": f"{name}.wasm",
        "abi": "wasi",
        "export": None,
        "runtime": "provided.al2023",
        "architecture": "x86_64",
        "memory_size": 256,
        "timeout": 10,
        "sandbox": Sandbox(),
    }
    fields.update(overrides)
    return Function(**fields)


def make_edge_function(root: Path, name: str, **overrides: Any) -> Function:
    return make_function(
        root,
        name,
        runtime="python3.13",
        architecture="x86_64",
        edge=overrides.pop("edge", EdgeTrigger("origin-request")),
        **overrides,
    )


def make_service(root: Path, functions: list[Function], **overrides: Any) -> Service:
    fields: dict[str, Any] = {
        "name": "images",
        "stage": "dev",
        "region": "eu-west-1",
        "manifest_path": root / "wasmdeploy.yml",
        "functions": tuple(functions),
    }
    fields.update(overrides)
    return Service(**fields)


def hello_and_edge_service(root: Path) -> Service:
    """A regional function `hello` and an edge function `rewrite` behind a CDN, in eu-west-1."""
    return make_service(
        root,
        [make_function(root, "hello"), make_edge_function(root, "rewrite")],
        region="eu-west-1",
        cdn=Cdn("domain", "example.com"),
    )


def write_zip(path: Path, files: dict[str, bytes]) -> Artifact:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in sorted(files.items()):
            archive.writestr(zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0)), data)
    data = path.read_bytes()
    digest = base64.b64encode(hashlib.sha256(data).digest()).decode()
    return Artifact(path, digest, len(data))


def make_artifacts(service: Service, out: Path) -> PackageResult:
    """Small real zips: a module stand-in per function and a layer per (architecture, kind)."""
    result = PackageResult(out)
    for function in service.functions:
        result.functions[function.name] = write_zip(
            out / "functions" / f"{function.name}.zip",
            {function.module_relpath: b"\0asm\1\0\0\0", "wasmdeploy.json": b"{}"},
        )
        if not function.is_edge:
            key = (function.architecture, layer_kind(function))
            result.layer_for[function.name] = key
            if key not in result.layers:
                result.layers[key] = write_zip(
                    out / "layers" / f"{key[1]}-{key[0]}.zip", {"bootstrap": b"#!/bin/sh\n"}
                )
    return result


def flagship_service(root: Path, **overrides: Any) -> Service:
    """The origin's image function, an HTTP API, a REST route and an edge function."""
    process = make_function(
        root,
        "processImage",
        requested_runtime="provided.al2",
        input="object",
        output=ObjectOutput("image-processing-bucket", "processed/{stem}.png"),
        s3_triggers=(
            S3Trigger(
                "image-processing-bucket", ("s3:ObjectCreated:*",), prefix="uploads/", suffix=".jpg"
            ),
        ),
        log_retention_days=14,
        environment={"MODE": "gray"},
    )
    hello = make_function(
        root,
        "hello",
        architecture="arm64",
        routes=(
            HttpRoute("httpApi", "GET", "/hello/{name}"),
            HttpRoute("httpApi", "POST", "/hello"),
        ),
    )
    legacy = make_function(
        root,
        "legacy",
        runtime="python3.12",
        routes=(HttpRoute("http", "GET", "/v1/items/{id}", cors=True),),
    )
    rewrite = make_edge_function(root, "rewrite")
    fields: dict[str, Any] = {"cdn": Cdn("bucket", "site-assets")}
    fields.update(overrides)
    return make_service(root, [process, hello, legacy, rewrite], **fields)


def without(service: Service, *names: str) -> Service:
    return replace(service, functions=tuple(f for f in service.functions if f.name not in names))
