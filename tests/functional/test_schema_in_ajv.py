"""The published schema works where users' tools run it: AJV (draft 2020-12, ECMA-262 patterns).

AJV (from npm, installed by `.ci/run` into tests/.node) compiles the schema, and
agrees with `wasmdeploy validate`'s schema check on every example manifest, the
schema's own examples, and Serverless-style manifests valid and not.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import textwrap
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from required_tools import tool_missing

from wasmdeploy.manifest.load import load_manifest
from wasmdeploy.manifest.schema import load_schema, schema_path

ROOT = Path(__file__).resolve().parents[2]
NODE_MODULES = ROOT / "tests" / ".node" / "node_modules"
SCRIPT = Path(__file__).with_name("ajv_validate.cjs")
INSTALL = "npm install --prefix tests/.node --no-save ajv@8 ajv-formats@3"
SERVERLESS_STYLE = [
    """\
    service: shop
    frameworkVersion: '3'
    useDotenv: true
    provider:
      name: aws
      runtime: provided.al2023
      iamRoleStatements: [{Effect: Allow, Action: s3:GetObject, Resource: !GetAtt Bucket.Arn}]
      httpApi: {cors: true}
      vpc: {subnetIds: [subnet-1], securityGroupIds: [sg-1]}
    plugins: [serverless-offline]
    package: {patterns: ['!node_modules/**']}
    functions:
      hello:
        handler: h
        name: shop-hello
        reservedConcurrency: 2
        environment: {BUCKET: !Ref Bucket}
        events:
          - http: {path: /hello, method: Get, cors: true}
          - httpApi: 'POST /x'
    resources:
      Resources:
        Bucket: {Type: AWS::S3::Bucket}
    """,
    """\
    service: shop
    provider: {name: aws, memorySize: lots}
    functions:
      hello: {handler: h, events: [{http: {path: /x, method: FETCH}}]}
    """,
]


def ajv_results(instances: list[Any]) -> list[dict[str, Any]]:
    node = shutil.which("node")
    if node is None or not (NODE_MODULES / "ajv").is_dir():
        tool_missing(f"AJV is not installed: run `{INSTALL}` (and have node on PATH)")
    completed = subprocess.run(
        [str(node), str(SCRIPT), str(schema_path())],
        input=json.dumps(instances),
        capture_output=True,
        text=True,
        timeout=60,
        env={"NODE_PATH": str(NODE_MODULES), "PATH": str(Path(str(node)).parent)},
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    results: list[dict[str, Any]] = json.loads(completed.stdout)
    return results


def resolved(path: Path) -> Any:
    """The manifest as the schema check sees it: variables resolved, short forms expanded."""
    return load_manifest(path, inspect_modules=False).data


def example_manifests() -> list[Path]:
    return sorted(ROOT.glob("examples/*/wasmdeploy.yml"))


def test_every_example_is_valid_under_ajv_as_under_validate() -> None:
    paths = example_manifests()
    assert paths
    instances = [resolved(path) for path in paths]
    for path, result, instance in zip(paths, ajv_results(instances), instances, strict=True):
        assert Draft202012Validator(load_schema()).is_valid(instance), path
        assert result["valid"], (path, result["errors"])


def test_ajv_and_validate_agree_on_valid_and_invalid_manifests(tmp_path: Path) -> None:
    instances: list[Any] = list(load_schema()["examples"])
    for index, text in enumerate(SERVERLESS_STYLE):
        path = tmp_path / f"m{index}" / "serverless.yml"
        path.parent.mkdir()
        path.write_text(textwrap.dedent(text))
        instances.append(resolved(path))
    validator = Draft202012Validator(load_schema())
    expected = [validator.is_valid(instance) for instance in instances]
    assert expected[-2:] == [True, False]  # the cases cover both answers
    assert [r["valid"] for r in ajv_results(instances)] == expected


def test_http_methods_match_in_any_case_under_ajv() -> None:
    methods = ["GET", "get", "Post", "*", "ANY", "options"]
    instances = [
        {
            "service": "shop",
            "functions": {"f": {"handler": "h", "events": [{"http": {"path": "/x", "method": m}}]}},
        }
        for m in methods
    ]
    assert [r["valid"] for r in ajv_results(instances)] == [True] * len(methods)
    [fetch] = ajv_results(
        [
            {
                **instances[0],
                "functions": {
                    "f": {"handler": "h", "events": [{"http": {"path": "/x", "method": "FETCH"}}]}
                },
            }
        ]
    )
    assert not fetch["valid"]
