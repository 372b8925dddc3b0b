"""Serverless's variable sources: file, param, strToBool, aws, ssm, cf, sls; .env files."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from serverless_services import write_serverless

from wasmdeploy.manifest.load import LoadResult, load_manifest
from wasmdeploy.manifest.variable_sources import AwsLookup


class FakeAws:
    """An AwsLookup answering from dicts, counting its calls."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.parameters = {("/shop/token", "eu-west-1"): "s3cr3t"}
        self.outputs = {("network", "VpcId", "eu-west-1"): "vpc-42"}

    def account_id(self) -> str:
        self.calls.append("account")
        return "210987654321"

    def ssm_parameter(self, name: str, region: str) -> str | None:
        self.calls.append(f"ssm {name}")
        return self.parameters.get((name, region))

    def stack_output(self, stack: str, output: str, region: str) -> str | None:
        self.calls.append(f"cf {stack}.{output}")
        return self.outputs.get((stack, output, region))


def load(
    root: Path,
    manifest: str,
    files: dict[str, str] | None = None,
    *,
    stage: str | None = None,
    aws: AwsLookup | None = None,
    environ: dict[str, str] | None = None,
) -> LoadResult:
    for name, text in (files or {}).items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(textwrap.dedent(text))
    path = write_serverless(root, manifest)
    return load_manifest(path, stage=stage, aws=aws, environ=environ or {})


def env_of(result: LoadResult, function: str = "hello") -> dict[str, str]:
    assert result.errors == [], [e.render() for e in result.errors]
    assert result.service is not None
    return result.service.function(function).environment


def test_file_reads_whole_json_yaml_and_text_files_and_paths_inside(tmp_path: Path) -> None:
    result = load(
        tmp_path,
        """\
        service: shop
        provider:
          name: aws
          environment: ${file(./config/${sls:stage}.json)}
        functions:
          hello:
            handler: h
            environment:
              TABLE: ${file(settings.yml):tables.orders}
              KEY: ${file(./public_key)}
              MISSING: ${file(nothing.yml):x, 'fallback'}
        """,
        {
            "config/dev.json": '{"MODE": "development"}',
            "settings.yml": "tables:\n  orders: orders-${sls:stage}\n",
            "public_key": "-----BEGIN KEY-----",
        },
    )
    assert env_of(result) == {
        "MODE": "development",
        "TABLE": "orders-dev",
        "KEY": "-----BEGIN KEY-----",
        "MISSING": "fallback",
    }


def test_functions_from_files_whole_or_as_list_items(tmp_path: Path) -> None:
    result = load(
        tmp_path,
        """\
        service: shop
        provider: {name: aws}
        functions:
          - ${file(functions/a.yml)}
          - ${file(functions/b.yml)}
        """,
        {"functions/a.yml": "a: {handler: h}\n", "functions/b.yml": "b: {handler: h}\n"},
    )
    assert result.errors == []
    assert result.service is not None
    assert [f.name for f in result.service.functions] == ["a", "b"]


def test_a_missing_file_says_so_and_scripts_are_refused(tmp_path: Path) -> None:
    result = load(
        tmp_path,
        """\
        service: shop
        provider: {name: aws}
        custom:
          a: ${file(./secrets.json):token}
          b: ${file(./config.js):token}
        functions:
          hello: {handler: h}
        """,
        {"config.js": "module.exports = {}"},
    )
    messages = {e.path: e.message for e in result.errors}
    assert "the file ./secrets.json does not exist" in messages["custom.a"]
    assert "wasmdeploy does not run JavaScript" in messages["custom.b"]


def test_params_by_stage_then_default_v3_and_v4(tmp_path: Path) -> None:
    manifest = """\
        service: shop
        provider: {name: aws}
        params:
          default: {domain: dev.example.com, size: 128}
          prod: {domain: example.com}
        stages:
          default: {params: {color: blue}}
        functions:
          hello:
            handler: h
            environment: {DOMAIN: '${param:domain}', COLOR: '${param:color}'}
        """
    assert env_of(load(tmp_path, manifest, stage="prod")) == {
        "DOMAIN": "example.com",
        "COLOR": "blue",
    }
    assert env_of(load(tmp_path, manifest))["DOMAIN"] == "dev.example.com"


def test_str_to_bool_and_instance_id(tmp_path: Path) -> None:
    result = load(
        tmp_path,
        """\
        service: shop
        provider: {name: aws}
        custom:
          enabled: ${strToBool(true)}
          disabled: ${strToBool(0)}
        functions:
          hello:
            handler: h
            environment: {ID: '${sls:instanceId}', ENABLED: '${self:custom.enabled}'}
        """,
    )
    assert result.data["custom"] == {"enabled": True, "disabled": False}
    assert len(env_of(result)["ID"]) == 8
    assert env_of(result)["ENABLED"] == "true"


