"""A serverless.yml's keys each get an answer: supported, warned (what wasmdeploy does), refused."""

from __future__ import annotations

from pathlib import Path

from serverless_services import write_serverless

from wasmdeploy.manifest import serverless_keys
from wasmdeploy.manifest.load import LoadResult, load_manifest
from wasmdeploy.manifest.schema import load_schema

UNSUPPORTED = "is a Serverless Framework feature wasmdeploy does not support"


def load(tmp_path: Path, manifest: str) -> LoadResult:
    return load_manifest(write_serverless(tmp_path, manifest))


def by_path(problems: list) -> dict[str, object]:
    return {p.path: p for p in problems}


def test_framework_settings_are_accepted_with_a_warning_at_their_line(tmp_path: Path) -> None:
    result = load(
        tmp_path,
        """\
        service: shop
        frameworkVersion: '3'
        configValidationMode: error
        org: acme
        app: shop
        provider:
          name: aws
          lambdaHashingVersion: 20201221
          deploymentBucket: {name: my-bucket}
        package:
          patterns: ['!node_modules/**']
        functions:
          hello:
            handler: h
            package: {individually: true}
        """,
    )
    assert result.errors == []
    warnings = by_path(result.warnings)
    assert warnings["frameworkVersion"].line == 2  # type: ignore[attr-defined]
    assert "version constraint is ignored" in warnings["frameworkVersion"].message  # type: ignore[attr-defined]
    assert set(warnings) >= {
        "configValidationMode",
        "org",
        "app",
        "provider.lambdaHashingVersion",
        "provider.deploymentBucket",
        "package.patterns",
        "functions.hello.package.individually",
    }
    assert result.serverless.counts["refused"] == 0


def test_serverless_features_wasmdeploy_lacks_are_refused_with_what_to_do(tmp_path: Path) -> None:
    result = load(
        tmp_path,
        """\
        service: shop
        provider: {name: aws, websocketsApiName: ws}
        stepFunctions: {stateMachines: {}}
        functions:
          hello:
            handler: h
            image: {name: app}
            events:
              - websocket: {route: $connect}
              - http: {path: /x, method: get, integration: lambda}
        """,
    )
    errors = by_path(result.errors)
    assert set(errors) == {
        "provider.websocketsApiName",
        "stepFunctions",
        "functions.hello.image",
        "functions.hello.events[0].websocket",
        "functions.hello.events[1].http.integration",
    }
    for problem in result.errors:
        assert UNSUPPORTED in problem.message
        assert "unknown key" not in problem.message
        assert problem.hint is None or "Did you mean" not in problem.hint
    assert errors["stepFunctions"].line == 3  # type: ignore[attr-defined]
    assert "AWS::StepFunctions::StateMachine" in (errors["stepFunctions"].hint or "")  # type: ignore[attr-defined]


def test_plugins_wasmdeploy_replaces_are_warned_others_refused(tmp_path: Path) -> None:
    result = load(
        tmp_path,
        """\
        service: shop
        provider: {name: aws}
        plugins:
          - serverless-offline
          - serverless-webpack
          - serverless-plugin-chrome
        functions:
          hello: {handler: h}
        """,
    )
    warnings = by_path(result.warnings)
    assert "wasmdeploy serve" in warnings["plugins[0]"].message  # type: ignore[attr-defined]
    assert "`build` command" in warnings["plugins[1]"].message  # type: ignore[attr-defined]
    [refused] = result.errors
    assert refused.path == "plugins[2]" and UNSUPPORTED in refused.message
    assert result.serverless.refused == ["plugins: serverless-plugin-chrome"]


def test_unknown_keys_keep_their_did_you_mean(tmp_path: Path) -> None:
    result = load(
        tmp_path,
        """\
        service: shop
        provider: {name: aws}
        functions:
          hello: {handlr: h}
        """,
    )
    [problem] = [p for p in result.errors if p.path == "functions.hello.handlr"]
    assert problem.message == "unknown key 'handlr'"
    assert problem.hint == "Did you mean 'handler'?"


