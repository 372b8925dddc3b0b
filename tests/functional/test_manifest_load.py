"""Loading real manifests from disk, with real WASM modules inspected by wasmtime."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
import wasmtime
from origin_manifest import ORIGIN_MANIFEST

from wasmdeploy.manifest.load import load_manifest, load_service, load_service_with_warnings
from wasmdeploy.manifest.model import DEFAULT_ALLOWED_IMPORTS
from wasmdeploy.manifest.problems import ManifestInvalid

WASI_COMMAND = """
(module
  (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "_start")))
"""
EXPORTS_MODULE = """
(module
  (memory (export "memory") 1)
  (func (export "alloc") (param i32) (result i32) i32.const 1024)
  (func (export "handle") (param i32 i32) (result i64) i64.const 0))
"""


def write_service(root: Path, manifest: str, modules: dict[str, str] | None = None) -> Path:
    for name, wat in (modules or {"wasm-handler.wasm": WASI_COMMAND}).items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(wasmtime.wat2wasm(wat))
    path = root / "wasmdeploy.yml"
    path.write_text(textwrap.dedent(manifest))
    return path


def test_origin_manifest_loads_with_only_the_al2_warning(tmp_path: Path) -> None:
    path = write_service(tmp_path, ORIGIN_MANIFEST)
    service, warnings = load_service_with_warnings(path)
    [function] = service.functions
    assert function.runtime == "provided.al2023"
    assert function.requested_runtime == "provided.al2"
    assert function.module == (tmp_path / "wasm-handler.wasm").resolve()
    assert function.abi == "wasi"
    assert function.s3_triggers[0].bucket == "image-processing-bucket"
    assert function.deployed_name == "wasm-function-service-dev-processImage"
    assert [(w.path, w.line) for w in warnings] == [("provider.runtime", 4)]
    assert "2026-07-31" in warnings[0].message


def test_manifest_is_found_in_the_current_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_service(tmp_path, ORIGIN_MANIFEST)
    (tmp_path / "wasmdeploy.yml").rename(tmp_path / "serverless.yml")
    monkeypatch.chdir(tmp_path)
    assert load_service(None).name == "wasm-function-service"


def test_http_api_route_and_cli_stage_and_region(tmp_path: Path) -> None:
    path = write_service(
        tmp_path,
        """
        service: hello
        provider: {name: aws, stage: dev, region: eu-west-1}
        functions:
          hello:
            handler: wasm-handler.wasm
            events:
              - httpApi: 'GET /hello/{name}'
              - httpApi: {method: post, path: /items}
              - http: 'get users/{id}'
        """,
    )
    service = load_service(path, stage="prod", region="eu-central-1")
    assert (service.stage, service.region) == ("prod", "eu-central-1")
    routes = service.functions[0].routes
    assert [(r.kind, r.route_key) for r in routes] == [
        ("httpApi", "GET /hello/{name}"),
        ("httpApi", "POST /items"),
        ("http", "GET /users/{id}"),
    ]
    assert service.functions[0].deployed_name == "hello-prod-hello"


def test_s3_object_input_and_output(tmp_path: Path) -> None:
    path = write_service(
        tmp_path,
        """
        service: images
        functions:
          resize:
            handler: build/resize#handle
            input: object
            output: {bucket: processed-images, key: 'processed/{stem}.png'}
            events:
              - s3:
                  bucket: uploads-bucket
                  rules: [{prefix: uploads/}, {suffix: .jpg}]
        """,
        {"build/resize.wasm": EXPORTS_MODULE},
    )
    function = load_service(path).functions[0]
    assert (function.abi, function.export, function.module_relpath) == (
        "exports",
        "handle",
        "build/resize.wasm",
    )
    assert function.input == "object"
    assert function.output is not None and function.output.key == "processed/{stem}.png"
    trigger = function.s3_triggers[0]
    assert (trigger.prefix, trigger.suffix) == ("uploads/", ".jpg")


def test_edge_function_is_forced_onto_lambda_edge_terms(tmp_path: Path) -> None:
    path = write_service(
        tmp_path,
        """
        service: site
        provider: {name: aws, runtime: provided.al2023, architecture: arm64}
        functions:
          rewrite:
            handler: wasm-handler
            edge: {eventType: origin-request, pathPattern: '/img/*', includeBody: true}
        cdn:
          origin: {bucket: site-assets}
          priceClass: PriceClass_All
        """,
    )
    service = load_service(path)
    function = service.functions[0]
    assert (function.runtime, function.architecture) == ("python3.13", "x86_64")
    assert function.edge is not None and function.edge.path_pattern == "/img/*"
    assert service.cdn is not None
    assert (service.cdn.origin_kind, service.cdn.origin) == ("bucket", "site-assets")
    assert service.buckets_to_create == ("site-assets",)


def test_precedence_function_over_provider_over_default(tmp_path: Path) -> None:
    path = write_service(
        tmp_path,
        """
        service: svc
        provider:
          memorySize: 512
          timeout: 20
          environment: {A: provider, B: provider}
          tags: {team: media}
          sandbox: {memoryLimit: 64MB, maxTime: 10s}
        functions:
          one:
            handler: wasm-handler
            memorySize: 1024
            environment: {B: function, COUNT: 3}
            wasm_sandbox: {max_time: 2s, fuel: 1000}
          two:
            handler: wasm-handler
        """,
    )
    one, two = load_service(path).functions
    assert (one.memory_size, one.timeout) == (1024, 20)
    assert one.environment == {"A": "provider", "B": "function", "COUNT": "3"}
    assert one.tags == {"team": "media"}
    assert one.sandbox.memory_limit == 64 * 1024 * 1024
    assert (one.sandbox.max_time, one.sandbox.fuel) == (2.0, 1000)
    assert two.sandbox.max_time == 10.0
    assert two.sandbox.allowed_imports == DEFAULT_ALLOWED_IMPORTS
    assert two.memory_size == 512


def test_variables_resolve_from_options_and_environment(tmp_path: Path) -> None:
    path = write_service(
        tmp_path,
        """
        service: svc
        provider: {stage: "${opt:stage, 'dev'}"}
        custom: {bucket: "uploads-${sls:stage}"}
        functions:
          f:
            handler: wasm-handler
            environment: {MODE: "${env:WASMDEPLOY_TEST_MODE, 'gray'}"}
            events: [{s3: "${self:custom.bucket}"}]
        """,
    )
    function = load_service(path, stage="qa").functions[0]
    assert function.s3_triggers[0].bucket == "uploads-qa"
    assert function.environment == {"MODE": "gray"}


def test_every_problem_is_raised_together_with_its_line(tmp_path: Path) -> None:
    path = write_service(
        tmp_path,
        """
        service: svc
        functions:
          f:
            handler: missing
            timeout: 5
            sandbox: {maxTime: 10s}
            events:
              - s3: My_Bucket
        """,
    )
    with pytest.raises(ManifestInvalid) as caught:
        load_service(path)
    found = {(p.path, p.line) for p in caught.value.problems}
    assert found == {
        ("functions.f.handler", 5),
        ("functions.f.sandbox.maxTime", 7),
        ("functions.f.events[0].s3", 9),
    }
    assert "Error" not in str(caught.value.problems[0].file)


def test_module_must_fit_its_abi_and_allowed_imports(tmp_path: Path) -> None:
    forbidden = """
    (module
      (import "env" "secret" (func))
      (memory (export "memory") 1)
      (func (export "_start")))
    """
    path = write_service(
        tmp_path,
        """
        service: svc
        functions:
          wasi: {handler: exports}
          exports: {handler: 'wasi#handle'}
          sneaky: {handler: forbidden}
        """,
        {"exports.wasm": EXPORTS_MODULE, "wasi.wasm": WASI_COMMAND, "forbidden.wasm": forbidden},
    )
    result = load_manifest(path)
    messages: dict[str, list[str]] = {}
    for problem in result.errors:
        messages.setdefault(problem.path, []).append(problem.message)
    assert any("_start" in m for m in messages["functions.wasi.handler"])
    assert any("handle(i32, i32) -> i64" in m for m in messages["functions.exports.handler"])
    assert any("alloc" in m for m in messages["functions.exports.handler"])
    assert any("env.secret" in m for m in messages["functions.sneaky.handler"])


def test_invalid_and_text_modules_are_reported(tmp_path: Path) -> None:
    (tmp_path / "garbage.wasm").write_bytes(b"\0asm\x01\0\0\0\x01\xff")
    (tmp_path / "text.wasm").write_text("(module)")
    path = tmp_path / "wasmdeploy.yml"
    path.write_text("service: s\nfunctions:\n  a: {handler: garbage}\n  b: {handler: text}\n")
    errors = load_manifest(path).errors
    assert [(e.line, "not a valid WebAssembly module" in e.message) for e in errors] == [
        (3, True),
        (4, True),
    ]
    assert "WAT" in errors[1].message


def test_missing_module_with_a_build_command_is_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "wasmdeploy.yml"
    path.write_text("service: s\nfunctions:\n  a: {handler: out/a, build: make}\n")
    result = load_manifest(path)
    assert result.valid
    assert [w.path for w in result.warnings] == ["functions.a.handler"]
    assert "wasmdeploy build" in (result.warnings[0].hint or "")