def test_aws_variables_are_deferred_offline_and_read_when_deploying(tmp_path: Path) -> None:
    manifest = """\
        service: shop
        provider: {name: aws, region: eu-west-1}
        functions:
          hello:
            handler: h
            environment:
              QUEUE: arn:${aws:partition}:sqs:${aws:region}:${aws:accountId}:jobs
              TOKEN: ${ssm:/shop/token}
              VPC: ${cf:network.VpcId}
        """
    offline = load(tmp_path, manifest)
    assert env_of(offline)["QUEUE"] == "arn:aws:sqs:eu-west-1:${aws:accountId}:jobs"
    [warning] = [w for w in offline.warnings if "resolved when deploying" in w.message]
    assert "${aws:accountId}" in warning.message and "${ssm:/shop/token}" in warning.message
    assert offline.service is not None  # plan lists them too
    assert offline.service.deferred == (
        "${aws:accountId}",
        "${ssm:/shop/token}",
        "${cf:network.VpcId}",
    )
    aws = FakeAws()
    deployed = load(tmp_path, manifest, aws=aws)
    assert env_of(deployed) == {
        "QUEUE": "arn:aws:sqs:eu-west-1:210987654321:jobs",
        "TOKEN": "s3cr3t",
        "VPC": "vpc-42",
    }
    assert not [w for w in deployed.warnings if "resolved when deploying" in w.message]


def test_sls_stage_is_the_resolved_provider_stage(tmp_path: Path) -> None:
    result = load(
        tmp_path,
        """\
        service: shop
        provider: {name: aws, stage: "${env:STAGE, 'qa'}"}
        functions:
          hello:
            handler: h
            environment: {STAGE: '${sls:stage}', SELF: '${self:provider.region}'}
        """,
    )
    assert env_of(result) == {"STAGE": "qa", "SELF": "us-east-1"}


def test_a_value_that_failed_is_reported_once_not_again_where_it_is_used(
    tmp_path: Path,
) -> None:
    result = load(
        tmp_path,
        """\
        service: shop
        provider: {name: aws}
        custom:
          table: ${env:TABLE_NAME}
        functions:
          hello:
            handler: h
            environment: {TABLE: '${self:custom.table}'}
        """,
    )
    assert [(e.path, e.line) for e in result.errors] == [("custom.table", 4)]


def test_plugin_sources_are_refused_clearly(tmp_path: Path) -> None:
    result = load(
        tmp_path,
        """\
        service: shop
        provider: {name: aws}
        functions:
          hello:
            handler: h
            environment: {Q: '${construct:jobs.queueUrl}'}
        """,
    )
    [error] = result.errors
    assert "does not support" in error.message and "serverless-lift" in error.message


@pytest.mark.parametrize("stage, expected", [("dev", "from .env.dev"), ("prod", "from .env")])
def test_use_dotenv_loads_the_stage_file_else_dot_env(
    tmp_path: Path, stage: str, expected: str
) -> None:
    result = load(
        tmp_path,
        """\
        service: shop
        useDotenv: true
        provider: {name: aws}
        functions:
          hello:
            handler: h
            environment: {GREETING: '${env:GREETING}', KEPT: '${env:KEPT}'}
        """,
        {".env": "GREETING=from .env\nKEPT=file\n", ".env.dev": "GREETING='from .env.dev'\n"},
        stage=stage,
        environ={"KEPT": "environment"},
    )
    assert env_of(result)["GREETING"] == expected
    assert env_of(result)["KEPT"] == "environment"
    assert json.dumps(result.serverless.as_json())


def test_a_deploy_reads_account_ssm_and_stack_outputs_from_aws(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from moto import mock_aws

    from wasmdeploy.manifest.variable_sources_aws import Boto3Lookup

    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(key, "testing")
    template = {
        "Resources": {"Q": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "net"}}},
        "Outputs": {"QueueName": {"Value": {"Fn::GetAtt": ["Q", "QueueName"]}}},
    }
    with mock_aws():
        import boto3

        boto3.client("ssm", region_name="eu-west-1").put_parameter(
            Name="/shop/token", Value="s3cr3t", Type="SecureString"
        )
        boto3.client("cloudformation", region_name="eu-west-1").create_stack(
            StackName="network", TemplateBody=json.dumps(template)
        )
        result = load(
            tmp_path,
            """\
            service: shop
            provider: {name: aws, region: eu-west-1}
            functions:
              hello:
                handler: h
                environment:
                  ACCOUNT: ${aws:accountId}
                  TOKEN: ${ssm:/shop/token}
                  QUEUE: ${cf:network.QueueName}
                  NONE: ${ssm:/shop/missing, 'fallback'}
            """,
            aws=Boto3Lookup(),
        )
    assert env_of(result) == {
        "ACCOUNT": "123456789012",
        "TOKEN": "s3cr3t",
        "QUEUE": "net",
        "NONE": "fallback",
    }


def test_a_file_value_resolves_only_the_part_asked_for_and_loops_are_errors(
    tmp_path: Path,
) -> None:
    result = load(
        tmp_path,
        """\
        service: shop
        provider: {name: aws}
        custom:
          name: ${file(./serverless.yml):service}
          loop: ${file(./serverless.yml):custom.loop}
          folder: ${file(./config)}
        functions:
          hello: {handler: h}
        """,
        {"config/keep": ""},
    )
    assert result.data["custom"]["name"] == "shop"
    messages = {e.path: e.message for e in result.errors}
    assert "takes a value from itself" in messages["custom.loop"]
    assert "is a folder, not a file" in messages["custom.folder"]