def test_summary_counts_each_answer(tmp_path: Path) -> None:
    result = load(
        tmp_path,
        """\
        service: shop
        frameworkVersion: '3'
        provider: {name: aws, alb: {}}
        functions:
          hello: {handler: h}
        """,
    )
    counts = result.serverless.counts
    assert (counts["supported"], counts["warned"], counts["refused"]) == (5, 1, 1)
    assert result.serverless.line() == (
        "Serverless keys: 5 supported, 1 warned, 1 refused (provider.alb)"
    )


def test_every_supported_or_warned_key_is_in_the_schema() -> None:
    schema = load_schema()
    defs = schema["$defs"]
    places = {
        "top": schema["properties"],
        "provider": defs["provider"]["properties"],
        "function": defs["function"]["properties"],
        "event": defs["event"]["properties"],
        "http": defs["httpEvent"]["properties"],
        "httpApi": defs["httpApiEvent"]["properties"],
        "s3": defs["s3Event"]["properties"],
        "package": defs["serverlessPackage"]["properties"],
        "resources": schema["properties"]["resources"]["properties"],
    }
    table = serverless_keys.table()
    for section, allowed in places.items():
        for key, (status, note) in table[section].items():
            if status == "refused":
                assert key not in allowed, f"{section}.{key} is refused but the schema allows it"
                assert note, f"{section}.{key} is refused without saying what to do"
            else:
                assert key in allowed, f"{section}.{key} is {status} but the schema rejects it"


def test_a_service_of_resources_only_is_valid_and_one_of_nothing_is_not(tmp_path: Path) -> None:
    resources_only = load(
        tmp_path,
        """\
        service: shared-tables
        provider: {name: aws}
        resources:
          Resources:
            Table: {Type: AWS::SQS::Queue}
        """,
    )
    assert resources_only.errors == []
    [error] = load(tmp_path, "service: empty\nprovider: {name: aws}\n").errors
    assert "deploys nothing" in error.message


def test_rest_cors_settings_are_warned_not_silently_widened(tmp_path: Path) -> None:
    result = load(
        tmp_path,
        """\
        service: shop
        provider: {name: aws}
        functions:
          hello:
            handler: h
            events:
              - http: {path: /x, method: get, cors: {origins: [https://a.example]}}
        """,
    )
    [warning] = [w for w in result.warnings if w.path.endswith("http.cors")]
    assert "allows every origin" in warning.message


def test_a_private_route_without_api_keys_is_an_error(tmp_path: Path) -> None:
    result = load(
        tmp_path,
        """\
        service: shop
        provider: {name: aws}
        functions:
          hello:
            handler: h
            events: [{http: {path: /x, method: get, private: true}}]
        """,
    )
    [error] = result.errors
    assert error.path == "functions.hello.events[0].http.private"
    assert "provider.apiGateway.apiKeys" in error.message


def test_a_function_name_override_is_what_the_length_check_reads(tmp_path: Path) -> None:
    long_service = "a-service-with-a-name-long-enough-to-overflow-lambdas-limit"
    result = load(
        tmp_path,
        f"""\
        service: {long_service}
        provider: {{name: aws}}
        functions:
          renamed: {{handler: h, name: short-name}}
          bad: {{handler: h, name: "{"x" * 65}"}}
          plain: {{handler: h}}
        """,
    )
    errors = {e.path: e for e in result.errors}
    assert set(errors) == {"functions.bad.name", "functions.plain"}
    assert "the function name 'xxx" in errors["functions.bad.name"].message
    assert "give the function a `name`" in (errors["functions.plain"].hint or "")


def test_a_container_image_function_gets_one_error_not_a_missing_handler(
    tmp_path: Path,
) -> None:
    result = load(
        tmp_path,
        """\
        service: shop
        provider: {name: aws}
        functions:
          hello:
            image: {name: app}
        """,
    )
    [error] = result.errors
    assert error.path == "functions.hello.image" and UNSUPPORTED in error.message
